"""Correct: convolutions through NumPy's FFT (a product of spectra), the layer as one matrix product (im2col)."""

import math

import numpy as np


def _check_mode(mode):
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"mode must be 'full', 'valid' or 'same', not {mode!r}")


def _fft_full(x, w):
    shape = [n + k - 1 for n, k in zip(x.shape, w.shape)]
    axes = list(range(x.ndim))
    full = np.fft.irfftn(np.fft.rfftn(x, shape, axes) * np.fft.rfftn(w, shape, axes), shape, axes)
    if np.issubdtype(np.result_type(x, w), np.integer):
        return np.rint(full).astype(np.result_type(x, w))
    return full.astype(np.result_type(x, w, np.float32))


def _crop(full, x_shape, w_shape, mode, what):
    if mode == "full":
        return full
    if mode == "same":
        return full[tuple(slice((k - 1) // 2, (k - 1) // 2 + n) for n, k in zip(x_shape, w_shape))]
    small = [min(n, k) for n, k in zip(x_shape, w_shape)]
    if not (all(n >= k for n, k in zip(x_shape, w_shape)) or all(k >= n for n, k in zip(x_shape, w_shape))):
        raise ValueError(f"{what}: 'valid' needs one input at least as large as the other in every dimension")
    return full[tuple(slice(s - 1, max(n, k)) for s, n, k in zip(small, x_shape, w_shape))]


def conv1d(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    _check_mode(mode)
    if x.ndim != 1 or w.ndim != 1 or not x.size or not w.size:
        raise ValueError("conv1d takes two non-empty 1-D arrays")
    full = _fft_full(x, w)
    if mode == "same":  # np.convolve keeps the longer length
        longer, shorter = max(x.size, w.size), min(x.size, w.size)
        return full[(shorter - 1) // 2 : (shorter - 1) // 2 + longer]
    return _crop(full, x.shape, w.shape, mode, "conv1d")


def conv2d(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    _check_mode(mode)
    if x.ndim != 2 or w.ndim != 2 or not x.size or not w.size:
        raise ValueError("conv2d takes two non-empty 2-D arrays")
    return _crop(_fft_full(x, w), x.shape, w.shape, mode, "conv2d")


def convnd(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    _check_mode(mode)
    if x.ndim != w.ndim or x.ndim < 1 or not x.size or not w.size:
        raise ValueError("convnd takes two non-empty arrays with the same number of dimensions")
    return _crop(_fft_full(x, w), x.shape, w.shape, mode, "convnd")


def conv_output_size(n, k, stride=1, padding="valid"):
    if min(n, k, stride) < 1:
        raise ValueError("n, k and stride must be positive")
    if padding == "valid" and k <= n:
        return math.floor((n - k) / stride) + 1
    if padding == "same":
        return math.ceil(n / stride)
    raise ValueError(f"cannot size a window of {k} over {n} cells with padding {padding!r}")


def conv2d_layer(x, kernel, bias=None, strides=(1, 1), padding="valid", activation=None):
    x, kernel = np.asarray(x), np.asarray(kernel)
    if x.ndim != 4 or kernel.ndim != 4 or not x.size or not kernel.size or x.shape[-1] != kernel.shape[2]:
        raise ValueError(f"incompatible x {x.shape} and kernel {kernel.shape}")
    if bias is not None and np.shape(bias) != kernel.shape[-1:]:
        raise ValueError(f"bias of shape {np.shape(bias)} for {kernel.shape[-1]} filters")
    if activation not in (None, "relu") or padding not in ("valid", "same"):
        raise ValueError("unsupported activation or padding")
    kh, kw, cin, cout = kernel.shape
    rows = [conv_output_size(x.shape[1], kh, strides[0], padding)]
    cols = [conv_output_size(x.shape[2], kw, strides[1], padding)]
    if padding == "same":
        extra_h = max((rows[0] - 1) * strides[0] + kh - x.shape[1], 0)
        extra_w = max((cols[0] - 1) * strides[1] + kw - x.shape[2], 0)
        x = np.pad(x, [(0, 0), (extra_h // 2, extra_h - extra_h // 2), (extra_w // 2, extra_w - extra_w // 2), (0, 0)])
    patches = np.stack(
        [
            x[:, i * strides[0] : i * strides[0] + kh, j * strides[1] : j * strides[1] + kw, :]
            for i in range(rows[0])
            for j in range(cols[0])
        ],
        axis=1,
    )
    out = patches.reshape(x.shape[0], rows[0] * cols[0], kh * kw * cin) @ kernel.reshape(kh * kw * cin, cout)
    out = out.reshape(x.shape[0], rows[0], cols[0], cout)
    if bias is not None:
        out = out + bias
    return np.maximum(out, 0) if activation == "relu" else out
