"""Planted copy of ../../submissions/ex01_convolution/correct_fft.py with every disguise at once: names changed,
comments added, the helpers moved below the functions that call them (into other answer cells), a comprehension
turned into a loop and a loop-free expression into a comprehension."""

import math

import numpy as np


def conv1d(x, w, mode="full"):
    # use the FFT helper below
    a, b = np.asarray(x), np.asarray(w)
    _mode_ok(mode)
    if a.ndim != 1 or b.ndim != 1 or not a.size or not b.size:
        raise ValueError("conv1d takes two non-empty 1-D arrays")
    spectrum = _full_by_fft(a, b)
    if mode == "same":  # np.convolve keeps the longer length
        big, small = max(a.size, b.size), min(a.size, b.size)
        return spectrum[(small - 1) // 2 : (small - 1) // 2 + big]
    return _cut(spectrum, a.shape, b.shape, mode, "conv1d")


def conv2d(x, w, mode="full"):
    a, b = np.asarray(x), np.asarray(w)
    _mode_ok(mode)
    # two dimensions only
    if a.ndim != 2 or b.ndim != 2 or not a.size or not b.size:
        raise ValueError("conv2d takes two non-empty 2-D arrays")
    return _cut(_full_by_fft(a, b), a.shape, b.shape, mode, "conv2d")


def _cut(res, a_shape, b_shape, mode, name):
    """Crop the full result to the mode."""
    if mode == "full":
        return res
    if mode == "same":
        return res[tuple(slice((q - 1) // 2, (q - 1) // 2 + p) for p, q in zip(a_shape, b_shape))]
    least = [min(p, q) for p, q in zip(a_shape, b_shape)]
    if not (all(p >= q for p, q in zip(a_shape, b_shape)) or all(q >= p for p, q in zip(a_shape, b_shape))):
        raise ValueError(f"{name}: 'valid' needs one input at least as large as the other in every dimension")
    return res[tuple(slice(s - 1, max(p, q)) for s, p, q in zip(least, a_shape, b_shape))]


def convnd(x, w, mode="full"):
    a, b = np.asarray(x), np.asarray(w)
    _mode_ok(mode)
    if a.ndim != b.ndim or a.ndim < 1 or not a.size or not b.size:
        raise ValueError("convnd takes two non-empty arrays with the same number of dimensions")
    return _cut(_full_by_fft(a, b), a.shape, b.shape, mode, "convnd")


def _full_by_fft(a, b):
    # product of the spectra = convolution
    dims = []
    for p, q in zip(a.shape, b.shape):
        dims.append(p + q - 1)
    every_axis = [axis for axis in range(a.ndim)]
    res = np.fft.irfftn(np.fft.rfftn(a, dims, every_axis) * np.fft.rfftn(b, dims, every_axis), dims, every_axis)
    if np.issubdtype(np.result_type(a, b), np.integer):
        return np.rint(res).astype(np.result_type(a, b))
    return res.astype(np.result_type(a, b, np.float32))


def _mode_ok(mode):
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"mode must be 'full', 'valid' or 'same', not {mode!r}")


def conv_output_size(n, k, stride=1, padding="valid"):
    if min(n, k, stride) < 1:
        raise ValueError("n, k and stride must be positive")
    if padding == "valid" and k <= n:
        return math.floor((n - k) / stride) + 1  # Keras' rule
    if padding == "same":
        return math.ceil(n / stride)
    raise ValueError(f"cannot size a window of {k} over {n} cells with padding {padding!r}")


def conv2d_layer(x, kernel, bias=None, strides=(1, 1), padding="valid", activation=None):
    inp, kern = np.asarray(x), np.asarray(kernel)
    if inp.ndim != 4 or kern.ndim != 4 or not inp.size or not kern.size or inp.shape[-1] != kern.shape[2]:
        raise ValueError(f"incompatible x {inp.shape} and kernel {kern.shape}")
    if bias is not None and np.shape(bias) != kern.shape[-1:]:
        raise ValueError(f"bias of shape {np.shape(bias)} for {kern.shape[-1]} filters")
    if activation not in (None, "relu") or padding not in ("valid", "same"):
        raise ValueError("unsupported activation or padding")
    fh, fw, c_in, c_out = kern.shape
    out_rows = [conv_output_size(inp.shape[1], fh, strides[0], padding)]
    out_cols = [conv_output_size(inp.shape[2], fw, strides[1], padding)]
    if padding == "same":
        # pad bottom/right more, as TensorFlow does
        more_h = max((out_rows[0] - 1) * strides[0] + fh - inp.shape[1], 0)
        more_w = max((out_cols[0] - 1) * strides[1] + fw - inp.shape[2], 0)
        inp = np.pad(inp, [(0, 0), (more_h // 2, more_h - more_h // 2), (more_w // 2, more_w - more_w // 2), (0, 0)])
    # im2col with a loop instead of a list comprehension
    cols = []
    for r in range(out_rows[0]):
        for c in range(out_cols[0]):
            cols.append(inp[:, r * strides[0] : r * strides[0] + fh, c * strides[1] : c * strides[1] + fw, :])
    patches = np.stack(cols, axis=1)
    res = patches.reshape(inp.shape[0], out_rows[0] * out_cols[0], fh * fw * c_in) @ kern.reshape(fh * fw * c_in, c_out)
    res = res.reshape(inp.shape[0], out_rows[0], out_cols[0], c_out)
    if bias is not None:
        res = res + bias
    return np.maximum(res, 0) if activation == "relu" else res
