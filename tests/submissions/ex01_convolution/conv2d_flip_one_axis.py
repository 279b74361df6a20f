"""Bug: flips the kernel along the rows only; the book's symmetric kernel hides it.

Feedback: is it flipped along both axes?
"""

import numpy as np


def conv2d(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 2 or w.ndim != 2 or x.size == 0 or w.size == 0:
        raise ValueError("conv2d needs two non-empty 2-D arrays")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    (h, wd), (kh, kw) = x.shape, w.shape
    flipped = w[::-1, :]
    padded = np.pad(x, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    full = np.array(
        [[np.sum(padded[i : i + kh, j : j + kw] * flipped) for j in range(wd + kw - 1)] for i in range(h + kh - 1)]
    )
    if mode == "full":
        return full
    if mode == "same":
        return full[(kh - 1) // 2 : (kh - 1) // 2 + h, (kw - 1) // 2 : (kw - 1) // 2 + wd]
    if h >= kh and wd >= kw:
        return full[kh - 1 : h, kw - 1 : wd]
    if kh >= h and kw >= wd:
        return full[h - 1 : kh, wd - 1 : kw]
    raise ValueError("neither array fits inside the other")
