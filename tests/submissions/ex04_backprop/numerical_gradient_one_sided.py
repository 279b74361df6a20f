"""Bug: a one-sided difference (f(x + h e_i) - f(x)) / h, whose error shrinks like h, not h².

Feedback: central, not one-sided
"""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError(f"h must be positive, got {h}")
    point = np.array(x, dtype=float)
    grad = np.zeros(point.shape)
    for index in np.ndindex(point.shape):
        saved = point[index]
        point[index] = saved + h
        plus = f(point)
        point[index] = saved
        minus = f(point)
        if np.ndim(plus) != 0 or np.ndim(minus) != 0:
            raise ValueError("f must return a scalar")
        grad[index] = (plus - minus) / h
    return grad
