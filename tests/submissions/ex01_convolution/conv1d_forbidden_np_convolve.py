"""Forbidden: hands the work to np.convolve, so every conv1d test is withheld."""

import numpy as np


def conv1d(x, w, mode="full"):
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"unknown mode {mode!r}")
    if len(x) == 0 or len(w) == 0:
        raise ValueError("empty input")
    return np.convolve(x, w, mode)
