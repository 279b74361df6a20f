"""Forbidden: calls scipy.signal.convolve2d (imported at the top of the cell), so every conv2d test is withheld."""

import numpy as np
from scipy.signal import convolve2d


def conv2d(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError("conv2d needs 2-D arrays")
    return convolve2d(x, w, mode)
