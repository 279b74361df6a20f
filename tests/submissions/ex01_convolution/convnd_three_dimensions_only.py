"""Bug: written with three nested loops, so it only handles three-dimensional arrays (like the book's example)."""

import numpy as np


def convnd(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != w.ndim or x.size == 0 or w.size == 0:
        raise ValueError("convnd needs two non-empty arrays with the same number of dimensions")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    (a, b, c), (p, q, r) = x.shape, w.shape
    full = np.zeros((a + p - 1, b + q - 1, c + r - 1), dtype=np.result_type(x, w))
    for i in range(a):
        for j in range(b):
            for k in range(c):
                full[i : i + p, j : j + q, k : k + r] += x[i, j, k] * w
    if mode == "full":
        return full
    if mode == "same":
        return full[(p - 1) // 2 : (p - 1) // 2 + a, (q - 1) // 2 : (q - 1) // 2 + b, (r - 1) // 2 : (r - 1) // 2 + c]
    if a >= p and b >= q and c >= r:
        return full[p - 1 : a, q - 1 : b, r - 1 : c]
    if p >= a and q >= b and r >= c:
        return full[a - 1 : p, b - 1 : q, c - 1 : r]
    raise ValueError("neither array fits inside the other")
