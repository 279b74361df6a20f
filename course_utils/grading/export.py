"""``course export``: a grades file that Canvas's gradebook import or Moodle's grade import accepts, or a plain CSV.

One row per student, one column per assignment (the student's total). The students are every student of the
gradebook (those `course collect` registered, with the roster's names and emails), of ``--roster`` (collect's
format: ``student_id``; optional ``first_name``, ``last_name``, ``name``, ``email``, ``lms_id``, and for Canvas
``sis_user_id``, ``sis_login_id``, ``section``) and of the assignments' submissions. The scores are the result files
``course report`` reads. A student without a submission gets an empty cell, which both platforms import as "no
grade", unless ``missing_zero``; a submission without a result yet stays empty (and is listed).

``canvas`` — the columns of Canvas's gradebook export: ``Student, ID, SIS User ID, SIS Login ID, Section``, one
column per assignment, then a ``Points Possible`` row. Canvas matches a row by ``ID`` (the Canvas user id: the
roster's ``lms_id``, the gradebook's ``lms_user_id``, else the id in the Canvas file names the last
`course collect` imported), then by SIS User ID, SIS Login ID, and last by name. A column titled as in Canvas's own
export (``Exercise 1 (4567)``: name and assignment id) fills that assignment; another title creates a new one.

``moodle`` — the columns of Moodle's grade export: ``First name, Last name, ID number, Email address`` (ID number
holds the course's student id), one column per assignment. Moodle's CSV import identifies users by the column the
instructor maps (Email address → email address, or ID number → ID number) and puts each mapped column into a grade
item.

``csv`` — ``student_id, first_name, last_name, email``, one column per assignment.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

from .collect import CANVAS, Roster
from .gradebook import open_gradebook
from .workspace import Course, CourseError

FORMATS = ("canvas", "moodle", "csv")
#: The student columns Canvas's gradebook export writes and its import expects, in this order.
CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
#: The user columns of Moodle's grade export; its import maps one of them to a user field.
MOODLE_STUDENT_COLUMNS = ["First name", "Last name", "ID number", "Email address"]
PLAIN_STUDENT_COLUMNS = ["student_id", "first_name", "last_name", "email"]
#: A line of collect.txt naming the file a student's current submission came from.
COLLECTED = re.compile(r"^(?:IMPORTED|UNCHANGED|INVALID) (?P<student>[^\s:]+): (?P<origin>.+?)(?: -> | is already )")


@dataclass
class Person:
    """What the platforms may match a student on."""

    student_id: str
    first_name: str = ""
    last_name: str = ""
    name: str = ""
    email: str = ""
    lms_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""

    def update(self, **values) -> None:
        """Take every non-empty value given."""
        for key, value in values.items():
            if value is not None and str(value).strip():
                setattr(self, key, str(value).strip())

    @property
    def full_name(self) -> str:
        return self.name or " ".join(filter(None, [self.first_name, self.last_name]))

    @property
    def sortable_name(self) -> str:
        """``Last, First`` (Canvas's Student column), else the name, else the student id."""
        if self.first_name and self.last_name:
            return f"{self.last_name}, {self.first_name}"
        return self.full_name or self.student_id


@dataclass
class ExportReport:
    """What ``course export`` wrote and what the instructor should know before importing it."""

    path: Path
    students: int
    notes: list[str] = field(default_factory=list)


def canvas_ids_from_collect(course: Course, assignment_id: str) -> dict[str, str]:
    """student → Canvas user id, from the Canvas file names of the last `course collect` of the assignment
    (``reports/<ID>/collect.txt``: ``doe_jane_12345_67890_ex01_convolution.ipynb`` → 12345)."""
    record = course.reports_dir(assignment_id) / "collect.txt"
    if not record.is_file():
        return {}
    found = {}
    for line in record.read_text(encoding="utf-8").splitlines():
        collected = COLLECTED.match(line)
        canvas = CANVAS.match(collected["origin"]) if collected and "/" not in collected["origin"] else None
        if canvas:
            found[collected["student"]] = canvas["uid"]
    return found


def class_list(course: Course, assignment_ids: list[str], roster_path: Path | None = None) -> dict[str, Person]:
    """student id → Person: the gradebook's students, the roster's and every student with a submission."""
    people: dict[str, Person] = {}

    def person(student: str) -> Person:
        return people.setdefault(student, Person(student))

    if course.db_path.is_file():
        with open_gradebook(course.db_path) as gradebook:
            for student in gradebook.students:
                person(student.id).update(
                    first_name=student.first_name,
                    last_name=student.last_name,
                    email=student.email,
                    lms_id=student.lms_user_id,
                )
    known = {f.name for f in fields(Person)} - {"student_id"}
    for row in Roster(roster_path).rows if roster_path else []:
        person(row["student_id"].strip()).update(**{k: v for k, v in row.items() if k in known})
    for assignment_id in assignment_ids:
        for student in course.submitted(assignment_id):
            person(student)
        for student, lms_id in canvas_ids_from_collect(course, assignment_id).items():
            if not person(student).lms_id:
                person(student).lms_id = lms_id
    return dict(sorted(people.items()))


def assignment_scores(course: Course, assignment_id: str) -> tuple[dict[str, float], list[str], float | None]:
    """(student → total score, students whose submission has no result yet, points possible) of an assignment.

    Like ``course report``: the result file of each student whose submission is the current one."""
    submitted = course.submitted(assignment_id)
    results = {s: r for s, r in course.results(assignment_id).items() if s in submitted}
    scores = {student: float(result["score"]) for student, result in results.items()}
    waiting = sorted(set(submitted) - set(results))
    maximum = max((float(r["max_score"]) for r in results.values()), default=None)
    if maximum is None and course.db_path.is_file():
        from nbgrader.api import MissingEntry

        with open_gradebook(course.db_path) as gradebook:
            try:
                maximum = float(gradebook.find_assignment(assignment_id).max_score) or None
            except MissingEntry:
                pass
    return scores, waiting, maximum


def _number(value: float) -> str:
    """A score as the platforms read it: at most two decimals (Canvas's precision), no trailing zeros."""
    return f"{round(value, 2):g}"


def parse_columns(specs: list[str] | None, assignment_ids: list[str]) -> dict[str, str]:
    """``ID=TITLE`` options → assignment id → column title (the id itself where none is given)."""
    titles = {assignment_id: assignment_id for assignment_id in assignment_ids}
    for spec in specs or []:
        assignment_id, sep, title = spec.partition("=")
        if not sep or not title.strip():
            raise CourseError(f"bad --column {spec!r}: expected ID=TITLE, e.g. 'ex01_convolution=Exercise 1 (4567)'")
        if assignment_id not in titles:
            raise CourseError(f"bad --column {spec!r}: {assignment_id} is not one of {', '.join(assignment_ids)}")
        titles[assignment_id] = title.strip()
    return titles


def export(
    course: Course,
    assignment_ids: list[str],
    fmt: str = "csv",
    *,
    roster_path: Path | None = None,
    missing_zero: bool = False,
    output: Path | None = None,
    columns: list[str] | None = None,
) -> ExportReport:
    """Write the grades of ``assignment_ids`` in format ``fmt`` (canvas, moodle or csv); return what was written."""
    if fmt not in FORMATS:
        raise CourseError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    assignment_ids = list(dict.fromkeys(assignment_ids))
    for assignment_id in assignment_ids:
        course.check_assignment(assignment_id)
    titles = parse_columns(columns, assignment_ids)
    people = class_list(course, assignment_ids, roster_path)
    if not people:
        raise CourseError(f"no students: run `course collect` first (or pass --roster); workspace {course.workspace}")
    notes = []
    cells: dict[str, dict[str, str]] = {student: {} for student in people}
    maxima: dict[str, float | None] = {}
    for assignment_id in assignment_ids:
        scores, waiting, maxima[assignment_id] = assignment_scores(course, assignment_id)
        submitted = course.submitted(assignment_id)
        for student in people:
            if student in scores:
                cells[student][assignment_id] = _number(scores[student])
            elif student not in submitted and missing_zero:
                cells[student][assignment_id] = "0"
            else:
                cells[student][assignment_id] = ""
        if waiting:
            notes.append(
                f"{assignment_id}: {len(waiting)} submission(s) not graded yet, left empty: {', '.join(waiting)} "
                f"(run `course autograde {assignment_id}`)"
            )
    if output is None:
        folder = course.reports_dir(assignment_ids[0]) if len(assignment_ids) == 1 else course.workspace / "reports"
        output = folder / ("export.csv" if fmt == "csv" else f"export-{fmt}.csv")
    output.parent.mkdir(parents=True, exist_ok=True)
    header = [titles[a] for a in assignment_ids]
    with output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if fmt == "canvas":
            writer.writerow([*CANVAS_STUDENT_COLUMNS, *header])
            points = ["" if maxima[a] is None else _number(maxima[a]) for a in assignment_ids]
            writer.writerow(["Points Possible", "", "", "", "", *points])
        else:
            writer.writerow([*(MOODLE_STUDENT_COLUMNS if fmt == "moodle" else PLAIN_STUDENT_COLUMNS), *header])
        for student, who in people.items():
            if fmt == "canvas":
                identity = [who.sortable_name, who.lms_id, who.sis_user_id, who.sis_login_id, who.section]
            else:
                first, last = (who.first_name, who.last_name) if who.first_name or who.last_name else (who.name, "")
                identity = [first, last, student, who.email] if fmt == "moodle" else [student, first, last, who.email]
            writer.writerow([*identity, *(cells[student][a] for a in assignment_ids)])
    notes += _unmatched(fmt, people)
    return ExportReport(output, len(people), notes)


def _unmatched(fmt: str, people: dict[str, Person]) -> list[str]:
    """Students the platform can only match weakly."""
    if fmt == "canvas":
        weak = [s for s, p in people.items() if not (p.lms_id or p.sis_user_id or p.sis_login_id)]
        what = (
            "no Canvas ID, SIS User ID or SIS Login ID, so Canvas can match them by name only (give their Canvas "
            "user ids in the roster's lms_id column)"
        )
    elif fmt == "moodle":
        weak = [s for s, p in people.items() if not p.email]
        what = "no email: map Moodle's ID number to the ID number column, or give emails in the roster"
    else:
        return []
    return [f"{len(weak)} student(s) with {what}: {', '.join(weak)}"] if weak else []
