"""Bug: slides the kernel without flipping it (cross-correlation); the book's symmetric kernel hides it.

Feedback: is it flipped?
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
    padded = np.concatenate([np.zeros(k - 1), x, np.zeros(k - 1)])
    full = np.array([padded[i : i + k] @ w for i in range(n + k - 1)])
    if mode == "full":
        return full
    if mode == "valid":
        return full[k - 1 : n]
    return full[(k - 1) // 2 : (k - 1) // 2 + n]
