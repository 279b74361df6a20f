"""Forbidden: dkernel from scipy.signal.correlate, so every conv2d_layer_backward test is withheld (fit_kernel,
which calls it, keeps its points).

Feedback: uses scipy.signal
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import signal


def conv2d_layer_backward(dy, x, kernel, strides=(1, 1), padding="valid"):
    dy, x, kernel = np.asarray(dy), np.asarray(x), np.asarray(kernel)
    sh, sw = as_pair(strides)
    if x.ndim != 4 or kernel.ndim != 4 or x.size == 0 or x.shape[3] != kernel.shape[2]:
        raise ValueError("x must be a non-empty (N, H, W, Cin) array and kernel (kh, kw, Cin, Cout)")
    if min(sh, sw) < 1 or padding not in ("valid", "same"):
        raise ValueError("strides must be at least 1 and padding 'valid' or 'same'")
    n, h, w, _ = x.shape
    kh, kw = kernel.shape[:2]
    pads = (same_padding(h, kh, sh), same_padding(w, kw, sw)) if padding == "same" else ((0, 0), (0, 0))
    if padding == "valid" and (kh > h or kw > w):
        raise ValueError("the kernel is larger than the input")
    xp = np.pad(x, ((0, 0), *pads, (0, 0)))
    windows = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
    if dy.shape != windows.shape[:3] + (kernel.shape[3],):
        raise ValueError("dy must have the shape of the layer's output")
    out_h, out_w = dy.shape[1:3]
    dkernel = np.zeros(kernel.shape)
    for c in range(x.shape[3]):
        for o in range(kernel.shape[3]):
            dkernel[:, :, c, o] = signal.correlate(xp[..., c], dy[..., o], "valid")[0, :kh, :kw]
    dxp = np.zeros(xp.shape)
    for i in range(kh):
        for j in range(kw):
            part = np.einsum("nhwo,co->nhwc", dy, kernel[i, j])
            dxp[:, i : i + (out_h - 1) * sh + 1 : sh, j : j + (out_w - 1) * sw + 1 : sw] += part
    (top, _), (left, _) = pads
    return dxp[:, top : top + h, left : left + w], dkernel, dy.sum(axis=(0, 1, 2))
