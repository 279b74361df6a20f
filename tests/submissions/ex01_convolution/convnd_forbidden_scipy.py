"""Forbidden: imports scipy.signal inside the function and calls its convolve, so every convnd test is withheld."""


def convnd(x, w, mode="full"):
    import scipy.signal

    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    return scipy.signal.convolve(x, w, mode, method="direct")
