"""Bug: slides the kernel without flipping it (cross-correlation) in n dimensions.

Feedback: is it flipped along every axis?
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def convnd(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != w.ndim or x.ndim == 0 or x.size == 0 or w.size == 0:
        raise ValueError("convnd needs two non-empty arrays with the same number of dimensions")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    padded = np.pad(x, [(k - 1, k - 1) for k in w.shape])
    full = np.tensordot(sliding_window_view(padded, w.shape), w, axes=w.ndim)
    if mode == "full":
        return full
    if mode == "same":
        return full[tuple(slice((k - 1) // 2, (k - 1) // 2 + n) for n, k in zip(x.shape, w.shape))]
    if all(n >= k for n, k in zip(x.shape, w.shape)):
        return full[tuple(slice(k - 1, n) for n, k in zip(x.shape, w.shape))]
    if all(k >= n for n, k in zip(x.shape, w.shape)):
        return full[tuple(slice(n - 1, k) for n, k in zip(x.shape, w.shape))]
    raise ValueError("neither array fits inside the other")
