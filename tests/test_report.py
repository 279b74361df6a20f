"""Unit tests of course_utils.grading.report's pure parts: pass rates per part, counts and mean, the grades CSV."""

from __future__ import annotations

import csv

from course_utils.grading.report import pass_rates, summary_line, write_grades


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


def graded(student, score, status="graded", **notes):
    return {
        "student": student,
        "status": status,
        "score": score,
        "max_score": 5.0,
        "parts": [part("conv1d_modes", min(score, 2.0)), part("conv2d_valid", max(score - 2.0, 0.0), 3.0)],
        **notes,
    }


def test_are_graded_and_failed_submissions_counted_apart_and_the_mean_rule_said():
    """Six students, one of whom could not be graded: does the summary say 5 graded and 1 failed (not "6 graded,
    1 could not be graded"), and that the failed one counts as 0 in the mean (the mean of grades.csv's totals)?"""
    results = {s: graded(s, 5.0) for s in ("amy", "ben", "cat", "dan", "eve")}
    results["fay"] = graded("fay", 0.0, status="failed")
    line = summary_line(results, not_graded_yet=1)
    assert line.startswith("7 submission(s): 5 graded, 1 could not be graded, 1 not graded yet.")
    assert "Mean 4.17 of 5 over the 6 with a result" in line and "could not be graded counts as 0" in line


def test_does_grades_csv_keep_the_grader_s_notes_apart_from_the_student_s_problems(tmp_path):
    """Does grades.csv give the problems (which the student's feedback shows too) and the grader's notes (which it
    does not) in columns of their own?"""
    results = {
        "amy": graded(
            "amy", 5.0, problems=[], grader_notes=["ex01.ipynb: conv1d_modes scored 0 when the notebook ran"]
        ),
        "ben": graded("ben", 0.0, status="failed", problems=["ex01.ipynb is not a valid notebook"]),
    }
    write_grades(results, tmp_path / "grades.csv")
    rows = {row["student_id"]: row for row in csv.DictReader((tmp_path / "grades.csv").read_text().splitlines())}
    assert rows["amy"]["grader_notes"].startswith("ex01.ipynb: conv1d_modes scored 0") and not rows["amy"]["problems"]
    assert rows["ben"]["problems"] == "ex01.ipynb is not a valid notebook" and not rows["ben"]["grader_notes"]
    assert rows["ben"]["status"] == "failed" and rows["ben"]["total"] == "0"
