"""Correct: both poolings with plain loops over output positions, each window clipped to the real cells."""

import numpy as np


def _windows(x, pool_size, strides, padding):
    """(row slice, column slice, output row, output column) of every window, clipped to the input."""
    x = np.asarray(x)
    if x.ndim != 4 or x.size == 0:
        raise ValueError(f"x must be a non-empty (N, H, W, C) array, got shape {x.shape}")
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    (h, w), (ph, pw) = x.shape[1:3], pool_size
    sh, sw = pool_size if strides is None else strides
    if padding == "valid":
        if ph > h or pw > w:
            raise ValueError("the pool is larger than the input")
        rows, cols, top, left = (h - ph) // sh + 1, (w - pw) // sw + 1, 0, 0
    else:
        rows, cols = -(-h // sh), -(-w // sw)
        top, left = max((rows - 1) * sh + ph - h, 0) // 2, max((cols - 1) * sw + pw - w, 0) // 2
    for i in range(rows):
        for j in range(cols):
            r0, c0 = i * sh - top, j * sw - left
            yield slice(max(r0, 0), min(r0 + ph, h)), slice(max(c0, 0), min(c0 + pw, w)), i, j, rows, cols


def max_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    x = np.asarray(x)
    out = None
    for r, c, i, j, rows, cols in _windows(x, pool_size, strides, padding):
        if out is None:
            out = np.zeros((x.shape[0], rows, cols, x.shape[3]), dtype=x.dtype)
        out[:, i, j, :] = x[:, r, c, :].max(axis=(1, 2))
    return out


def avg_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    x = np.asarray(x)
    out = None
    for r, c, i, j, rows, cols in _windows(x, pool_size, strides, padding):
        if out is None:
            out = np.zeros((x.shape[0], rows, cols, x.shape[3]), dtype=np.float32 if x.dtype == np.float32 else float)
        out[:, i, j, :] = x[:, r, c, :].mean(axis=(1, 2))
    return out
