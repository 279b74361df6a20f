"""Bug: "same" uses np.ceil, which returns a float (16.0), not the int a layer size is.

Feedback: expected int (an exact whole number
"""

import numpy as np


def conv_output_size(n, k, stride=1, padding="valid"):
    if n < 1 or k < 1 or stride < 1:
        raise ValueError("sizes and strides must be positive")
    if padding == "valid":
        if k > n:
            raise ValueError("the window does not fit")
        return (n - k) // stride + 1
    if padding == "same":
        return np.ceil(n / stride)
    raise ValueError(f"unknown padding {padding!r}")
