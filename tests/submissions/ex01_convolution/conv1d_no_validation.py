"""Bug: never checks its arguments; an unknown mode silently gives the full result."""

import numpy as np


def conv1d(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    if w.size > x.size:
        x, w = w, x
    n, k = x.size, w.size
    full = np.zeros(n + k - 1, dtype=np.result_type(x, w))
    for j in range(k):
        full[j : j + n] += w[j] * x
    if mode == "valid":
        return full[k - 1 : n]
    if mode == "same":
        return full[(k - 1) // 2 : (k - 1) // 2 + n]
    return full
