"""Receptive fields of a stack of convolution and pooling layers (pooling).

A unit of a layer depends on a block of input pixels, its *receptive field*. Along one axis, a layer that slides a
window of size k with stride s over the layer before it makes the field grow by k - 1 steps of the layer before,
and multiplies the distance between the fields of neighbouring units (the *jump*) by s:

    r_l = r_(l-1) + (k_l - 1) * j_(l-1),    j_l = j_(l-1) * s_l,    from r_0 = j_0 = 1 (one input pixel).
"""

from __future__ import annotations

from collections.abc import Sequence


def receptive_fields(windows: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The receptive field's size and jump after each layer, along one axis.

    windows : one (k, s) per layer: its window size (kernel or pool size) and stride; (1, 1) for a layer that
              works position by position (batch normalization, an activation, a 1 x 1 convolution).
    Returns one (r, j) per layer. With 'valid' padding, unit i of a layer whose field is (r, j) sees the input
    positions i * j to i * j + r - 1; 'same' padding moves the fields by the padding but changes neither r nor j.
    """
    size, jump = 1, 1
    fields = []
    for position, (k, s) in enumerate(windows):
        if int(k) != k or int(s) != s or k < 1 or s < 1:
            raise ValueError(f"layer {position}: window size and stride must be whole numbers >= 1, got ({k}, {s})")
        size, jump = size + (int(k) - 1) * jump, jump * int(s)
        fields.append((size, jump))
    return fields
