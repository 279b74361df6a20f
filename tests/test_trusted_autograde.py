"""Through the real `course autograde` (nbgrader, then the trusted regrade): does the red-team bank earn nothing on
the functions it targets, while the correct bank, graded in the same batch, keeps full marks?

Per assignment, one folder of submissions goes through `course collect` and one `course autograde --jobs 2`, with
the repository as the course and a temporary workspace. The batch holds every red-team file
(``tests/redteam/<assignment>/<attack>.py``: wrong code that tries to pass anyway), every correct variant of the
submission bank (``tests/submissions/<assignment>/correct_*.py``) and the instructor's solution. Exercise 3 trains
under the ``smoke`` profile, which checks that training runs and grades no accuracy.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from conftest import REPO
from nbgrader_course import answer_cells, grade_with_course, owner, read_variant

ASSIGNMENTS = ("ex01_convolution", "ex02_pooling", "ex03_cnn", "ex04_backprop")
ATTACKS = {
    "patch_checks",
    "fake_array",
    "frame_peek",
    "gc_reference",
    "read_files",
    "exit_early",
    "print_pass",
    "hidden_forbidden",
}
REDTEAM = REPO / "tests" / "redteam"
BANK = REPO / "tests" / "submissions"
#: Exercise 3's training tier: it trains what build_cnn and compile_cnn make together.
TRAINING = "training_"


def batch(assignment: str) -> dict[str, dict[str, str]]:
    """student id → {answer cell: code} for every red-team file, every correct variant and the solution."""
    students = {f"attack_{path.stem}": read_variant(path) for path in sorted((REDTEAM / assignment).glob("*.py"))}
    students.update({path.stem: read_variant(path) for path in sorted((BANK / assignment).glob("correct_*.py"))})
    students["solution"] = {}
    return students


def source_notebook(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)


@pytest.fixture(scope="module")
def graded(tmp_path_factory, cifar10_path):
    """assignment → ({student: {grade id: (score, max score)}}, {student: problems and grader's notes}, workspace),
    graded lazily."""
    env = {"COURSE_GRADING_PROFILE": "smoke", "COURSE_CIFAR10": str(cifar10_path)}
    cache: dict[str, tuple[dict, dict, Path]] = {}

    def grade(assignment: str):
        if assignment not in cache:
            root = tmp_path_factory.mktemp(assignment)
            results = grade_with_course(root, assignment, batch(assignment), env)
            cache[assignment] = (
                {r["student"]: {p["grade_id"]: (p["score"], p["max_score"]) for p in r["parts"]} for r in results},
                {r["student"]: r["problems"] + r["grader_notes"] for r in results},
                root / "workspace",
            )
        return cache[assignment]

    return grade


def cases() -> list[tuple[str, str]]:
    return [(assignment, student) for assignment in ASSIGNMENTS for student in batch(assignment)]


def test_does_every_attack_class_have_a_submission_per_assignment():
    """Does the bank hold each attack class for every exercise?"""
    for assignment in ASSIGNMENTS:
        assert {path.stem for path in (REDTEAM / assignment).glob("*.py")} == ATTACKS, assignment


@pytest.mark.slow
@pytest.mark.parametrize(("assignment", "student"), cases(), ids=[f"{a}/{s}" for a, s in cases()])
def test_does_a_submission_earn_exactly_what_its_honest_code_deserves(graded, assignment, student):
    """Does an attack score 0 on every test of the functions it targets and full marks elsewhere (its other answers
    are the solution's), and does a correct submission graded in the same batch keep full marks? (An attack that
    ends the notebook's kernel scores 0 everywhere: nbgrader cannot run the notebook, and says so.)"""
    scores, notes, _ = graded(assignment)
    targets = set(batch(assignment)[student]) if student.startswith("attack_") else set()
    functions = list(answer_cells(source_notebook(assignment)))
    assert scores[student], f"{student} was not graded"
    kernel_died = any("the kernel died" in problem for problem in notes[student])
    assert kernel_died == (student == "attack_exit_early"), notes[student]
    targeted = set()
    for grade_id, (score, max_score) in scores[student].items():
        if grade_id.startswith(TRAINING):
            if targets & {"build_cnn", "compile_cnn"}:
                continue  # the tier grades the pair: an uncompiled model fails it, a tiny one passes smoke
            hit = False
        else:
            hit = owner(grade_id, functions) in targets
        targeted |= {grade_id} if hit else set()
        expected = 0.0 if kernel_died or hit else max_score
        assert score == expected, f"{student}: {grade_id} scored {score} of {max_score}"
    assert targeted or not targets, f"{student} targets {targets}, which no test cell grades"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_do_attacks_that_fool_the_notebook_run_get_caught(graded, assignment):
    """Do several attacks fool the notebook run (so the bank tests something real), and does the grader note each
    score that the trusted run took back?"""
    _, notes, _ = graded(assignment)
    fooled = {
        student
        for student, problems in notes.items()
        if any("when the tests ran again outside the student's code" in problem for problem in problems)
    }
    assert {"attack_patch_checks", "attack_gc_reference"} <= fooled, notes
    assert not fooled & {student for student in notes if not student.startswith("attack_")}


@pytest.mark.slow
def test_does_the_graded_notebook_show_the_grader_s_own_training(graded):
    """Does exercise 3's graded notebook show the training the grader ran outside the student's process, not the
    kernel's note that it skipped training?"""
    _, _, workspace = graded("ex03_cnn")
    notebook = nbformat.read(workspace / "autograded" / "solution" / "ex03_cnn" / "ex03_cnn.ipynb", as_version=4)
    cell = next(
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "training_balanced_accuracy"
    )
    text = "".join(output.get("text", "") for output in cell.outputs)
    assert "Trained under the grader's smoke budget" in text and "balanced accuracy on the test set" in text
    assert "outside this notebook" not in text
