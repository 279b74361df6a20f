"""Bug: "same" pads k // 2 cells on both sides (symmetric padding), which gives one cell too many for even k."""


def conv_output_size(n, k, stride=1, padding="valid"):
    if n < 1 or k < 1 or stride < 1:
        raise ValueError("sizes and strides must be positive")
    if padding == "same":
        n, padding = n + 2 * (k // 2), "valid"
    if padding == "valid":
        if k > n:
            raise ValueError("the window does not fit")
        return (n - k) // stride + 1
    raise ValueError(f"unknown padding {padding!r}")
