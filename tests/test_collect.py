"""Unit tests of course_utils.grading.collect: platform file names, roster matching, and files that cannot be graded
(on the fixture course of tests/fixtures/cli_course, with nbgrader's real gradebook)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

from course_utils.grading.collect import CANVAS, MOODLE, Roster, collect, slug
from course_utils.grading.workspace import Course, CourseError

FIXTURE = REPO / "tests" / "fixtures" / "cli_course"


@pytest.mark.parametrize(
    "name, student, uid, file",
    [
        ("doejane_12345_6789012_ex01_convolution.ipynb", "doejane", "12345", "ex01_convolution.ipynb"),
        ("doejane_LATE_12345_6789012_ex01_convolution-1.ipynb", "doejane", "12345", "ex01_convolution-1.ipynb"),
    ],
)
def test_does_a_canvas_file_name_give_the_student_and_the_file(name, student, uid, file):
    match = CANVAS.match(name)
    assert (match["name"], match["uid"], match["file"]) == (student, uid, file)


def test_does_a_moodle_folder_name_give_the_student_and_the_kind_of_submission():
    match = MOODLE.match("Jane Doe_1234_assignsubmission_file_")
    assert (match["name"], match["pid"], match["kind"]) == ("Jane Doe", "1234", "file")
    assert MOODLE.match("Jane Doe_1234_assignsubmission_onlinetext_")["kind"] == "onlinetext"
    assert MOODLE.match("ex01_convolution.ipynb") is None


def test_do_names_become_slugs_without_a_roster():
    assert slug("Jane  Doe") == "jane_doe" and Roster(None).match("Jane Doe") == "jane_doe"


def test_does_the_roster_match_ids_names_in_any_order_and_platform_ids(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student_id,first_name,last_name,email,lms_id\n"
        "s001,Jane,Doe,jane.doe@uni.example,12345\n"
        "s002,Li,Wei,lw@uni.example,\n",
        encoding="utf-8",
    )
    students = Roster(roster)
    assert students.match("S001") == "s001"
    assert students.match("Doe Jane") == students.match("jane doe") == "s001"
    assert students.match("someone", lms_id="12345") == "s001"
    assert students.match("lw") == "s002"
    assert students.match("Nobody Here") is None


def test_is_a_roster_without_a_student_id_column_a_clear_error(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\nJane Doe,jd@uni.example\n", encoding="utf-8")
    with pytest.raises(CourseError, match="needs a 'student_id' column"):
        Roster(roster)


def test_is_a_notebook_that_cannot_be_graded_flagged_invalid_and_still_kept(tmp_path, monkeypatch):
    """Does collect flag a damaged file and a notebook without the exercise's cells INVALID, in what it says and
    in collect.txt, and still copy both into submitted/ beside a good notebook?"""
    # nbgrader creates the gradebook with the `alembic` script next to this interpreter (as `course` finds it)
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    course = Course.open(str(FIXTURE), str(tmp_path / "workspace"), create=True)
    export = tmp_path / "export"
    for student in ("amy", "ben", "cat"):
        (export / student).mkdir(parents=True)
    shutil.copy(FIXTURE / "solutions" / "ex_tiny" / "ex_tiny.ipynb", export / "amy")
    (export / "ben" / "ex_tiny.ipynb").write_text('{"cells": [{"cell_type": "code", "source": "x = 1"')
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), export / "cat" / "ex_tiny.ipynb"
    )
    lines = collect(course, "ex_tiny", export).lines()
    status = {line.split()[1].rstrip(":"): line.split()[0] for line in lines}
    assert status == {"amy": "IMPORTED", "ben": "INVALID", "cat": "INVALID"}, lines
    assert any("ben" in line and "is not a valid notebook (NotJSONError" in line for line in lines), lines
    assert any("cat" in line and "has none of the exercise's cells" in line for line in lines), lines
    assert all("download the notebook again" in line for line in lines if line.startswith("INVALID"))
    assert (tmp_path / "workspace" / "reports" / "ex_tiny" / "collect.txt").read_text().splitlines() == lines
    for student in ("ben", "cat"):
        kept = tmp_path / "workspace" / "submitted" / student / "ex_tiny" / "ex_tiny.ipynb"
        assert kept.read_bytes() == (export / student / "ex_tiny.ipynb").read_bytes()
