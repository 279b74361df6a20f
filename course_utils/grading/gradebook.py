"""Every access of `course` to nbgrader's gradebook (``gradebook.db``): opening it, the graded parts of an
assignment, writing results. Workers grade in copies of it; only the parent writes the main one, one result at a
time, so SQLite never reports "database is locked".
"""

from __future__ import annotations

import warnings
from pathlib import Path

from .workspace import Course


def open_gradebook(database: str | Path):
    """nbgrader's :class:`~nbgrader.api.Gradebook` for a database URL (``sqlite:///...``, ``postgresql:...``) or a
    ``gradebook.db`` file; use it as a context manager."""
    from nbgrader.api import Gradebook

    url = str(database)
    return Gradebook(url if url.startswith(("sqlite:", "postgresql:", "mysql:")) else f"sqlite:///{url}")


def ignore_autoflush_warnings() -> None:
    """Silence SQLAlchemy's warning about nbgrader's own objects (``Object of type <SubmittedAssignment> not in
    session``): nbgrader's add_submission and remove_submission build and drop rows while SQLAlchemy autoflushes,
    which warns on every submission and changes nothing. Call inside ``warnings.catch_warnings()`` to keep it local."""
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", message="Object of type <Submitted", category=SAWarning)


def assignment_parts(course: Course, assignment_id: str) -> list[dict]:
    """The graded parts of an assignment in source order: notebook, grade id, max score."""
    parts = []
    with open_gradebook(course.db_path) as gradebook:
        for name in course.notebook_names(assignment_id):
            for cell in gradebook.find_notebook(name, assignment_id).grade_cells:
                parts.append({"notebook": name, "grade_id": cell.name, "max_score": cell.max_score})
    return parts


def import_results(course: Course, assignment_id: str, results: dict[str, dict]) -> None:
    """Write results into the main gradebook (serially; idempotent)."""
    from nbgrader.api import MissingEntry
    from nbgrader.utils import parse_utc

    with open_gradebook(course.db_path) as gradebook, warnings.catch_warnings():
        ignore_autoflush_warnings()
        for student, result in sorted(results.items()):
            gradebook.update_or_create_student(student)
            timestamp = parse_utc(result["timestamp"]) if result.get("timestamp") else None
            try:
                submission = gradebook.find_submission(assignment_id, student)
                submission.timestamp = timestamp
            except MissingEntry:
                gradebook.add_submission(assignment_id, student, timestamp=timestamp)
            for part in result["parts"]:
                grade = gradebook.find_grade(part["grade_id"], part["notebook"], assignment_id, student)
                grade.auto_score = part["score"]
                grade.needs_manual_grade = part["needs_manual_grade"]
            gradebook.db.commit()
