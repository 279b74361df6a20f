"""Unit tests of course_utils.grading.worker: what it does to files nbgrader cannot grade, and what its log keeps.

The fixture course is tests/fixtures/cli_course; whole `course autograde` runs are in tests/test_cli.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import nbformat
from conftest import REPO

from course_utils.grading.cells import grade_id
from course_utils.grading.worker import _sanitize

SOURCE = REPO / "tests" / "fixtures" / "cli_course" / "solutions" / "ex_tiny" / "ex_tiny.ipynb"


def test_are_files_that_cannot_be_graded_named_removed_and_explained(tmp_path):
    """Does the worker take out a damaged file, a notebook without the exercise's cells and a missing notebook (so
    each scores 0), name them as the result's invalid notebooks with a line the student can read, and keep a good
    notebook?"""
    ids = {grade_id(cell) for cell in nbformat.read(SOURCE, as_version=4).cells} - {None}
    shutil.copy(SOURCE, tmp_path / "good.ipynb")
    (tmp_path / "damaged.ipynb").write_text('{"cells": [')
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), tmp_path / "blank.ipynb")
    names = ["good", "damaged", "blank", "missing"]
    problems, invalid = _sanitize(tmp_path, names, dict.fromkeys(names, ids))
    assert invalid == ["damaged", "blank", "missing"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["good.ipynb"]
    assert problems == [
        "damaged.ipynb is not a valid notebook (NotJSONError: Notebook does not appear to be JSON: "
        "'{\"cells\": ['); scored 0",
        "blank.ipynb has none of the exercise's cells (a new notebook, or another exercise's notebook saved under "
        "this name?); scored 0",
        "missing.ipynb is missing from the submission; scored 0",
    ]


#: In a worker process: nbgrader's own warnings about a submitted test cell (a checksum that differs in every
#: submission, a changed number of points), and SQLAlchemy's warning about nbgrader's objects on every submission.
NOISY_WORKER = """
import warnings
from course_utils.grading.worker import configure_logging
configure_logging()
from nbgrader.preprocessors import OverwriteCells
from sqlalchemy.exc import SAWarning
OverwriteCells().report_change("double_tests", "checksum", "ec50634d", "9a45d482")
OverwriteCells().report_change("double_tests", "points", 2, 200)
warnings.warn("Object of type <SubmittedNotebook> not in session, add operation will not proceed", SAWarning)
"""


def test_does_the_worker_log_keep_what_an_instructor_needs_and_drop_per_submission_notices():
    """Does a worker's log drop nbgrader's "checksum has changed" warning and SQLAlchemy's autoflush warning, which
    come with every submission, while a changed number of points still shows?"""
    run = subprocess.run([sys.executable, "-c", NOISY_WORKER], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Attribute 'points' for cell double_tests has changed! (should be: 2, got: 200)" in run.stderr
    assert "checksum" not in run.stderr and "SAWarning" not in run.stderr, run.stderr
