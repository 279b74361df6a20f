"""Bug: dbias is the mean of dy over batch, rows and columns, not the sum."""

import numpy as np


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
    return dxp[:, top : top + h, left : left + w], dkernel, dy.mean(axis=(0, 1, 2))
