"""Does receptive_fields give the input pixels each unit of a stack of layers sees?"""

import pytest

from course_utils.receptive_field import receptive_fields


def brute_force(windows, units=4):
    """The input positions unit 0..units-1 of the last layer depend on, found by following every window back."""
    seen = [{i} for i in range(1000)]  # layer 0: each position sees itself
    for k, s in windows:
        seen = [set().union(*(seen[i * s + p] for p in range(k))) for i in range((len(seen) - k) // s + 1)]
    return seen[:units]


@pytest.mark.parametrize(
    "windows",
    [
        [(3, 1)],
        [(3, 1), (3, 1), (3, 1)],
        [(9, 2), (2, 2), (1, 1), (3, 1), (2, 2)],
        [(5, 3), (4, 2), (2, 1)],
    ],
)
def test_does_each_unit_see_the_block_of_inputs_found_by_brute_force(windows):
    fields = receptive_fields(windows)
    for depth in range(1, len(windows) + 1):
        size, jump = fields[depth - 1]
        for unit, inputs in enumerate(brute_force(windows[:depth])):
            assert inputs == set(range(unit * jump, unit * jump + size)), (windows[:depth], unit)


def test_do_three_3x3_convolutions_see_7_pixels_like_one_7x7():
    assert receptive_fields([(3, 1)] * 3)[-1] == (7, 1)
    assert receptive_fields([(7, 1)]) == [(7, 1)]


def test_does_the_chapters_network_see_23_pixels_after_its_last_pooling_layer():
    # Conv2D 9x9 / 2, MaxPooling2D 2x2, BatchNormalization, Conv2D 3x3 / 1, MaxPooling2D 2x2.
    fields = receptive_fields([(9, 2), (2, 2), (1, 1), (3, 1), (2, 2)])
    assert fields == [(9, 2), (11, 4), (11, 4), (19, 4), (23, 8)]


def test_does_an_empty_stack_see_nothing_but_each_pixel():
    assert receptive_fields([]) == []


@pytest.mark.parametrize("window", [(0, 1), (3, 0), (2.5, 1), (-1, 2)])
def test_does_it_refuse_a_window_that_is_not_a_positive_whole_number(window):
    with pytest.raises(ValueError, match="layer 1"):
        receptive_fields([(3, 1), window])
