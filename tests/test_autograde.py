"""Unit tests of course_utils.grading.autograde's pure parts: a result always lists every part of the assignment."""

from __future__ import annotations

from course_utils.grading.autograde import complete_result

PARTS = [
    {"notebook": "ex01", "grade_id": "conv1d_modes", "max_score": 2.0},
    {"notebook": "ex01", "grade_id": "conv2d_valid", "max_score": 3.0},
]


def test_does_a_failed_result_get_every_part_at_zero():
    result = complete_result({"student": "amy", "status": "failed", "parts": []}, PARTS)
    assert [(p["grade_id"], p["score"]) for p in result["parts"]] == [("conv1d_modes", 0.0), ("conv2d_valid", 0.0)]
    assert (result["score"], result["max_score"]) == (0.0, 5.0)


def test_does_a_partial_result_keep_its_scores_in_the_assignment_s_order():
    graded = {"notebook": "ex01", "grade_id": "conv2d_valid", "max_score": 3.0, "score": 3.0, "error": None}
    result = complete_result({"student": "ben", "status": "graded", "parts": [graded]}, PARTS)
    assert [p["grade_id"] for p in result["parts"]] == ["conv1d_modes", "conv2d_valid"]
    assert (result["score"], result["max_score"]) == (3.0, 5.0)
