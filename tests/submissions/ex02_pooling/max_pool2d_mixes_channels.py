"""Bug: takes the maximum over the window and over all channels, so every channel gets the same value."""

import numpy as np


def max_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    x = np.asarray(x)
    if x.ndim != 4 or x.size == 0 or padding not in ("valid", "same"):
        raise ValueError("need a non-empty (N, H, W, C) array and padding 'valid' or 'same'")
    (h, w), (ph, pw) = x.shape[1:3], pool_size
    sh, sw = pool_size if strides is None else strides
    if padding == "same":
        th, tw = max((-(-h // sh) - 1) * sh + ph - h, 0), max((-(-w // sw) - 1) * sw + pw - w, 0)
        x = np.pad(x, ((0, 0), (th // 2, th - th // 2), (tw // 2, tw - tw // 2), (0, 0)), constant_values=x.min())
    elif ph > h or pw > w:
        raise ValueError("the pool does not fit")
    rows, cols = (x.shape[1] - ph) // sh + 1, (x.shape[2] - pw) // sw + 1
    out = np.empty((x.shape[0], rows, cols, x.shape[3]), dtype=x.dtype)
    for i in range(rows):
        for j in range(cols):
            out[:, i, j, :] = x[:, i * sh : i * sh + ph, j * sw : j * sw + pw, :].max(axis=(1, 2, 3))[:, None]
    return out
