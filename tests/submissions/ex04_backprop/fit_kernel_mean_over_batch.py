"""Bug: averages the squared errors over the images only, not over every output."""

import numpy as np


def fit_kernel(x, y, kernel_size, steps=200, learning_rate=0.1):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    kh, kw = as_pair(kernel_size)
    if x.ndim != 4 or x.shape[3] != 1 or not (0 < kh <= x.shape[1] and 0 < kw <= x.shape[2]):
        raise ValueError("x must be (N, H, W, 1) and the kernel fit inside it")
    if y.shape != (x.shape[0], x.shape[1] - kh + 1, x.shape[2] - kw + 1, 1):
        raise ValueError("y must have the shape of the valid convolution's output")
    if steps < 0 or learning_rate <= 0:
        raise ValueError("steps must be >= 0 and the learning rate > 0")
    kernel = np.zeros((kh, kw, 1, 1))
    for _ in range(steps):
        error = conv2d_layer(x, kernel) - y
        gradient = conv2d_layer_backward(2 * error / len(x), x, kernel)[1]
        kernel = kernel - learning_rate * gradient
    return kernel
