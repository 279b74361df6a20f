"""Bug: takes each window's maximum over all channels together and sends the gradient to that one channel."""

import numpy as np


def max_pool2d_backward(dy, x, pool_size=(2, 2), strides=None, padding="valid"):
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
    xp = np.pad(x.astype(float), ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=-np.inf)
    out_h, out_w = (xp.shape[1] - ph) // sh + 1, (xp.shape[2] - pw) // sw + 1
    if dy.shape != (n, out_h, out_w, c):
        raise ValueError("dy must have the shape of the pooled output")
    dxp = np.zeros(xp.shape)
    for b in range(n):
        for i in range(out_h):
            for j in range(out_w):
                window = xp[b, i * sh : i * sh + ph, j * sw : j * sw + pw, :]
                p, q, ch = np.unravel_index(np.argmax(window), window.shape)
                dxp[b, i * sh + p, j * sw + q, ch] += dy[b, i, j, ch]
    return dxp[:, top : top + h, left : left + w]
