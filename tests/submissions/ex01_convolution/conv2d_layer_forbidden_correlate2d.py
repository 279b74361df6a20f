"""Forbidden: builds the layer from scipy.signal.correlate2d, so every conv2d_layer test is withheld."""

import numpy as np
from scipy import signal


def conv2d_layer(x, kernel, bias=None, strides=(1, 1), padding="valid", activation=None):
    x, kernel = np.asarray(x), np.asarray(kernel)
    if x.ndim != 4 or kernel.ndim != 4 or x.shape[3] != kernel.shape[2]:
        raise ValueError("x must be (N, H, W, C) and kernel (kh, kw, C, filters)")
    (h, w), (kh, kw), (sh, sw) = x.shape[1:3], kernel.shape[:2], strides
    if padding == "same":
        ph, pw = max((-(-h // sh) - 1) * sh + kh - h, 0), max((-(-w // sw) - 1) * sw + kw - w, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    out = np.stack(
        [
            np.stack(
                [
                    sum(signal.correlate2d(image[:, :, c], kernel[:, :, c, f], "valid") for c in range(x.shape[3]))
                    for f in range(kernel.shape[3])
                ],
                axis=-1,
            )
            for image in x
        ]
    )[:, ::sh, ::sw]
    if bias is not None:
        out = out + bias
    return np.maximum(out, 0) if activation == "relu" else out
