"""Bug: steps x itself and undoes the step by adding h back, which leaves rounding errors in x.

Feedback: changed its input
"""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError(f"h must be positive, got {h}")
    point = np.asarray(x, dtype=float)
    grad = np.zeros(point.shape)
    for index in np.ndindex(point.shape):
        point[index] += h
        plus = f(point)
        point[index] -= 2 * h
        minus = f(point)
        point[index] += h
        if np.ndim(plus) != 0 or np.ndim(minus) != 0:
            raise ValueError("f must return a scalar")
        grad[index] = (plus - minus) / (2 * h)
    return grad
