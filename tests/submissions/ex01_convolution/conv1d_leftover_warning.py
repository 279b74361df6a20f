"""Bug: a warning left over from debugging is written on every call; a test cell that prints one fails.

Feedback: a test that prints one fails
"""

import warnings

import numpy as np


def conv1d(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1 or w.ndim != 1 or x.size == 0 or w.size == 0:
        raise ValueError("conv1d needs two non-empty 1-D arrays")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    warnings.warn(f"conv1d: debugging, mode={mode}", stacklevel=1)
    if w.size > x.size:
        x, w = w, x
    n, k = x.size, w.size
    full = np.zeros(n + k - 1, dtype=np.result_type(x, w))
    for j in range(k):
        full[j : j + n] += w[j] * x
    if mode == "full":
        return full
    if mode == "valid":
        return full[k - 1 : n]
    return full[(k - 1) // 2 : (k - 1) // 2 + n]
