"""Do `course export` files match what Canvas's gradebook import and Moodle's grade import read?

A Canvas "Download submissions" zip of the fixture course (tests/fixtures/cli_course: one notebook, 5 points) goes
through the real `course collect` (nbgrader's gradebook included); the result files hold what `course autograde`
stores (built with autograde's own ``complete_result``), and the slow test grades for real. The platforms' rules
checked here are the ones their importers apply: Canvas reads the header ``Student, ID, SIS User ID, SIS Login ID,
Section`` then assignment columns, skips a ``Points Possible`` row, finds the student by ID (the Canvas user id),
then SIS User ID, SIS Login ID, then name, and reads an empty cell as no grade; Moodle maps one identifier column
(email, username, ID number or user id) to its users, skips rows whose identifier is empty, and imports an empty or
``-`` cell as no grade.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

from course_utils.grading.autograde import complete_result
from course_utils.grading.collect import CANVAS, collect
from course_utils.grading.export import CANVAS_STUDENT_COLUMNS, MOODLE_STUDENT_COLUMNS, export
from course_utils.grading.gradebook import open_gradebook
from course_utils.grading.workspace import Course, CourseError, write_json

FIXTURE = REPO / "tests" / "fixtures" / "cli_course"
ASSIGNMENT = "ex_tiny"
#: The files of a Canvas submissions download (name[_LATE]_userid_submissionid_file): the student id collect gives
#: each without a roster, and their score.
CANVAS_FILES = {
    "doejane_12345_67890_ex_tiny.ipynb": ("doejane", 5.0),
    "smithjohn_LATE_555_111_ex_tiny-1.ipynb": ("smithjohn", 3.5),
    "muller_zoe_777_222_ex_tiny.ipynb": ("muller_zoe", None),  # collected, not graded yet
}
PARTS = [
    {"notebook": ASSIGNMENT, "grade_id": "double_tests", "max_score": 2.0},
    {"notebook": ASSIGNMENT, "grade_id": "clip_tests", "max_score": 3.0},
]


def canvas_zip(folder: Path) -> Path:
    """A Canvas submissions zip holding a notebook of the fixture assignment per file name of CANVAS_FILES."""
    notebook = folder / "nb.ipynb"
    nbformat.write(nbformat.read(FIXTURE / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4), notebook)
    export = folder / "submissions.zip"
    with zipfile.ZipFile(export, "w") as archive:
        for name in CANVAS_FILES:
            archive.write(notebook, name)
    return export


def store_result(course: Course, student: str, score: float) -> None:
    """A result file as `course autograde` writes it, scoring ``score`` (double_tests first)."""
    double = min(score, 2.0)
    answer = {
        "status": "graded",
        "problems": [],
        "parts": [
            {**PARTS[0], "score": double, "needs_manual_grade": False, "error": None},
            {**PARTS[1], "score": score - double, "needs_manual_grade": False, "error": None},
        ],
    }
    write_json(course.results_dir(ASSIGNMENT) / f"{student}.json", complete_result(answer, PARTS))


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Course:
    """The Canvas zip collected without a roster into a fresh workspace; the graded students' results stored (the
    tests only add export files to it)."""
    folder = tmp_path_factory.mktemp("export")
    course = Course.open(str(FIXTURE), str(folder / "workspace"), create=True)
    with pytest.MonkeyPatch.context() as patch:
        # nbgrader creates the gradebook with the `alembic` script next to this interpreter (as `course` finds it)
        patch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
        lines = collect(course, ASSIGNMENT, canvas_zip(folder)).lines()
    assert sum(line.startswith("IMPORTED") for line in lines) == len(CANVAS_FILES), lines
    for student, score in CANVAS_FILES.values():
        if score is not None:
            store_result(course, student, score)
    return course


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def canvas_import(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    """What Canvas's gradebook importer reads from a file: its checks of the header and the rows, then
    {how the row is matched: {assignment column: grade}}."""
    header, *body = rows
    assert header[0] == "Student" and header[1] == "ID", header  # row_has_student_headers?
    assert header[2] == "SIS User ID" and header[3] == "SIS Login ID", header  # then 5 student columns
    assert "Section" in header[4], header  # the last student column must be Section
    assignments = header[5:]
    assert assignments and all(assignments), header
    read = {}
    for row in body:
        assert len(row) == len(header), row
        if "Points Possible" in row[0]:
            assert all(cell == "" or float(cell) > 0 for cell in row[5:]), row
            continue
        key = next((f"{what}:{row[i]}" for i, what in ((1, "id"), (2, "sis"), (3, "login")) if row[i]), None)
        key = key or f"name:{row[0]}"
        for cell in row[5:]:
            assert cell == "" or float(cell) >= 0, row
        read[key] = dict(zip(assignments, row[5:]))
    return read


def test_does_a_canvas_export_come_back_with_its_own_canvas_ids(collected):
    """Round trip: are the students of a collected Canvas zip matched by the user ids of its file names, each with
    their score, with the not yet graded one left empty (no grade, not 0) and said so?"""
    written = export(collected, [ASSIGNMENT], "canvas")
    assert written.path == collected.workspace / "reports" / ASSIGNMENT / "export-canvas.csv"
    rows = read_rows(written.path)
    assert rows[0] == [*CANVAS_STUDENT_COLUMNS, ASSIGNMENT] and rows[1][0] == "Points Possible" and rows[1][5] == "5"
    expected = {
        f"id:{CANVAS.match(name)['uid']}": {ASSIGNMENT: "" if score is None else f"{score:g}"}
        for name, (_, score) in CANVAS_FILES.items()
    }
    assert canvas_import(rows) == expected
    assert any("not graded yet" in note and "muller_zoe" in note for note in written.notes), written.notes


def test_does_a_roster_give_canvas_names_sis_ids_and_sections_and_missing_students_an_empty_cell(collected, tmp_path):
    """With collect's roster (plus SIS ids and a section), is every roster student a row, named "Last, First",
    with an empty cell when they submitted nothing, or 0 with missing_zero?"""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student_id,first_name,last_name,email,lms_id,sis_user_id,sis_login_id,section\n"
        "doejane,Jane,Doe,jd@uni.example,12345,S-1,jdoe,Group A\n"
        "absent,Al,Bsent,ab@uni.example,999,S-9,abs,Group B\n",
        encoding="utf-8",
    )
    rows = read_rows(export(collected, [ASSIGNMENT], "canvas", roster_path=roster).path)
    by_student = {row[0]: row for row in rows[2:]}
    assert by_student["Doe, Jane"] == ["Doe, Jane", "12345", "S-1", "jdoe", "Group A", "5"]
    assert by_student["Bsent, Al"] == ["Bsent, Al", "999", "S-9", "abs", "Group B", ""]
    zeros = read_rows(export(collected, [ASSIGNMENT], "canvas", roster_path=roster, missing_zero=True).path)
    by_student = {row[0]: row for row in zeros[2:]}
    assert by_student["Bsent, Al"][-1] == "0"
    assert by_student["muller_zoe"][-1] == ""  # submitted, not graded yet: never a zero
    assert canvas_import(zeros)


def test_does_a_moodle_file_carry_the_identifier_moodle_maps_and_no_grade_for_missing_work(collected, tmp_path):
    """Is the Moodle file headed like Moodle's grade export, each student identified by email (and ID number),
    a missing submission an empty cell, and a student without email named in a note?"""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student_id,first_name,last_name,email\ndoejane,Jane,Doe,jd@uni.example\nabsent,Al,Bsent,ab@uni.example\n",
        encoding="utf-8",
    )
    written = export(collected, [ASSIGNMENT], "moodle", roster_path=roster, columns=[f"{ASSIGNMENT}=Exercise 0"])
    header, *body = read_rows(written.path)
    assert header == [*MOODLE_STUDENT_COLUMNS, "Exercise 0"]
    by_email = {row[3]: row for row in body if row[3]}
    assert by_email["jd@uni.example"] == ["Jane", "Doe", "doejane", "jd@uni.example", "5"]
    assert by_email["ab@uni.example"] == ["Al", "Bsent", "absent", "ab@uni.example", ""]
    assert all(cell == "" or float(cell) >= 0 for row in body for cell in row[4:])  # Moodle: "" is no grade
    assert any("no email" in note and "smithjohn" in note for note in written.notes)


def test_is_the_plain_csv_one_row_per_student_and_bad_options_clear_errors(collected, tmp_path):
    """Does --format csv list every student with their total; are an unknown assignment, a bad --column and an
    unknown format refused with a message?"""
    rows = read_rows(export(collected, [ASSIGNMENT], "csv", output=tmp_path / "grades.csv").path)
    assert rows[0] == ["student_id", "first_name", "last_name", "email", ASSIGNMENT]
    assert {row[0]: row[-1] for row in rows[1:]} == {"doejane": "5", "smithjohn": "3.5", "muller_zoe": ""}
    with pytest.raises(CourseError, match="unknown assignment"):
        export(collected, ["ex99"], "csv")
    with pytest.raises(CourseError, match="expected ID=TITLE"):
        export(collected, [ASSIGNMENT], "csv", columns=["Exercise 0"])
    with pytest.raises(CourseError, match="unknown format"):
        export(collected, [ASSIGNMENT], "blackboard")


@pytest.mark.slow
def test_does_the_command_line_round_trip_a_graded_canvas_export(tmp_path):
    """End to end with the `course` command: collect a Canvas zip, autograde it, export for Canvas: does each
    Canvas user id of the zip come back with the score autograde gave?"""
    course = Path(sys.executable).with_name("course")
    workspace = tmp_path / "workspace"

    def run(*args):
        result = subprocess.run(
            [str(course), *map(str, args), "--workspace", str(workspace), "--course-dir", str(FIXTURE)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    run("collect", ASSIGNMENT, canvas_zip(tmp_path))
    run("autograde", ASSIGNMENT, "--jobs", "2", "--timeout", "300")
    out = run("export", ASSIGNMENT, "--format", "canvas", "--column", f"{ASSIGNMENT}=Tiny (42)")
    path = workspace / "reports" / ASSIGNMENT / "export-canvas.csv"
    assert str(path) in out
    rows = read_rows(path)
    assert rows[0][-1] == "Tiny (42)"
    uids = {f"id:{CANVAS.match(name)['uid']}" for name in CANVAS_FILES}
    assert canvas_import(rows) == {uid: {"Tiny (42)": "5"} for uid in uids}  # the solution notebook: full marks
    with open_gradebook(workspace / "gradebook.db") as gradebook:
        assert {s.id for s in gradebook.students} == {"doejane", "smithjohn", "muller_zoe"}
