"""``course feedback``: one HTML page per student from the grading results.

The page is built from ``results/<assignment>/<student>.json`` only: per graded part its points, whether it
passed, and the error type and message of a failed test; the result's ``problems`` (what happened to the
submission, said to the student), never its ``grader_notes`` (the instructor's report has those). A submission
that could not be graded gets what happened and what to do instead of a row of zeros per part. Test code is shown
only as released to students (the hidden-test region removed), tracebacks are never shown, so neither hidden test
code nor the hidden cases' expected values can reach a student (hidden tests report with ``reveal=False``; see
GRADING.md). The HTML comes from ``templates/feedback.html``, every value escaped.
"""

from __future__ import annotations

from pathlib import Path

from nbgrader.utils import is_grade

from .cells import grade_id
from .pages import render_page
from .workspace import Course, CourseError

HIDDEN_BEGIN = "BEGIN HIDDEN TESTS"
HIDDEN_END = "END HIDDEN TESTS"


def visible_source(source: str) -> str:
    """A test cell's code as students see it: the hidden-test region removed."""
    lines, hidden = [], False
    for line in source.splitlines():
        if HIDDEN_BEGIN in line:
            hidden = True
        elif HIDDEN_END in line:
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines).strip()


def _test_sources(course: Course, assignment_id: str) -> dict[tuple[str, str], str]:
    import nbformat

    sources = {}
    for name in course.notebook_names(assignment_id):
        nb = nbformat.read(course.source_dir / assignment_id / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            if is_grade(cell) and cell.cell_type == "code":
                sources[(name, grade_id(cell))] = visible_source(cell.source)
    return sources


def _about(line: str, notebooks: list[str]) -> bool:
    return any(line.startswith(f"{name}.ipynb") for name in notebooks)


def _part_rows(result: dict, sources: dict[tuple[str, str], str]) -> list[dict]:
    """The graded parts as the page's table shows them: the verdict, and for a failed part its error and visible
    test code."""
    invalid = set(result.get("invalid_notebooks", []))
    rows = []
    for part in result["parts"]:
        row = {"part": part, "verdict": "passed", "error": None, "code": None}
        if part["notebook"] in invalid:
            row["verdict"] = "not graded"
        elif part["score"] < part["max_score"] or part["error"]:
            row["verdict"] = "failed"
            row["error"] = part["error"] or "no error message (the test did not run, or scored 0)"
            row["code"] = sources.get((part["notebook"], part["grade_id"]))
        rows.append(row)
    return rows


def render(result: dict, sources: dict[tuple[str, str], str]) -> str:
    """The feedback page of one result: the score; for a notebook or a submission that could not be graded, what
    happened and what the student can do; the notes that explain the student's result (``problems``; never
    ``grader_notes``, which are the instructor's); and the graded parts."""
    invalid = result.get("invalid_notebooks", [])
    lines = result.get("problems", [])
    return render_page(
        "feedback.html",
        result=result,
        invalid=invalid,
        invalid_problems=[line for line in lines if _about(line, invalid)],
        problems=[line for line in lines if not _about(line, invalid)],
        rows=_part_rows(result, sources),
    )


def feedback(course: Course, assignment_id: str, students: list[str] | None = None) -> list[Path]:
    """Write ``feedback/<assignment>/<student>.html`` for every graded student; return the paths."""
    course.check_assignment(assignment_id)
    results = course.results(assignment_id)
    if not results:
        raise CourseError(f"no grading results for {assignment_id}: run `course autograde {assignment_id}` first")
    unknown = sorted(set(students or ()) - set(results))
    if unknown:
        raise CourseError(f"no grading result of {assignment_id} for student(s): {', '.join(unknown)}")
    sources = _test_sources(course, assignment_id)
    folder = course.workspace / "feedback" / assignment_id
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for student, result in sorted(results.items()):
        if students and student not in students:
            continue
        path = folder / f"{student}.html"
        path.write_text(render(result, sources), encoding="utf-8")
        written.append(path)
    return written
