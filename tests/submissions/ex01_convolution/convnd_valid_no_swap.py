"""Bug: "valid" assumes the kernel fits inside the input along every axis."""

import numpy as np


def convnd(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != w.ndim or x.ndim == 0 or x.size == 0 or w.size == 0:
        raise ValueError("convnd needs two non-empty arrays with the same number of dimensions")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    full = np.zeros([n + k - 1 for n, k in zip(x.shape, w.shape)], dtype=np.result_type(x, w))
    for index in np.ndindex(*w.shape):
        full[tuple(slice(i, i + n) for i, n in zip(index, x.shape))] += w[index] * x
    if mode == "full":
        return full
    if mode == "same":
        return full[tuple(slice((k - 1) // 2, (k - 1) // 2 + n) for n, k in zip(x.shape, w.shape))]
    if any(n < k for n, k in zip(x.shape, w.shape)) and any(n > k for n, k in zip(x.shape, w.shape)):
        raise ValueError("neither array fits inside the other")
    return full[tuple(slice(k - 1, n) for n, k in zip(x.shape, w.shape))]
