"""Is exercise 3 (the CIFAR-10 CNN) a valid nbgrader assignment, released from its source and stored clean?"""

from __future__ import annotations

import nbformat
import pytest
from conftest import REPO
from nbgrader_course import NbgraderCourse, answer_cells, nbgrader

ASSIGNMENT = "ex03_cnn"
SOURCE = REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE = REPO / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
FUNCTIONS = (
    "build_cnn",
    "compile_cnn",
    "make_callbacks",
    "confusion_matrix",
    "balanced_error_rate",
    "normalize_filters",
)
#: Any cell may take this long while a shared machine is busy (the first one imports TensorFlow).
CELL_TIMEOUT = "--Execute.timeout=600"


def comparable(notebook) -> list:
    """The cells without their ids: what generate_assignment decides."""
    return [{key: value for key, value in cell.items() if key != "id"} for cell in notebook.cells]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return NbgraderCourse.create(tmp_path_factory.mktemp("ex03_release"), [ASSIGNMENT])


def test_is_the_committed_release_what_generate_assignment_makes(course):
    committed = nbformat.read(RELEASE, as_version=4)
    assert comparable(course.released(ASSIGNMENT)) == comparable(committed), (
        "exercises/ex03_cnn is out of date: run `nbgrader generate_assignment ex03_cnn --force`"
    )


@pytest.mark.parametrize("path", [SOURCE, RELEASE], ids=["source", "release"])
def test_are_the_notebooks_stored_without_outputs(path):
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


def test_does_the_student_write_exactly_the_six_contract_functions():
    cells = answer_cells(nbformat.read(RELEASE, as_version=4))
    assert tuple(cells) == FUNCTIONS
    for name, cell in cells.items():
        assert f"def {name}(" in cell.source and "raise NotImplementedError()" in cell.source
        assert "BEGIN SOLUTION" not in cell.source


def test_does_the_release_hide_the_hidden_tests_and_the_grader():
    text = RELEASE.read_text()
    assert (
        "HIDDEN TESTS" not in text and "check_training" not in text and "sklearn.metrics import confusion" not in text
    )


def test_are_grade_ids_named_after_the_function_they_grade():
    grades = [
        cell.metadata.nbgrader["grade_id"]
        for cell in nbformat.read(SOURCE, as_version=4).cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    ]
    assert all(grade_id.startswith(FUNCTIONS + ("training_",)) for grade_id in grades)
    assert len(grades) == len(set(grades)) >= 3 * len(FUNCTIONS) - 4


@pytest.mark.slow
def test_does_the_solution_pass_nbgrader_validate(course, cifar10_path, monkeypatch):
    monkeypatch.setenv("COURSE_CIFAR10", str(cifar10_path))
    monkeypatch.setenv("COURSE_GRADING_PROFILE", "smoke")
    result = nbgrader(
        "validate", str(course.root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), CELL_TIMEOUT, cwd=course.root
    )
    assert "Success! Your notebook passes all the tests." in result.stdout, result.stdout + result.stderr


@pytest.mark.slow
def test_does_every_test_of_the_release_fail_before_the_student_writes_code(course, cifar10_path, monkeypatch):
    monkeypatch.setenv("COURSE_CIFAR10", str(cifar10_path))
    result = nbgrader(
        "validate",
        "--invert",
        str(course.root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        CELL_TIMEOUT,
        cwd=course.root,
    )
    assert "Success! The notebook does not pass any tests." in result.stdout, result.stdout + result.stderr
