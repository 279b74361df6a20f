"""2-D convolution: the course's vectorised NumPy solution against SciPy, FFT, TensorFlow and a naive loop.

Each row times one input size and kernel size; ratios are taken inside one run so a noisy machine still compares
fairly. Goal: the vectorised solution within 3x of scipy.signal.convolve2d for inputs of 64x64 and up.
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import best_time, solution_namespace

SIZES = (8, 32, 64, 128, 256, 512)
KERNELS = (3, 7, 15)
GOAL_RATIO = 3.0
GOAL_FROM_SIZE = 64
#: The naive loop runs only while it is quick enough to time (n² k² Python multiplications).
NAIVE_MAX_WORK = 2_000_000


def naive_conv2d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Full 2-D convolution with four Python loops; x : (H, W), w : (kh, kw) -> (H + kh - 1, W + kw - 1)."""
    kh, kw = w.shape
    out = np.zeros((x.shape[0] + kh - 1, x.shape[1] + kw - 1))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            for a in range(kh):
                for b in range(kw):
                    out[i + a, j + b] += x[i, j] * w[a, b]
    return out


def run(quick: bool = False) -> dict:
    import tensorflow as tf
    from scipy.signal import convolve2d, fftconvolve

    conv2d = solution_namespace("ex01_convolution")["conv2d"]
    rng = np.random.default_rng(0)
    sizes = SIZES[:4] if quick else SIZES
    rows = []
    for n in sizes:
        for k in KERNELS:
            if k > n:
                continue
            x = rng.normal(size=(n, n))
            w = rng.normal(size=(k, k))
            expected = convolve2d(x, w)
            np.testing.assert_allclose(conv2d(x, w), expected, atol=1e-8)
            x_tf = tf.constant(x.reshape(1, n, n, 1), tf.float64)
            w_tf = tf.constant(w[::-1, ::-1].reshape(k, k, 1, 1), tf.float64)
            pad = [[0, 0], [k - 1, k - 1], [k - 1, k - 1], [0, 0]]
            np.testing.assert_allclose(tf.nn.conv2d(x_tf, w_tf, 1, pad).numpy()[0, :, :, 0], expected, atol=1e-8)
            times = {
                "course (NumPy)": best_time(lambda: conv2d(x, w)),
                "scipy convolve2d": best_time(lambda: convolve2d(x, w)),
                "scipy fftconvolve": best_time(lambda: fftconvolve(x, w)),
                "tf.nn.conv2d": best_time(lambda: tf.nn.conv2d(x_tf, w_tf, 1, pad).numpy()),
            }
            if n * n * k * k <= NAIVE_MAX_WORK:
                times["naive loops"] = best_time(lambda: naive_conv2d(x, w), repeats=2)
            ratio = times["course (NumPy)"] / times["scipy convolve2d"]
            rows.append(
                {
                    "input": f"{n}x{n}",
                    "kernel": f"{k}x{k}",
                    **{name: f"{seconds * 1e3:.3f} ms" for name, seconds in times.items()},
                    "course / scipy": round(ratio, 2),
                    "naive / course": round(times["naive loops"] / times["course (NumPy)"])
                    if "naive loops" in times
                    else "",
                    "_ratio": ratio,
                    "_n": n,
                }
            )
    judged = [row["_ratio"] for row in rows if row["_n"] >= GOAL_FROM_SIZE]
    worst = max(judged) if judged else float("nan")
    for row in rows:
        del row["_ratio"], row["_n"]
    return {
        "title": "2-D convolution (full mode, float64)",
        "rows": rows,
        "goal": f"course solution within {GOAL_RATIO:g}x of scipy.signal.convolve2d "
        f"for inputs >= {GOAL_FROM_SIZE}x{GOAL_FROM_SIZE}",
        "met": bool(worst <= GOAL_RATIO),
        "summary": f"worst course/scipy ratio for inputs >= {GOAL_FROM_SIZE}x{GOAL_FROM_SIZE}: {worst:.2f}",
    }
