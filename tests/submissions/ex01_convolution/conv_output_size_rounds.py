"""Bug: rounds (n - k) / stride to the nearest integer instead of down; right for the book's 23 / 2 by luck."""


def conv_output_size(n, k, stride=1, padding="valid"):
    if n < 1 or k < 1 or stride < 1:
        raise ValueError("sizes and strides must be positive")
    if padding == "valid":
        if k > n:
            raise ValueError("the window does not fit")
        return round((n - k) / stride) + 1
    if padding == "same":
        return -(-n // stride)
    raise ValueError(f"unknown padding {padding!r}")
