"""Unit tests of course_utils.grading.feedback's pure parts: what of a test cell students may see."""

from __future__ import annotations

from course_utils.grading.feedback import visible_source


def test_does_the_visible_source_drop_every_hidden_region_and_keep_the_rest():
    source = (
        "check(conv1d([1, 2], [1]))\n"
        "### BEGIN HIDDEN TESTS\nsecret = 42\n### END HIDDEN TESTS\n"
        "print('done')\n"
        "### BEGIN HIDDEN TESTS\nanother = 7\n### END HIDDEN TESTS"
    )
    assert visible_source(source) == "check(conv1d([1, 2], [1]))\nprint('done')"
    assert visible_source("x = 1\n") == "x = 1"
