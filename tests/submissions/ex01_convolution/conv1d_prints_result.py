"""Bug: prints the result instead of returning it, so the function returns None.

Feedback: returned None; did you forget a `return` statement?
"""

import numpy as np


def conv1d(x, w, mode="full"):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1 or w.ndim != 1 or x.size == 0 or w.size == 0:
        raise ValueError("conv1d needs two non-empty 1-D arrays")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    if w.size > x.size:
        x, w = w, x
    n, k = x.size, w.size
    full = np.zeros(n + k - 1, dtype=np.result_type(x, w))
    for j in range(k):
        full[j : j + n] += w[j] * x
    start = {"full": 0, "valid": k - 1, "same": (k - 1) // 2}[mode]
    length = {"full": n + k - 1, "valid": n - k + 1, "same": n}[mode]
    print(full[start : start + length])
