"""Bug: the default padding is "same" instead of Keras's "valid"; every call that names its padding is right.

Feedback: the default stride and padding
"""


def conv_output_size(n, k, stride=1, padding="same"):
    if n < 1 or k < 1 or stride < 1:
        raise ValueError("sizes and strides must be positive")
    if padding == "valid":
        if k > n:
            raise ValueError("the window does not fit")
        return (n - k) // stride + 1
    if padding == "same":
        return -(-n // stride)
    raise ValueError(f"unknown padding {padding!r}")
