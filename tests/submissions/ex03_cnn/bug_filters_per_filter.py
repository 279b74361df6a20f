"""Scales every filter to [0, 1] on its own instead of all filters together."""

import numpy as np


def normalize_filters(weights):
    weights = np.asarray(weights, dtype=float)
    low = weights.min(axis=(0, 1, 2), keepdims=True)
    high = weights.max(axis=(0, 1, 2), keepdims=True)
    return (weights - low) / (high - low)
