"""``course feedback``: one HTML page per student from the grading results.

The page is built from ``results/<assignment>/<student>.json`` only: per graded part its points, whether it
passed, and the error type and message of a failed test. Test code is shown only as released to students (the
hidden-test region removed), tracebacks are never shown, so neither hidden test code nor the hidden cases'
expected values can reach a student (hidden tests report with ``reveal=False``; see GRADING.md).
"""

from __future__ import annotations

import html
from pathlib import Path

from nbgrader.utils import is_grade

from .cells import grade_id
from .workspace import Course, CourseError

HIDDEN_BEGIN = "BEGIN HIDDEN TESTS"
HIDDEN_END = "END HIDDEN TESTS"

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: .4rem; text-align: left; vertical-align: top; }
.pass { color: #1a7f37; } .fail { color: #b42318; } pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; }
.note { background: #fff8e1; padding: .5rem; border-left: 4px solid #f0b400; }
"""


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


def render(result: dict, sources: dict[tuple[str, str], str]) -> str:
    """The feedback page of one result."""
    esc = html.escape
    rows = []
    for part in result["parts"]:
        passed = part["score"] >= part["max_score"] and not part["error"]
        verdict = '<span class="pass">passed</span>' if passed else '<span class="fail">failed</span>'
        detail = ""
        if not passed:
            detail = f"<pre>{esc(part['error'] or 'no error message (the test did not run, or scored 0)')}</pre>"
            code = sources.get((part["notebook"], part["grade_id"]))
            if code:
                detail += f"<details><summary>visible test code</summary><pre>{esc(code)}</pre></details>"
        rows.append(
            f"<tr><td><code>{esc(part['notebook'])}</code> / <code>{esc(part['grade_id'])}</code></td>"
            f"<td>{part['score']:g} / {part['max_score']:g}</td><td>{verdict}{detail}</td></tr>"
        )
    notes = "".join(f'<p class="note">{esc(line)}</p>' for line in result.get("problems", []))
    status = "" if result["status"] == "graded" else '<p class="fail">Your submission could not be graded.</p>'
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Feedback: '
        f"{esc(result['assignment'])} — {esc(result['student'])}</title><style>{STYLE}</style></head><body>"
        f"<h1>{esc(result['assignment'])}: feedback for {esc(result['student'])}</h1>"
        f"<p><strong>Score: {result['score']:g} / {result['max_score']:g}</strong></p>{status}{notes}"
        f"<table><tr><th>Part</th><th>Points</th><th>Result</th></tr>{''.join(rows)}</table>"
        f"<p>Hidden tests check more cases than the visible ones; their code and expected values are not "
        f"shown.</p></body></html>\n"
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
