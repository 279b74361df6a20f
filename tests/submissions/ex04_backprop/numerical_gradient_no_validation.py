"""Bug: accepts a step h <= 0 and an f that returns an array."""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    point = np.array(x, dtype=float)
    grad = np.zeros(point.shape)
    for index in np.ndindex(point.shape):
        saved = point[index]
        point[index] = saved + h
        plus = f(point)
        point[index] = saved - h
        minus = f(point)
        point[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad
