"""Bug: divides the window sums with //, so averages are rounded down to whole numbers."""

import numpy as np


def avg_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    x = np.asarray(x)
    if x.ndim != 4 or x.size == 0 or padding not in ("valid", "same"):
        raise ValueError("need a non-empty (N, H, W, C) array and padding 'valid' or 'same'")
    (h, w), (ph, pw) = x.shape[1:3], pool_size
    sh, sw = pool_size if strides is None else strides
    if padding == "valid":
        if ph > h or pw > w:
            raise ValueError("the pool does not fit")
        rows, cols, top, left = (h - ph) // sh + 1, (w - pw) // sw + 1, 0, 0
    else:
        rows, cols = -(-h // sh), -(-w // sw)
        top, left = max((rows - 1) * sh + ph - h, 0) // 2, max((cols - 1) * sw + pw - w, 0) // 2
    out = np.zeros((x.shape[0], rows, cols, x.shape[3]), dtype=np.float32 if x.dtype == np.float32 else np.float64)
    for i in range(rows):
        for j in range(cols):
            r, c = i * sh - top, j * sw - left
            window = x[:, max(r, 0) : r + ph, max(c, 0) : c + pw]
            out[:, i, j] = window.sum(axis=(1, 2)) // (window.shape[1] * window.shape[2])
    return out
