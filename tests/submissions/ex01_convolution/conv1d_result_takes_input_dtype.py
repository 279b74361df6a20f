"""Bug: the result array takes x's dtype, so an integer signal with a float kernel loses every fraction.

Feedback: expected float values
"""

import numpy as np


def conv1d(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1 or w.ndim != 1 or x.size == 0 or w.size == 0:
        raise ValueError("conv1d needs two non-empty 1-D arrays")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    if w.size > x.size:
        x, w = w, x
    n, k = x.size, w.size
    padded = np.pad(x, k - 1)
    full = np.zeros(n + k - 1, dtype=x.dtype)
    for i in range(n + k - 1):
        full[i] = padded[i : i + k] @ w[::-1]
    if mode == "full":
        return full
    if mode == "valid":
        return full[k - 1 : n]
    return full[(k - 1) // 2 : (k - 1) // 2 + n]
