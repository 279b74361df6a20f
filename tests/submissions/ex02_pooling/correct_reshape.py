"""Correct: pad with NaN where TensorFlow pads, gather the windows by fancy indexing, reduce with nanmax/nanmean."""

import numpy as np


def _windows(x, pool_size, strides, padding):
    """x as float64, padded with NaN as TensorFlow pads it, gathered into (N, rows, ph, cols, pw, C) windows."""
    x = np.asarray(x)
    if x.ndim != 4 or x.size == 0 or padding not in ("valid", "same"):
        raise ValueError(f"need a non-empty (N, H, W, C) x and padding valid or same, not {x.shape}, {padding!r}")
    strides = pool_size if strides is None else strides
    counts, pads = [], [(0, 0)]
    for n, k, s in zip(x.shape[1:3], pool_size, strides):
        if padding == "valid" and k > n:
            raise ValueError(f"a pool of {k} does not fit in {n} cells")
        count = -(-n // s) if padding == "same" else (n - k) // s + 1
        total = max((count - 1) * s + k - n, 0)
        counts.append(count)
        pads.append((total // 2, total - total // 2))
    padded = np.pad(x.astype(np.float64), pads + [(0, 0)], constant_values=np.nan)
    rows = (np.arange(counts[0]) * strides[0])[:, None] + np.arange(pool_size[0])
    cols = (np.arange(counts[1]) * strides[1])[:, None] + np.arange(pool_size[1])
    return padded[:, rows[:, :, None, None], cols[None, None, :, :], :]


def max_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    return np.nanmax(_windows(x, pool_size, strides, padding), axis=(2, 4)).astype(np.asarray(x).dtype)


def avg_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    mean = np.nanmean(_windows(x, pool_size, strides, padding), axis=(2, 4))
    return mean.astype(np.float32) if np.asarray(x).dtype == np.float32 else mean
