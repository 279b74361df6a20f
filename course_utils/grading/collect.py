"""``course collect``: import submissions exported by a learning platform into the workspace.

Understood layouts (a folder or a zip of it):

* Canvas: ``doe_jane_12345_67890_ex01_convolution.ipynb`` (``name[_LATE]_userid_submissionid_filename``);
* Moodle: ``Jane Doe_12345_assignsubmission_file_/ex01_convolution.ipynb`` (files may sit in subfolders);
* a folder per student: ``<student id>/ex01_convolution.ipynb`` or ``<student id>/<assignment>/...ipynb``.

An optional roster CSV (column ``student_id``; optional ``first_name``, ``last_name``, ``name``, ``email``,
``lms_id``) maps the platform's names or user ids to the course's student ids. Every file that is not imported is
listed with the reason. When a student has several submissions, the newest (file time, then submission id) becomes
the current one and the others are kept under ``superseded/``. A current submission that cannot be graded (not a
valid notebook, or a notebook without one cell of the assignment) is imported all the same and flagged ``INVALID``.
"""

from __future__ import annotations

import csv
import datetime
import os
import re
import shutil
import tempfile
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .cells import grade_id, notebook_defect
from .gradebook import open_gradebook
from .workspace import Course, CourseError

CANVAS = re.compile(r"^(?P<name>.+?)(?:_LATE)?_(?P<uid>\d+)_(?P<sub>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+)_(?P<pid>\d+)_assignsubmission_(?P<kind>[a-z]+)_?$")
#: What an INVALID line asks the instructor to pass on.
INVALID_ADVICE = (
    "Imported anyway (it will score 0); ask the student to download the notebook again, copy their answers into it, "
    "Restart & Run All and resubmit it under its original name"
)
#: Suffixes platforms and file managers add to repeated downloads: "-1", " (2)", " copy".
COPY_SUFFIX = re.compile(r"(?:-\d+| \(\d+\)| copy)$")
ASSIGNMENT_LIKE = re.compile(r"\bex\d{2}(?:_[a-z0-9]+)*", re.IGNORECASE)


@dataclass
class Candidate:
    """One notebook file found in the export, attributed to a student."""

    student: str
    notebook: str
    path: Path
    origin: str
    mtime: float
    order: int = 0
    notes: list[str] = field(default_factory=list)


def _fold(text: str) -> str:
    """Lower-case ASCII letters and digits of ``text`` with accents removed."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum() or ch == " " or ch == "_")


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", _fold(name)) if t]


def _name_keys(name: str) -> set[str]:
    tokens = _tokens(name)
    return {"".join(sorted(tokens)), "".join(tokens), "".join(reversed(tokens))} - {""}


def slug(name: str) -> str:
    """A student id made from a platform's display name: ``"Jane Doe"`` → ``jane_doe``."""
    return "_".join(_tokens(name)) or "unknown"


class Roster:
    """Maps names and platform user ids to student ids; without a CSV, names become slugs."""

    def __init__(self, path: Path | None):
        self.rows: list[dict] = []
        self._by_key: dict[str, str] = {}
        if path is None:
            return
        if not path.is_file():
            raise CourseError(f"roster {path} does not exist")
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "student_id" not in reader.fieldnames:
                raise CourseError(f"roster {path} needs a 'student_id' column (has: {reader.fieldnames})")
            self.rows = [row for row in reader if row.get("student_id", "").strip()]
        for row in self.rows:
            student = row["student_id"].strip()
            keys = {f"id:{student.lower()}"}
            if row.get("lms_id", "").strip():
                keys.add(f"lms:{row['lms_id'].strip()}")
            full = row.get("name") or f"{row.get('first_name', '')} {row.get('last_name', '')}"
            keys |= {f"name:{k}" for k in _name_keys(full)}
            if row.get("email"):
                keys.add(f"id:{row['email'].split('@')[0].strip().lower()}")
            for key in keys:
                self._by_key.setdefault(key, student)

    def match(self, name: str, lms_id: str | None = None) -> str | None:
        """The student id for a platform name (and user id); None when a roster is given and nothing matches."""
        if not self.rows:
            return slug(name)
        if lms_id and f"lms:{lms_id}" in self._by_key:
            return self._by_key[f"lms:{lms_id}"]
        if f"id:{name.strip().lower()}" in self._by_key:
            return self._by_key[f"id:{name.strip().lower()}"]
        for key in sorted(_name_keys(name)):
            if f"name:{key}" in self._by_key:
                return self._by_key[f"name:{key}"]
        return None


