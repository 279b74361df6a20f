"""Forbidden: takes the window maxima from scipy.ndimage.maximum_filter, so every max_pool2d test is withheld."""

import numpy as np
import scipy.ndimage


def max_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    x = np.asarray(x)
    if x.ndim != 4 or padding not in ("valid", "same"):
        raise ValueError("need an (N, H, W, C) array and padding 'valid' or 'same'")
    (ph, pw), (sh, sw) = pool_size, pool_size if strides is None else strides
    filtered = scipy.ndimage.maximum_filter(x, size=(1, ph, pw, 1), origin=(0, -(ph // 2), -(pw // 2), 0))
    return filtered[:, : x.shape[1] - ph + 1 : sh, : x.shape[2] - pw + 1 : sw]
