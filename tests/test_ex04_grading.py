"""Through the real `course autograde`: does exercise 4 give full marks for correct backward passes, and does a bug
cost the points of its own function only, both in nbgrader's run of the notebook and in the trusted re-run?

Every file in tests/submissions/ex04_backprop/ is one student: ``correct_<style>.py`` must earn full marks,
``<function>_<bug>.py`` must lose points of that function and of no other (``*_forbidden_*``: all of them). One
`course collect` and one `course autograde --jobs 2` grade the whole bank. The trusted re-run's scores count; the
scores of nbgrader's own run are read back from the grader's notes, which name each test whose score the re-run
changed. A bank file whose docstring has a ``Feedback:`` line must get a failure message that contains it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from nbgrader_course import grade_with_course, owner, points_by_function, read_variant

ASSIGNMENT = "ex04_backprop"
BANK = Path(__file__).resolve().parent / "submissions" / ASSIGNMENT
FUNCTIONS = ("numerical_gradient", "conv2d_layer_backward", "max_pool2d_backward", "avg_pool2d_backward", "fit_kernel")
CORRECT = sorted(path.stem for path in BANK.glob("correct_*.py"))
BUGS = sorted(path.stem for path in BANK.glob("*.py") if not path.stem.startswith("correct_"))
#: The grader's note on a test whose score the trusted re-run changed (course_utils/grading/trusted.py).
CHANGED = re.compile(rf"^{ASSIGNMENT}\.ipynb: (\w+) scored ([\d.]+) when the notebook ran and ([\d.]+) when")


def feedback_line(student: str) -> str | None:
    """What a bank file's docstring says its feedback must contain (its ``Feedback:`` line), or None."""
    docstring = ast.get_docstring(ast.parse((BANK / f"{student}.py").read_text())) or ""
    match = re.search(r"^Feedback: (.+)$", docstring, re.MULTILINE)
    return match.group(1) if match else None


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """student → their result (the solution and every bank file, graded in one batch)."""
    students = {"solution": {}, **{path.stem: read_variant(path) for path in sorted(BANK.glob("*.py"))}}
    results = grade_with_course(tmp_path_factory.mktemp(ASSIGNMENT), ASSIGNMENT, students)
    return {result["student"]: result for result in results}


def points(result: dict, run: str = "trusted") -> dict[str, float]:
    """Points per function: the trusted re-run's (the result's parts), or the notebook run's (``run="notebook"``)."""
    scores = {part["grade_id"]: part["score"] for part in result["parts"]}
    if run == "notebook":
        for note in result["grader_notes"]:
            match = CHANGED.match(note)
            if match:
                scores[match[1]] = float(match[2])
    return points_by_function(scores, FUNCTIONS)


def full_marks(result: dict) -> dict[str, float]:
    return points_by_function({part["grade_id"]: part["max_score"] for part in result["parts"]}, FUNCTIONS)


def test_does_the_bank_hold_eight_bugs_per_function_and_two_correct_styles():
    per_function = {function: [bug for bug in BUGS if owner(bug, FUNCTIONS) == function] for function in FUNCTIONS}
    assert all(len(bugs) >= 8 for bugs in per_function.values()), per_function
    assert len(CORRECT) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("student", ["solution", *CORRECT])
def test_does_a_correct_submission_earn_full_marks_in_both_runs(graded, student):
    result = graded[student]
    assert result["status"] == "graded", result
    assert points(result) == points(result, "notebook") == full_marks(result), result["grader_notes"]
    assert result["problems"] == [], result["problems"]


@pytest.mark.slow
@pytest.mark.parametrize("student", BUGS)
def test_does_a_bug_cost_points_of_its_own_function_only_in_both_runs(graded, student):
    """Does the bug lose points of its function, and only of it (fit_kernel keeps its points when the mistake is in
    the conv2d_layer_backward it calls), in nbgrader's run and in the trusted re-run alike?"""
    result, buggy = graded[student], owner(student, FUNCTIONS)
    maximum = full_marks(result)
    for run in ("trusted", "notebook"):
        earned = points(result, run)
        assert {f: v for f, v in earned.items() if f != buggy} == {f: v for f, v in maximum.items() if f != buggy}, (
            f"{run} run: {student} loses points outside {buggy}: {earned}"
        )
        if "_forbidden_" in student:
            assert earned[buggy] == 0, f"{run} run: {student} calls a forbidden library yet keeps {earned[buggy]}"
        else:
            assert earned[buggy] < maximum[buggy], f"{run} run: {student} keeps all {maximum[buggy]} points of {buggy}"


@pytest.mark.slow
@pytest.mark.parametrize("student", [student for student in BUGS if feedback_line(student)])
def test_does_the_feedback_name_what_the_mistake_did(graded, student):
    errors = [part["error"] or "" for part in graded[student]["parts"]]
    assert any(feedback_line(student) in error for error in errors), errors
