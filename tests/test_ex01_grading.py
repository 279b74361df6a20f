"""Does the real `nbgrader autograde` grade exercise 1 fairly, and does its feedback keep the hidden tests hidden?

Every file in tests/submissions/ex01_convolution/ is one student: ``correct_<style>.py`` must earn full marks,
``<function>_<bug>.py`` must lose points of that function and of no other (``*_forbidden_*``: all of them). A few
broken notebooks (an endless loop, a function that raises, a deleted test cell) join the same single autograde run.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from nbgrader_course import NbgraderCourse, answer_cells, hidden_regions, owner, points_by_function, solution_code

ASSIGNMENT = "ex01_convolution"
BANK = Path(__file__).resolve().parent / "submissions" / ASSIGNMENT
CORRECT = sorted(path.stem for path in BANK.glob("correct_*.py"))
BUGS = sorted(path.stem for path in BANK.glob("*.py") if not path.stem.startswith("correct_"))
#: Broken notebooks: an experiment left running forever above conv1d, a conv2d that always raises.
ENDLESS_LOOP = "while True:  # left over from an experiment\n    pass\n\n"
RAISES = 'def conv2d(x, w, mode="full"):\n    raise RuntimeError("not finished yet")\n'
DELETED_CELL = "conv1d_modes"
#: The endless loop runs until the per-cell timeout; the course's (nbgrader_config.py) allows exercise 3's training
#: cells far longer than any cell of exercise 1 needs, so this run sets a shorter one.
CELL_TIMEOUT_S = 20


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One course, every bank variant and broken notebook submitted, graded in one `nbgrader autograde` call."""
    course = NbgraderCourse.create(tmp_path_factory.mktemp("course"), [ASSIGNMENT])
    course.submit_bank(ASSIGNMENT, BANK)
    solution = solution_code(course.source(ASSIGNMENT))
    course.submit(
        ASSIGNMENT,
        "broken_endless_loop",
        course.student_notebook(ASSIGNMENT, {"conv1d": ENDLESS_LOOP + solution["conv1d"]}),
    )
    course.submit(ASSIGNMENT, "broken_raises", course.student_notebook(ASSIGNMENT, {"conv2d": RAISES}))
    notebook = course.student_notebook(ASSIGNMENT)
    notebook.cells = [cell for cell in notebook.cells if cell.get("id") != DELETED_CELL]
    course.submit(ASSIGNMENT, "broken_deleted_test_cell", notebook)
    course.autograde(ASSIGNMENT, f"--ExecutePreprocessor.timeout={CELL_TIMEOUT_S}")
    return course


@pytest.fixture(scope="module")
def functions(graded):
    return list(answer_cells(graded.source(ASSIGNMENT)))


@pytest.fixture(scope="module")
def full_marks(graded, functions):
    return points_by_function(graded.max_scores(ASSIGNMENT), functions)


def points(graded, functions, student):
    return points_by_function(graded.scores(ASSIGNMENT)[student], functions)


@pytest.mark.slow
@pytest.mark.parametrize("student", ["solution"] + CORRECT)
def test_does_a_correct_submission_earn_full_marks(graded, functions, full_marks, student):
    assert points(graded, functions, student) == full_marks


@pytest.mark.slow
@pytest.mark.parametrize("student", BUGS)
def test_does_a_bug_cost_points_of_its_own_function_only(graded, functions, full_marks, student):
    buggy = owner(student, functions)
    earned = points(graded, functions, student)
    assert {name: value for name, value in earned.items() if name != buggy} == {
        name: value for name, value in full_marks.items() if name != buggy
    }
    if "_forbidden_" in student:
        assert earned[buggy] == 0, f"{student} calls a forbidden library yet keeps {earned[buggy]} points"
    else:
        assert earned[buggy] < full_marks[buggy], f"{student} keeps all {full_marks[buggy]} points of {buggy}"


@pytest.mark.slow
def test_does_an_endless_loop_cost_only_the_function_it_stops(graded, functions, full_marks):
    """The per-cell timeout interrupts the loop; conv1d is never defined, everything after it is graded."""
    earned = points(graded, functions, "broken_endless_loop")
    assert earned == {**full_marks, "conv1d": 0}
    cell = answer_cells(graded.autograded(ASSIGNMENT, "broken_endless_loop"))["conv1d"]
    assert [output.ename for output in cell.outputs if output.output_type == "error"]


@pytest.mark.slow
def test_does_a_function_that_raises_lose_only_its_own_points(graded, functions, full_marks):
    assert points(graded, functions, "broken_raises") == {**full_marks, "conv2d": 0}


@pytest.mark.slow
def test_is_a_deleted_test_cell_put_back_and_graded(graded, functions, full_marks):
    assert (
        graded.scores(ASSIGNMENT)["broken_deleted_test_cell"][DELETED_CELL]
        == graded.max_scores(ASSIGNMENT)[DELETED_CELL]
    )
    assert points(graded, functions, "broken_deleted_test_cell") == full_marks


@pytest.mark.slow
def test_does_feedback_show_the_failure_but_no_hidden_test(graded):
    """A student whose "same" padding is off sees which case failed, never the hidden code or expected values."""
    student = "conv2d_layer_symmetric_padding"
    page = html.unescape(re.sub(r"<[^>]+>", "", graded.feedback(ASSIGNMENT, student)))
    submitted = "\n".join(solution_code(graded.source(ASSIGNMENT)).values()) + (BANK / f"{student}.py").read_text()
    released = "\n".join(cell.source for cell in graded.released(ASSIGNMENT).cells)
    hidden = {
        line.strip()
        for cell in graded.source(ASSIGNMENT).cells
        for region in hidden_regions(cell.source)
        for line in region.splitlines()
    }
    secret = {line for line in hidden if line and line not in submitted and line not in released}
    assert len(secret) > 50
    shown = sorted(line for line in secret if line in page)
    assert not shown, f"feedback shows hidden test code: {shown[:5]}"
    assert "padding='same') with x of shape" in page  # the failure's message, naming the hidden case
    assert 'conv2d_layer(np.ones((1, 7, 8, 1)), np.ones((4, 3, 1, 2)), strides=(2, 3), padding="same")' in page
