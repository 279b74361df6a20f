"""Bug: sums over the window's rows and columns but reads only the first input channel."""

import numpy as np


def conv2d_layer(x, kernel, bias=None, strides=(1, 1), padding="valid", activation=None):
    x, kernel = np.asarray(x), np.asarray(kernel)
    if x.ndim != 4 or kernel.ndim != 4 or x.size == 0 or kernel.size == 0 or x.shape[3] != kernel.shape[2]:
        raise ValueError("x must be (N, H, W, C) and kernel (kh, kw, C, filters)")
    if bias is not None and np.shape(bias) != (kernel.shape[3],):
        raise ValueError("one bias per filter")
    if padding not in ("valid", "same") or activation not in (None, "relu"):
        raise ValueError("unsupported padding or activation")
    (h, w), (kh, kw), (sh, sw) = x.shape[1:3], kernel.shape[:2], strides
    if padding == "same":
        ph, pw = max((-(-h // sh) - 1) * sh + kh - h, 0), max((-(-w // sw) - 1) * sw + kw - w, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    elif kh > h or kw > w:
        raise ValueError("the kernel does not fit")
    oh, ow = (x.shape[1] - kh) // sh + 1, (x.shape[2] - kw) // sw + 1
    out = np.zeros((x.shape[0], oh, ow, kernel.shape[3]))
    for i in range(oh):
        for j in range(ow):
            out[:, i, j] = np.tensordot(x[:, i * sh : i * sh + kh, j * sw : j * sw + kw, 0], kernel[:, :, 0], axes=2)
    if bias is not None:
        out = out + bias
    return np.maximum(out, 0) if activation == "relu" else out
