"""Unit tests of course_utils.grading.report's pure parts: pass rates per part."""

from __future__ import annotations

from course_utils.grading.report import pass_rates


def part(grade_id, score, max_score=2.0):
    return {"notebook": "ex01", "grade_id": grade_id, "score": score, "max_score": max_score}


def test_is_a_pass_rate_the_share_of_students_with_full_points_on_a_part():
    results = {
        "amy": {"parts": [part("conv1d_modes", 2.0), part("conv2d_valid", 1.0)]},
        "ben": {"parts": [part("conv1d_modes", 0.0), part("conv2d_valid", 2.0)]},
        "cat": {"parts": [part("conv1d_modes", 2.0), part("conv2d_valid", 2.0)]},
    }
    assert pass_rates(results) == {"ex01:conv1d_modes": 2 / 3, "ex01:conv2d_valid": 2 / 3}
    assert pass_rates({}) == {}
