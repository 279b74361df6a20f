"""Planted copy of ../../submissions/ex01_convolution/correct_loops.py: comments, docstrings and blank lines added."""

import numpy as np


def conv1d(x, w, mode="full"):
    """My 1-D convolution: I slide the flipped kernel along the signal."""
    # make sure we work with arrays
    x, w = np.asarray(x), np.asarray(w)

    # check the inputs first
    if x.ndim != 1 or w.ndim != 1 or len(x) == 0 or len(w) == 0:
        raise ValueError("conv1d needs two non-empty 1-D arrays")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")

    n, k = len(x), len(w)  # lengths of the signal and of the kernel
    full = np.zeros(n + k - 1, dtype=np.result_type(x, w))  # output of the full convolution
    # every output position i gets the sum over input positions j
    for i in range(n + k - 1):
        for j in range(n):
            if 0 <= i - j < k:  # only where the kernel overlaps
                full[i] += x[j] * w[i - j]

    # now cut the full result down to the requested mode
    longer, shorter = max(n, k), min(n, k)
    if mode == "full":
        return full
    if mode == "valid":
        return full[shorter - 1 : longer]  # complete overlaps only
    start = (shorter - 1) // 2  # centred, like np.convolve
    return full[start : start + longer]


def conv2d(x, w, mode="full"):
    """2-D version: add a scaled copy of the kernel for every pixel."""
    x, w = np.asarray(x), np.asarray(w)
    # validation
    if x.ndim != 2 or w.ndim != 2 or x.size == 0 or w.size == 0:
        raise ValueError("conv2d needs two non-empty 2-D arrays")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")

    (h, wd), (kh, kw) = x.shape, w.shape
    full = np.zeros((h + kh - 1, wd + kw - 1), dtype=np.result_type(x, w))
    # scatter: each input pixel adds x[i, j] * w at its place
    for i in range(h):
        for j in range(wd):
            full[i : i + kh, j : j + kw] += x[i, j] * w

    if mode == "full":
        return full
    if mode == "same":
        # centre crop
        return full[(kh - 1) // 2 : (kh - 1) // 2 + h, (kw - 1) // 2 : (kw - 1) // 2 + wd]
    # valid: whichever array is larger
    if h >= kh and wd >= kw:
        return full[kh - 1 : h, kw - 1 : wd]
    if kh >= h and kw >= wd:
        return full[h - 1 : kh, wd - 1 : kw]
    raise ValueError("for 'valid' one array must be at least as large as the other along both axes")


def convnd(x, w, mode="full"):
    """Any number of dimensions, same idea as conv2d."""
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != w.ndim or x.ndim == 0 or x.size == 0 or w.size == 0:
        raise ValueError("convnd needs two non-empty arrays with the same number of dimensions")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")

    # output shape of the full convolution
    full = np.zeros([n + k - 1 for n, k in zip(x.shape, w.shape)], dtype=np.result_type(x, w))
    for index in np.ndindex(*x.shape):  # every input position
        full[tuple(slice(i, i + k) for i, k in zip(index, w.shape))] += x[index] * w

    if mode == "full":
        return full
    if mode == "same":
        return full[tuple(slice((k - 1) // 2, (k - 1) // 2 + n) for n, k in zip(x.shape, w.shape))]
    if all(n >= k for n, k in zip(x.shape, w.shape)):
        return full[tuple(slice(k - 1, n) for n, k in zip(x.shape, w.shape))]
    if all(k >= n for n, k in zip(x.shape, w.shape)):
        return full[tuple(slice(n - 1, k) for n, k in zip(x.shape, w.shape))]
    raise ValueError("for 'valid' one array must be at least as large as the other along every axis")


def conv_output_size(n, k, stride=1, padding="valid"):
    """Count the window positions one by one."""
    if n < 1 or k < 1 or stride < 1:
        raise ValueError("sizes and strides must be at least 1")
    if padding == "same":
        # same padding: one output per stride step that starts inside the input
        count, start = 0, 0
        while start < n:
            count, start = count + 1, start + stride
        return count
    if padding != "valid":
        raise ValueError(f"unknown padding {padding!r}")
    if k > n:
        raise ValueError("the window is larger than the input")
    # valid padding: the window must fit completely
    count, start = 0, 0
    while start + k <= n:
        count, start = count + 1, start + stride
    return count


def conv2d_layer(x, kernel, bias=None, strides=(1, 1), padding="valid", activation=None):
    """Forward pass of a Conv2D layer, with loops."""
    x, kernel = np.asarray(x, dtype=float), np.asarray(kernel, dtype=float)
    # shapes
    if x.ndim != 4 or kernel.ndim != 4 or x.size == 0 or kernel.size == 0:
        raise ValueError("x must be (N, H, W, C) and kernel (kh, kw, Cin, Cout), both non-empty")
    if x.shape[3] != kernel.shape[2]:
        raise ValueError("the kernel's input channels differ from x's channels")
    if bias is not None and np.shape(bias) != (kernel.shape[3],):
        raise ValueError("bias must have one value per filter")
    if padding not in ("valid", "same") or activation not in (None, "relu"):
        raise ValueError("padding must be 'valid' or 'same' and activation None or 'relu'")

    n, h, w, _ = x.shape
    kh, kw, _, filters = kernel.shape
    sh, sw = strides
    if padding == "same":
        # TensorFlow puts the extra row/column at the bottom/right
        oh, ow = -(-h // sh), -(-w // sw)
        ph, pw = max((oh - 1) * sh + kh - h, 0), max((ow - 1) * sw + kw - w, 0)
        padded = np.zeros((n, h + ph, w + pw, x.shape[3]))
        padded[:, ph // 2 : ph // 2 + h, pw // 2 : pw // 2 + w] = x
        x = padded
    else:
        if kh > h or kw > w:
            raise ValueError("the kernel is larger than the input")
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1

    out = np.zeros((n, oh, ow, filters))
    # loop over images, output rows, output columns and filters
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                window = x[b, i * sh : i * sh + kh, j * sw : j * sw + kw, :]
                for f in range(filters):
                    out[b, i, j, f] = np.sum(window * kernel[:, :, :, f])
    if bias is not None:
        out += bias  # one bias per filter
    if activation == "relu":
        out[out < 0] = 0
    return out
