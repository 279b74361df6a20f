"""Planted copy of ../../submissions/ex01_convolution/correct_loops.py: every local name changed, nothing else."""

import numpy as np


def conv1d(x, w, mode="full"):
    sig, ker = np.asarray(x), np.asarray(w)
    if sig.ndim != 1 or ker.ndim != 1 or len(sig) == 0 or len(ker) == 0:
        raise ValueError("conv1d needs two non-empty 1-D arrays")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    length, size = len(sig), len(ker)
    result = np.zeros(length + size - 1, dtype=np.result_type(sig, ker))
    for out_pos in range(length + size - 1):
        for in_pos in range(length):
            if 0 <= out_pos - in_pos < size:
                result[out_pos] += sig[in_pos] * ker[out_pos - in_pos]
    big, small = max(length, size), min(length, size)
    if mode == "full":
        return result
    if mode == "valid":
        return result[small - 1 : big]
    first = (small - 1) // 2
    return result[first : first + big]


def conv2d(x, w, mode="full"):
    img, filt = np.asarray(x), np.asarray(w)
    if img.ndim != 2 or filt.ndim != 2 or img.size == 0 or filt.size == 0:
        raise ValueError("conv2d needs two non-empty 2-D arrays")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    (rows, cols), (fr, fc) = img.shape, filt.shape
    acc = np.zeros((rows + fr - 1, cols + fc - 1), dtype=np.result_type(img, filt))
    for r in range(rows):
        for c in range(cols):
            acc[r : r + fr, c : c + fc] += img[r, c] * filt
    if mode == "full":
        return acc
    if mode == "same":
        return acc[(fr - 1) // 2 : (fr - 1) // 2 + rows, (fc - 1) // 2 : (fc - 1) // 2 + cols]
    if rows >= fr and cols >= fc:
        return acc[fr - 1 : rows, fc - 1 : cols]
    if fr >= rows and fc >= cols:
        return acc[rows - 1 : fr, cols - 1 : fc]
    raise ValueError("for 'valid' one array must be at least as large as the other along both axes")


def convnd(x, w, mode="full"):
    a, b = np.asarray(x), np.asarray(w)
    if a.ndim != b.ndim or a.ndim == 0 or a.size == 0 or b.size == 0:
        raise ValueError("convnd needs two non-empty arrays with the same number of dimensions")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    total = np.zeros([p + q - 1 for p, q in zip(a.shape, b.shape)], dtype=np.result_type(a, b))
    for pos in np.ndindex(*a.shape):
        total[tuple(slice(s, s + q) for s, q in zip(pos, b.shape))] += a[pos] * b
    if mode == "full":
        return total
    if mode == "same":
        return total[tuple(slice((q - 1) // 2, (q - 1) // 2 + p) for p, q in zip(a.shape, b.shape))]
    if all(p >= q for p, q in zip(a.shape, b.shape)):
        return total[tuple(slice(q - 1, p) for p, q in zip(a.shape, b.shape))]
    if all(q >= p for p, q in zip(a.shape, b.shape)):
        return total[tuple(slice(p - 1, q) for p, q in zip(a.shape, b.shape))]
    raise ValueError("for 'valid' one array must be at least as large as the other along every axis")


def conv_output_size(n, k, stride=1, padding="valid"):
    if n < 1 or k < 1 or stride < 1:
        raise ValueError("sizes and strides must be at least 1")
    if padding == "same":
        steps, offset = 0, 0
        while offset < n:
            steps, offset = steps + 1, offset + stride
        return steps
    if padding != "valid":
        raise ValueError(f"unknown padding {padding!r}")
    if k > n:
        raise ValueError("the window is larger than the input")
    steps, offset = 0, 0
    while offset + k <= n:
        steps, offset = steps + 1, offset + stride
    return steps


def conv2d_layer(x, kernel, bias=None, strides=(1, 1), padding="valid", activation=None):
    inp, kern = np.asarray(x, dtype=float), np.asarray(kernel, dtype=float)
    if inp.ndim != 4 or kern.ndim != 4 or inp.size == 0 or kern.size == 0:
        raise ValueError("x must be (N, H, W, C) and kernel (kh, kw, Cin, Cout), both non-empty")
    if inp.shape[3] != kern.shape[2]:
        raise ValueError("the kernel's input channels differ from x's channels")
    if bias is not None and np.shape(bias) != (kern.shape[3],):
        raise ValueError("bias must have one value per filter")
    if padding not in ("valid", "same") or activation not in (None, "relu"):
        raise ValueError("padding must be 'valid' or 'same' and activation None or 'relu'")
    batch, height, width, _ = inp.shape
    khh, kww, _, nfilt = kern.shape
    step_h, step_w = strides
    if padding == "same":
        out_h, out_w = -(-height // step_h), -(-width // step_w)
        pad_h, pad_w = max((out_h - 1) * step_h + khh - height, 0), max((out_w - 1) * step_w + kww - width, 0)
        bigger = np.zeros((batch, height + pad_h, width + pad_w, inp.shape[3]))
        bigger[:, pad_h // 2 : pad_h // 2 + height, pad_w // 2 : pad_w // 2 + width] = inp
        inp = bigger
    else:
        if khh > height or kww > width:
            raise ValueError("the kernel is larger than the input")
        out_h, out_w = (height - khh) // step_h + 1, (width - kww) // step_w + 1
    res = np.zeros((batch, out_h, out_w, nfilt))
    for bi in range(batch):
        for oi in range(out_h):
            for oj in range(out_w):
                patch = inp[bi, oi * step_h : oi * step_h + khh, oj * step_w : oj * step_w + kww, :]
                for fi in range(nfilt):
                    res[bi, oi, oj, fi] = np.sum(patch * kern[:, :, :, fi])
    if bias is not None:
        res += bias
    if activation == "relu":
        res[res < 0] = 0
    return res
