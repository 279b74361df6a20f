"""Bug: "same" divides every window's gradient by the full pool area, counting its padded cells.

Feedback: avg_pool2d_backward(np.ones((1, 2, 2, 1)), np.zeros((1, 3, 3, 1)), padding="same")
"""

import numpy as np


def avg_pool2d_backward(dy, x, pool_size=(2, 2), strides=None, padding="valid"):
    dy, x = np.asarray(dy), np.asarray(x)
    ph, pw = as_pair(pool_size)
    sh, sw = (ph, pw) if strides is None else as_pair(strides)
    if x.ndim != 4 or x.size == 0 or min(ph, pw, sh, sw) < 1 or padding not in ("valid", "same"):
        raise ValueError("need a non-empty (N, H, W, C) x, sizes and strides of at least 1, padding 'valid' or 'same'")
    n, h, w, c = x.shape
    if padding == "same":
        (top, bottom), (left, right) = same_padding(h, ph, sh), same_padding(w, pw, sw)
    elif ph > h or pw > w:
        raise ValueError("the pool does not fit in the input")
    else:
        top = bottom = left = right = 0
    real = np.pad(np.ones((h, w)), ((top, bottom), (left, right)))
    out_h, out_w = (real.shape[0] - ph) // sh + 1, (real.shape[1] - pw) // sw + 1
    if dy.shape != (n, out_h, out_w, c):
        raise ValueError("dy must have the shape of the pooled output")
    dxp = np.zeros((n,) + real.shape + (c,))
    for i in range(out_h):
        for j in range(out_w):
            rows, cols = slice(i * sh, i * sh + ph), slice(j * sw, j * sw + pw)
            dxp[:, rows, cols, :] += dy[:, i : i + 1, j : j + 1, :] / (ph * pw)
    return dxp[:, top : top + h, left : left + w]
