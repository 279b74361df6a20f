"""Bug: works on a flattened copy of x, so f receives a 1-D vector instead of an array shaped like x."""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError(f"h must be positive, got {h}")
    point = np.array(x, dtype=float).ravel()
    grad = np.zeros(point.shape)
    for index in np.ndindex(point.shape):
        saved = point[index]
        point[index] = saved + h
        plus = f(point)
        point[index] = saved - h
        minus = f(point)
        point[index] = saved
        if np.ndim(plus) != 0 or np.ndim(minus) != 0:
            raise ValueError("f must return a scalar")
        grad[index] = (plus - minus) / (2 * h)
    return grad.reshape(np.shape(x))
