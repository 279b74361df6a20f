"""Does the real `nbgrader autograde` grade exercise 2 fairly: full marks for correct pooling, lost points only where
the bug is?

Every file in tests/submissions/ex02_pooling/ is one student: ``correct_<style>.py`` must earn full marks,
``<function>_<bug>.py`` must lose points of that function and of no other (``*_forbidden_*``: all of them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from nbgrader_course import NbgraderCourse, answer_cells, owner, points_by_function

ASSIGNMENT = "ex02_pooling"
BANK = Path(__file__).resolve().parent / "submissions" / ASSIGNMENT
CORRECT = sorted(path.stem for path in BANK.glob("correct_*.py"))
BUGS = sorted(path.stem for path in BANK.glob("*.py") if not path.stem.startswith("correct_"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One course, the solution and every bank variant submitted, graded in one `nbgrader autograde` call."""
    course = NbgraderCourse.create(tmp_path_factory.mktemp("course"), [ASSIGNMENT])
    course.submit_bank(ASSIGNMENT, BANK)
    course.autograde(ASSIGNMENT)
    functions = list(answer_cells(course.source(ASSIGNMENT)))
    earned = {student: points_by_function(scores, functions) for student, scores in course.scores(ASSIGNMENT).items()}
    return earned, points_by_function(course.max_scores(ASSIGNMENT), functions)


@pytest.mark.slow
@pytest.mark.parametrize("student", ["solution"] + CORRECT)
def test_does_correct_pooling_earn_full_marks(graded, student):
    earned, full_marks = graded
    assert earned[student] == full_marks


@pytest.mark.slow
@pytest.mark.parametrize("student", BUGS)
def test_does_a_pooling_bug_cost_points_of_its_own_function_only(graded, student):
    earned, full_marks = graded
    buggy = owner(student, full_marks)
    assert {name: value for name, value in earned[student].items() if name != buggy} == {
        name: value for name, value in full_marks.items() if name != buggy
    }
    if "_forbidden_" in student:
        assert earned[student][buggy] == 0, f"{student} calls a forbidden library yet keeps points"
    else:
        assert earned[student][buggy] < full_marks[buggy], f"{student} keeps all points of {buggy}"
