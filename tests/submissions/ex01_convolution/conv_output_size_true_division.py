"""Bug: divides with / instead of //, so the size is a float and is fractional when the stride does not divide."""


def conv_output_size(n, k, stride=1, padding="valid"):
    if n < 1 or k < 1 or stride < 1:
        raise ValueError("sizes and strides must be positive")
    if padding == "valid":
        if k > n:
            raise ValueError("the window does not fit")
        return (n - k) / stride + 1
    if padding == "same":
        return -(-n // stride)
    raise ValueError(f"unknown padding {padding!r}")
