"""Bug: steps every entry of x at once, so every entry gets the slope along the diagonal direction."""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError(f"h must be positive, got {h}")
    point = np.array(x, dtype=float)
    grad = np.zeros(point.shape)
    for index in np.ndindex(point.shape):
        plus, minus = f(point + h), f(point - h)
        if np.ndim(plus) != 0 or np.ndim(minus) != 0:
            raise ValueError("f must return a scalar")
        grad[index] = (plus - minus) / (2 * h)
    return grad
