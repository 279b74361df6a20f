"""Bug: "same" puts the extra padded row/column at the top/left; TensorFlow puts it at the bottom/right."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def max_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    x = np.asarray(x)
    if x.ndim != 4 or x.size == 0 or padding not in ("valid", "same"):
        raise ValueError("need a non-empty (N, H, W, C) array and padding 'valid' or 'same'")
    (h, w), (ph, pw) = x.shape[1:3], pool_size
    sh, sw = pool_size if strides is None else strides
    if padding == "same":
        th, tw = max((-(-h // sh) - 1) * sh + ph - h, 0), max((-(-w // sw) - 1) * sw + pw - w, 0)
        x = np.pad(x, ((0, 0), (th - th // 2, th // 2), (tw - tw // 2, tw // 2), (0, 0)), constant_values=x.min())
    elif ph > h or pw > w:
        raise ValueError("the pool does not fit")
    return sliding_window_view(x, (ph, pw), axis=(1, 2))[:, ::sh, ::sw].max(axis=(-2, -1))
