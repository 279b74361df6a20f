"""Bug: dx as a full correlation of dy with the kernel as it is, not rotated by 180 degrees.

Feedback: through the kernel cell it used
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


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
    rotated = kernel
    full = np.einsum("nhwoij,ijco->nhwc", sliding_window_view(spread, (kh, kw), axis=(1, 2)), rotated)
    dxp = np.zeros(xp.shape)
    dxp[:, : full.shape[1], : full.shape[2]] = full
    return dxp[:, top : top + h, left : left + w], dkernel, dy.sum(axis=(0, 1, 2))