def _open_source(source: Path, scratch: Path) -> Path:
    """The folder to scan: ``source`` itself, or the zip extracted into ``scratch`` with its file times."""
    if source.is_dir():
        return source
    if not source.is_file():
        raise CourseError(f"submissions source {source} does not exist")
    if not zipfile.is_zipfile(source):
        raise CourseError(f"{source} is neither a folder nor a zip file")
    with zipfile.ZipFile(source) as archive:
        for info in archive.infolist():
            parts = Path(info.filename).parts
            if info.is_dir() or ".." in parts or Path(info.filename).is_absolute() or parts[0] == "__MACOSX":
                continue
            target = scratch.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            stamp = time.mktime((*info.date_time, 0, 0, -1))
            os.utime(target, (stamp, stamp))
    return scratch


def _strip_copy_suffix(stem: str) -> str:
    while COPY_SUFFIX.search(stem):
        stem = COPY_SUFFIX.sub("", stem)
    return stem


@dataclass
class CollectReport:
    imported: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [*self.imported, *self.problems]


def collect(course: Course, assignment_id: str, source: Path, roster_path: Path | None = None) -> CollectReport:
    """Import every submission of ``assignment_id`` found in ``source`` (folder or zip); return what happened."""
    course.check_assignment(assignment_id)
    roster = Roster(roster_path)
    notebooks = course.notebook_names(assignment_id)
    others = {a: course.notebook_names(a) for a in course.assignments() if a != assignment_id}
    report = CollectReport()
    with tempfile.TemporaryDirectory(prefix="course-collect-") as scratch:
        root = _open_source(source, Path(scratch))
        candidates = _scan(root, assignment_id, notebooks, others, roster, report)
        _install(course, assignment_id, candidates, report, _grade_ids(course, assignment_id))
    _register_students(course, roster, {c.student for c in candidates})
    folder = course.reports_dir(assignment_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "collect.txt").write_text("\n".join(report.lines()) + "\n", encoding="utf-8")
    return report


def _grade_ids(course: Course, assignment_id: str) -> dict[str, set[str]]:
    """notebook name → the grade ids of its source's nbgrader cells."""
    import nbformat

    ids = {}
    for name in course.notebook_names(assignment_id):
        source = nbformat.read(course.source_dir / assignment_id / f"{name}.ipynb", as_version=4)
        ids[name] = {grade_id(cell) for cell in source.cells} - {None}
    return ids


def _flag_invalid(line: str, current: Path, grade_ids: set[str]) -> str:
    """``line`` about a student's current notebook, marked INVALID (with the reason) where it cannot be graded."""
    defect = notebook_defect(current, grade_ids)
    if defect is None:
        return line
    return f"INVALID {line.split(' ', 1)[1]}; {current.name} {defect}. {INVALID_ADVICE}"


def _scan(
    root: Path,
    assignment_id: str,
    notebooks: list[str],
    others: dict[str, list[str]],
    roster: Roster,
    report: CollectReport,
) -> list[Candidate]:
    candidates: list[Candidate] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if any(part.startswith(".") or part == "__MACOSX" for part in rel.parts) or ".ipynb_checkpoints" in rel.parts:
            continue
        where = rel.as_posix()
        owner = _owner(rel, roster)
        if owner is None:
            report.problems.append(
                f"UNMATCHED {where}: no student could be found for this file "
                f"(not a Canvas/Moodle name, not in a student folder, or not on the roster)"
            )
            continue
        if owner == "":
            report.problems.append(f"IGNORED {where}: not a file submission")
            continue
        student, filename, order = owner
        if not filename.endswith(".ipynb"):
            report.problems.append(f"IGNORED {where}: not a notebook (student {student})")
            continue
        stem = _strip_copy_suffix(Path(filename).stem)
        folders = set(rel.parts[:-1])
        other = next((a for a, names in others.items() if stem in names or a in folders), None)
        notes = []
        if stem in notebooks:
            notebook = stem
        elif other is not None:
            report.problems.append(
                f"OTHER ASSIGNMENT {where}: this is a submission for {other}, "
                f"not {assignment_id} (student {student}); not imported"
            )
            continue
        elif ASSIGNMENT_LIKE.search(stem) and not ASSIGNMENT_LIKE.search(stem).group(0).startswith(assignment_id):
            report.problems.append(
                f"UNKNOWN ASSIGNMENT {where}: {stem!r} names no assignment of this course "
                f"(student {student}); not imported"
            )
            continue
        elif len(notebooks) == 1:
            notebook = notebooks[0]
            notes.append(f"renamed notebook {Path(filename).name!r} taken as {notebook}.ipynb")
        else:
            report.problems.append(
                f"UNMATCHED {where}: {Path(filename).name!r} is none of {notebooks} (student {student})"
            )
            continue
        candidates.append(Candidate(student, notebook, path, where, path.stat().st_mtime, order, notes))
    return candidates


