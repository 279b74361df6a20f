"""Bug: "valid" assumes the kernel fits inside the input and returns an empty array when it is larger."""

import numpy as np


def conv2d(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 2 or w.ndim != 2 or x.size == 0 or w.size == 0:
        raise ValueError("conv2d needs two non-empty 2-D arrays")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    (h, wd), (kh, kw) = x.shape, w.shape
    full = np.zeros((h + kh - 1, wd + kw - 1), dtype=np.result_type(x, w))
    for i in range(kh):
        for j in range(kw):
            full[i : i + h, j : j + wd] += w[i, j] * x
    if mode == "full":
        return full
    if mode == "same":
        return full[(kh - 1) // 2 : (kh - 1) // 2 + h, (kw - 1) // 2 : (kw - 1) // 2 + wd]
    if (h < kh) != (wd < kw):
        raise ValueError("neither array fits inside the other")
    return full[kh - 1 : h, kw - 1 : wd]
