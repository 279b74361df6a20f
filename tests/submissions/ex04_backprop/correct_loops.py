"""Correct: every function with plain loops over positions and windows, the way the book explains it."""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError(f"h must be positive, got {h}")
    point = np.array(x, dtype=float)
    grad = np.zeros(point.shape)
    for index in np.ndindex(point.shape):
        saved = point[index]
        point[index] = saved + h
        plus = f(point)
        point[index] = saved - h
        minus = f(point)
        point[index] = saved
        if np.ndim(plus) != 0 or np.ndim(minus) != 0:
            raise ValueError("f must return a scalar")
        grad[index] = (plus - minus) / (2 * h)
    return grad


def conv2d_layer_backward(dy, x, kernel, strides=(1, 1), padding="valid"):
    dy, x, kernel = np.asarray(dy, dtype=float), np.asarray(x, dtype=float), np.asarray(kernel, dtype=float)
    sh, sw = as_pair(strides)
    if x.ndim != 4 or kernel.ndim != 4 or x.shape[3] != kernel.shape[2]:
        raise ValueError("x must be (N, H, W, Cin) and kernel (kh, kw, Cin, Cout) with the same Cin")
    if sh < 1 or sw < 1 or padding not in ("valid", "same"):
        raise ValueError("strides must be at least 1 and padding 'valid' or 'same'")
    n, h, w, _ = x.shape
    kh, kw, _, cout = kernel.shape
    if padding == "same":
        (top, bottom), (left, right) = same_padding(h, kh, sh), same_padding(w, kw, sw)
    elif kh > h or kw > w:
        raise ValueError("the kernel does not fit in the input")
    else:
        top = bottom = left = right = 0
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    out_h, out_w = (xp.shape[1] - kh) // sh + 1, (xp.shape[2] - kw) // sw + 1
    if dy.shape != (n, out_h, out_w, cout):
        raise ValueError(f"dy must have the output's shape {(n, out_h, out_w, cout)}")
    dxp, dkernel = np.zeros(xp.shape), np.zeros(kernel.shape)
    for i in range(out_h):
        for j in range(out_w):
            rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
            dkernel += np.einsum("nabc,no->abco", xp[:, rows, cols, :], dy[:, i, j, :])
            dxp[:, rows, cols, :] += np.einsum("no,abco->nabc", dy[:, i, j, :], kernel)
    return dxp[:, top : top + h, left : left + w], dkernel, dy.sum(axis=(0, 1, 2))


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
                for ch in range(c):
                    window = xp[b, i * sh : i * sh + ph, j * sw : j * sw + pw, ch]
                    p, q = np.unravel_index(np.argmax(window), window.shape)
                    dxp[b, i * sh + p, j * sw + q, ch] += dy[b, i, j, ch]
    return dxp[:, top : top + h, left : left + w]


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
            dxp[:, rows, cols, :] += dy[:, i : i + 1, j : j + 1, :] / real[rows, cols].sum()
    return dxp[:, top : top + h, left : left + w]


def fit_kernel(x, y, kernel_size, steps=200, learning_rate=0.1):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    kh, kw = as_pair(kernel_size)
    if x.ndim != 4 or x.shape[3] != 1 or not (0 < kh <= x.shape[1] and 0 < kw <= x.shape[2]):
        raise ValueError("x must be (N, H, W, 1) and the kernel fit inside it")
    if y.shape != (x.shape[0], x.shape[1] - kh + 1, x.shape[2] - kw + 1, 1):
        raise ValueError("y must have the shape of the valid convolution's output")
    if steps < 0 or learning_rate <= 0:
        raise ValueError("steps must be >= 0 and the learning rate > 0")
    kernel = np.zeros((kh, kw, 1, 1))
    for _ in range(steps):
        error = conv2d_layer(x, kernel) - y
        gradient = conv2d_layer_backward(2 * error / error.size, x, kernel)[1]
        kernel = kernel - learning_rate * gradient
    return kernel