def _owner(rel: Path, roster: Roster):
    """(student id, file name, order) for a file of the export; None: nobody; "": not a file submission."""
    for part in rel.parts[:-1]:
        moodle = MOODLE.match(part)
        if moodle:
            if moodle["kind"] != "file":
                return ""
            student = roster.match(moodle["name"])
            return None if student is None else (student, rel.name, int(moodle["pid"]))
    canvas = CANVAS.match(rel.name)
    if canvas and len(rel.parts) == 1:
        student = roster.match(canvas["name"], canvas["uid"])
        return None if student is None else (student, canvas["file"], int(canvas["sub"]))
    if len(rel.parts) >= 2:
        student = roster.match(rel.parts[0])
        return None if student is None else (student, rel.name, 0)
    return None


def _timestamp(mtime: float) -> str:
    return datetime.datetime.fromtimestamp(mtime, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f %Z")


def _install(
    course: Course,
    assignment_id: str,
    candidates: list[Candidate],
    report: CollectReport,
    grade_ids: dict[str, set[str]],
) -> None:
    """Make the newest candidate of each student's notebook current; keep every older one under superseded/; flag a
    current notebook that cannot be graded (``grade_ids``: notebook → its cells' grade ids)."""
    by_key: dict[tuple[str, str], list[Candidate]] = {}
    for candidate in candidates:
        by_key.setdefault((candidate.student, candidate.notebook), []).append(candidate)
    for (student, notebook), group in sorted(by_key.items()):
        group.sort(key=lambda c: (c.mtime, c.order, c.origin))
        newest = group[-1]
        target_dir = course.workspace / "submitted" / student / assignment_id
        kept = course.workspace / "superseded" / assignment_id / student
        target = target_dir / f"{notebook}.ipynb"
        if target.is_file() and target.read_bytes() == newest.path.read_bytes():
            line = f"UNCHANGED {student}: {newest.origin} is already the current submission"
            report.imported.append(_flag_invalid(line, target, grade_ids[notebook]))
            continue
        if target.is_file() and target.stat().st_mtime > newest.mtime:
            group.append(Candidate(student, notebook, target, f"earlier current {target.name}", target.stat().st_mtime))
            group.sort(key=lambda c: (c.mtime, c.order, c.origin))
            newest = group[-1]
        for older in group[:-1]:
            if older.path == target:
                continue
            kept.mkdir(parents=True, exist_ok=True)
            destination = kept / f"{int(older.mtime)}_{Path(older.origin).name}"
            shutil.copy2(older.path, destination)
        if newest.path == target:
            line = f"DUPLICATE {student}: the current submission is newer; {len(group) - 1} older kept in superseded/"
            report.imported.append(_flag_invalid(line, target, grade_ids[notebook]))
            continue
        if target.is_file():
            kept.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target, kept / f"{int(target.stat().st_mtime)}_{target.name}")
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(newest.path, target)
        (target_dir / "timestamp.txt").write_text(_timestamp(newest.mtime) + "\n")
        line = f"IMPORTED {student}: {newest.origin} -> submitted/{student}/{assignment_id}/{notebook}.ipynb"
        if len(group) > 1:
            line += f" (newest of {len(group)}; older kept in superseded/{assignment_id}/{student}/)"
        for note in newest.notes:
            line += f"; {note}"
        report.imported.append(_flag_invalid(line, target, grade_ids[notebook]))


def _register_students(course: Course, roster: Roster, students: set[str]) -> None:
    """Add roster students (with names) and every collected student to the gradebook."""

    with open_gradebook(course.db_path) as gradebook:
        for row in roster.rows:
            gradebook.update_or_create_student(
                row["student_id"].strip(),
                first_name=row.get("first_name") or None,
                last_name=row.get("last_name") or None,
                email=row.get("email") or None,
            )
        for student in sorted(students):
            gradebook.update_or_create_student(student)
