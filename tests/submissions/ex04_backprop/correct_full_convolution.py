"""Correct: dx as the full convolution of the spread-out dy with the kernel, pooling gradients through masks of
each window, numerical gradients on copies of x."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def numerical_gradient(f, x, h=1e-5):
    if h <= 0:
        raise ValueError("the step h must be positive")
    x = np.asarray(x)
    gradient = np.empty(x.shape)
    for index in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[index] = h
        ahead, behind = f(x + step), f(x - step)
        if np.ndim(ahead) or np.ndim(behind):
            raise ValueError("f must return one number")
        gradient[index] = (ahead - behind) / (2 * h)
    return gradient


def conv2d_layer_backward(dy, x, kernel, strides=(1, 1), padding="valid"):
    dy, x, kernel = np.asarray(dy), np.asarray(x), np.asarray(kernel)
    sh, sw = as_pair(strides)
    if x.ndim != 4 or kernel.ndim != 4 or x.shape[3] != kernel.shape[2] or x.size == 0:
        raise ValueError("x must be a non-empty (N, H, W, Cin) array and kernel (kh, kw, Cin, Cout)")
    if sh < 1 or sw < 1:
        raise ValueError("strides must be at least 1")
    n, h, w, _ = x.shape
    kh, kw, _, cout = kernel.shape
    if padding == "same":
        (top, bottom), (left, right) = same_padding(h, kh, sh), same_padding(w, kw, sw)
    elif padding == "valid" and kh <= h and kw <= w:
        top = bottom = left = right = 0
    else:
        raise ValueError("padding must be 'valid' (with a kernel that fits) or 'same'")
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    out_h, out_w = (xp.shape[1] - kh) // sh + 1, (xp.shape[2] - kw) // sw + 1
    if dy.shape != (n, out_h, out_w, cout):
        raise ValueError("dy must have the shape of the layer's output")
    dkernel = np.einsum("nhwcij,nhwo->ijco", sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw], dy)
    # dx: spread dy back to the positions of its windows (zeros between them), then a full convolution with the
    # kernel, i.e. a correlation with the kernel rotated by 180 degrees
    spread = np.zeros((n, (out_h - 1) * sh + 1, (out_w - 1) * sw + 1, cout))
    spread[:, ::sh, ::sw] = dy
    spread = np.pad(spread, ((0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1), (0, 0)))
    rotated = kernel[::-1, ::-1]
    full = np.einsum("nhwoij,ijco->nhwc", sliding_window_view(spread, (kh, kw), axis=(1, 2)), rotated)
    dxp = np.zeros(xp.shape)
    dxp[:, : full.shape[1], : full.shape[2]] = full
    return dxp[:, top : top + h, left : left + w], dkernel, dy.sum(axis=(0, 1, 2))


def max_pool2d_backward(dy, x, pool_size=(2, 2), strides=None, padding="valid"):
    dy = np.asarray(dy)
    ph, pw = as_pair(pool_size)
    sh, sw = (ph, pw) if strides is None else as_pair(strides)
    if np.ndim(x) != 4 or np.size(x) == 0 or min(ph, pw, sh, sw) < 1 or padding not in ("valid", "same"):
        raise ValueError("x must be a non-empty (N, H, W, C) array, sizes and strides >= 1, padding valid or same")
    n, h, w, c = np.shape(x)
    if padding == "valid" and (ph > h or pw > w):
        raise ValueError("the pool is larger than the input")
    windows = pool_windows(x, (ph, pw), (sh, sw), padding)
    if dy.shape != windows.shape[:4]:
        raise ValueError("dy must have the pooled output's shape")
    top, bottom = same_padding(h, ph, sh) if padding == "same" else (0, 0)
    left, right = same_padding(w, pw, sw) if padding == "same" else (0, 0)
    out_h, out_w = dy.shape[1:3]
    dxp = np.zeros((n, h + top + bottom, w + left + right, c))
    # the cells equal to their window's maximum (a padded cell is NaN, never equal) get that window's dy
    part = (windows == np.nanmax(windows, axis=(-2, -1), keepdims=True)) * dy[..., None, None]
    for p in range(ph):
        for q in range(pw):
            dxp[:, p : p + (out_h - 1) * sh + 1 : sh, q : q + (out_w - 1) * sw + 1 : sw] += part[..., p, q]
    return dxp[:, top : top + h, left : left + w]


def avg_pool2d_backward(dy, x, pool_size=(2, 2), strides=None, padding="valid"):
    dy = np.asarray(dy)
    ph, pw = as_pair(pool_size)
    sh, sw = (ph, pw) if strides is None else as_pair(strides)
    if np.ndim(x) != 4 or np.size(x) == 0 or min(ph, pw, sh, sw) < 1 or padding not in ("valid", "same"):
        raise ValueError("x must be a non-empty (N, H, W, C) array, sizes and strides >= 1, padding valid or same")
    n, h, w, c = np.shape(x)
    if padding == "valid" and (ph > h or pw > w):
        raise ValueError("the pool is larger than the input")
    windows = pool_windows(x, (ph, pw), (sh, sw), padding)
    if dy.shape != windows.shape[:4]:
        raise ValueError("dy must have the pooled output's shape")
    top, bottom = same_padding(h, ph, sh) if padding == "same" else (0, 0)
    left, right = same_padding(w, pw, sw) if padding == "same" else (0, 0)
    out_h, out_w = dy.shape[1:3]
    dxp = np.zeros((n, h + top + bottom, w + left + right, c))
    real = ~np.isnan(windows)
    part = real * (dy / real.sum(axis=(-2, -1)))[..., None, None]
    for p in range(ph):
        for q in range(pw):
            dxp[:, p : p + (out_h - 1) * sh + 1 : sh, q : q + (out_w - 1) * sw + 1 : sw] += part[..., p, q]
    return dxp[:, top : top + h, left : left + w]


def fit_kernel(x, y, kernel_size, steps=200, learning_rate=0.1):
    kh, kw = as_pair(kernel_size)
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 4 or x.shape[-1] != 1:
        raise ValueError("x must hold one-channel images (N, H, W, 1)")
    if min(kh, kw) < 1 or kh > x.shape[1] or kw > x.shape[2]:
        raise ValueError("the kernel size must be at least 1 and at most the image size")
    if y.shape != conv2d_layer(x, np.zeros((kh, kw, 1, 1))).shape:
        raise ValueError("y must have the shape of conv2d_layer(x, kernel)")
    if steps < 0:
        raise ValueError("steps must not be negative")
    if learning_rate <= 0:
        raise ValueError("the learning rate must be positive")
    kernel = np.zeros((kh, kw, 1, 1))
    taken = 0
    while taken < steps:
        outputs = conv2d_layer(x, kernel)
        _, dkernel, _ = conv2d_layer_backward(2.0 / outputs.size * (outputs - y), x, kernel)
        kernel -= learning_rate * dkernel
        taken += 1
    return kernel
