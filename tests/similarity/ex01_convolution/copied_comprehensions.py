"""Planted copy of ../../submissions/ex01_convolution/correct_loops.py: its loops rewritten as comprehensions."""

import numpy as np


def conv1d(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1 or w.ndim != 1 or len(x) == 0 or len(w) == 0:
        raise ValueError("conv1d needs two non-empty 1-D arrays")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    n, k = len(x), len(w)
    full = np.array(
        [sum(x[j] * w[i - j] for j in range(n) if 0 <= i - j < k) for i in range(n + k - 1)],
        dtype=np.result_type(x, w),
    )
    longer, shorter = max(n, k), min(n, k)
    if mode == "full":
        return full
    if mode == "valid":
        return full[shorter - 1 : longer]
    start = (shorter - 1) // 2
    return full[start : start + longer]


def conv2d(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 2 or w.ndim != 2 or x.size == 0 or w.size == 0:
        raise ValueError("conv2d needs two non-empty 2-D arrays")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    (h, wd), (kh, kw) = x.shape, w.shape
    full = np.zeros((h + kh - 1, wd + kw - 1), dtype=np.result_type(x, w))
    [full[i : i + kh, j : j + kw].__iadd__(x[i, j] * w) for i in range(h) for j in range(wd)]
    if mode == "full":
        return full
    if mode == "same":
        return full[(kh - 1) // 2 : (kh - 1) // 2 + h, (kw - 1) // 2 : (kw - 1) // 2 + wd]
    if h >= kh and wd >= kw:
        return full[kh - 1 : h, kw - 1 : wd]
    if kh >= h and kw >= wd:
        return full[h - 1 : kh, wd - 1 : kw]
    raise ValueError("for 'valid' one array must be at least as large as the other along both axes")


def convnd(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != w.ndim or x.ndim == 0 or x.size == 0 or w.size == 0:
        raise ValueError("convnd needs two non-empty arrays with the same number of dimensions")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    full = np.zeros([n + k - 1 for n, k in zip(x.shape, w.shape)], dtype=np.result_type(x, w))
    for index in np.ndindex(*x.shape):
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
    if n < 1 or k < 1 or stride < 1:
        raise ValueError("sizes and strides must be at least 1")
    if padding == "same":
        return len([start for start in range(0, n, stride)])
    if padding != "valid":
        raise ValueError(f"unknown padding {padding!r}")
    if k > n:
        raise ValueError("the window is larger than the input")
    return len([start for start in range(0, n, stride) if start + k <= n])


def conv2d_layer(x, kernel, bias=None, strides=(1, 1), padding="valid", activation=None):
    x, kernel = np.asarray(x, dtype=float), np.asarray(kernel, dtype=float)
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
        oh, ow = -(-h // sh), -(-w // sw)
        ph, pw = max((oh - 1) * sh + kh - h, 0), max((ow - 1) * sw + kw - w, 0)
        padded = np.zeros((n, h + ph, w + pw, x.shape[3]))
        padded[:, ph // 2 : ph // 2 + h, pw // 2 : pw // 2 + w] = x
        x = padded
    else:
        if kh > h or kw > w:
            raise ValueError("the kernel is larger than the input")
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.array(
        [
            [
                [
                    [
                        np.sum(x[b, i * sh : i * sh + kh, j * sw : j * sw + kw, :] * kernel[:, :, :, f])
                        for f in range(filters)
                    ]
                    for j in range(ow)
                ]
                for i in range(oh)
            ]
            for b in range(n)
        ]
    ).reshape(n, oh, ow, filters)
    if bias is not None:
        out += bias
    if activation == "relu":
        out[out < 0] = 0
    return out
