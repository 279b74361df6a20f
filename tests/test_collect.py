"""Unit tests of course_utils.grading.collect's pure parts: platform file names and roster matching."""

from __future__ import annotations

import pytest

from course_utils.grading.collect import CANVAS, MOODLE, Roster, slug
from course_utils.grading.workspace import CourseError


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
