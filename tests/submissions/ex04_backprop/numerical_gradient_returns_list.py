"""Bug: collects the partial derivatives in a Python list and returns the list.

Feedback: returned a list, expected a NumPy array
"""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError(f"h must be positive, got {h}")
    point = np.array(x, dtype=float)
    grad = []
    for index in np.ndindex(point.shape):
        saved = point[index]
        point[index] = saved + h
        plus = f(point)
        point[index] = saved - h
        minus = f(point)
        point[index] = saved
        if np.ndim(plus) != 0 or np.ndim(minus) != 0:
            raise ValueError("f must return a scalar")
        grad.append((plus - minus) / (2 * h))
    return grad
