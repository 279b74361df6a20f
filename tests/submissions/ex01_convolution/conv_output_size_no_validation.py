"""Bug: never checks its arguments: an unknown padding counts as "valid" and a window larger than n gives 0."""


def conv_output_size(n, k, stride=1, padding="valid"):
    if padding == "same":
        return -(-n // stride)
    return max((n - k) // stride + 1, 0)
