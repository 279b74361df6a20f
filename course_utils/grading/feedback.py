"""``course feedback``: one HTML page per student from the grading results.

The page is built from ``results/<assignment>/<student>.json`` only: per graded part its points, whether it
passed, and the error type and message of a failed test; the result's ``problems`` (what happened to the
submission, said to the student), never its ``grader_notes`` (the instructor's report has those). A submission
that could not be graded gets what happened and what to do instead of a row of zeros per part. Test code is shown
only as released to students (the hidden-test region removed), tracebacks are never shown, so neither hidden test
code nor the hidden cases' expected values can reach a student (hidden tests report with ``reveal=False``; see
GRADING.md).
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


def _about(line: str, notebooks: list[str]) -> bool:
    return any(line.startswith(f"{name}.ipynb") for name in notebooks)


def _what_to_do(result: dict) -> str:
    """The page's opening for a submission that could not be graded, or had a notebook that could not be: what
    happened, in the grader's words, and what the student can do about it ("" for a graded submission)."""
    esc = html.escape
    invalid = result.get("invalid_notebooks", [])
    if invalid:
        names = ", ".join(f"<code>{esc(name)}.ipynb</code>" for name in invalid)
        lines = "".join(f"<li>{esc(line)}</li>" for line in result.get("problems", []) if _about(line, invalid))
        return (
            f'<div class="note"><p><strong>{names} could not be graded</strong>, so its parts score 0:</p>'
            f"<ul>{lines}</ul><p>What to do:</p><ol>"
            f"<li>Download the exercise notebook again from the course website and copy your answers into its "
            f"answer cells (or open your own copy in Jupyter and check that it opens and is this exercise's "
            f"notebook).</li>"
            f"<li>Run <em>Kernel → Restart &amp; Run All</em> and check that every cell runs.</li>"
            f"<li>Save it and submit it again under its original name: {names}.</li></ol></div>"
        )
    if result["status"] == "graded":
        return ""
    lines = "".join(f"<li>{esc(line)}</li>" for line in result.get("problems", []))
    if not lines:
        return (
            '<div class="note"><p><strong>Your submission could not be graded</strong> because of a problem on the '
            "grader's side, not in your notebook. Your instructor has been told and will grade it again; you need "
            "not do anything.</p></div>"
        )
    return (
        f'<div class="note"><p><strong>Your submission could not be graded</strong>:</p><ul>{lines}</ul>'
        f"<p>What to do: open your notebook in Jupyter and run <em>Kernel → Restart &amp; Run All</em>. The cell "
        f"that stops it (an endless loop, a crash, too much memory) is the one to fix; when every cell runs, "
        f"submit it again.</p></div>"
    )


def _rows(result: dict, sources: dict[tuple[str, str], str]) -> str:
    """The table of graded parts: points, and for a failed part its error and visible test code."""
    esc = html.escape
    invalid = set(result.get("invalid_notebooks", []))
    rows = []
    for part in result["parts"]:
        passed = part["score"] >= part["max_score"] and not part["error"]
        verdict = '<span class="pass">passed</span>' if passed else '<span class="fail">failed</span>'
        detail = ""
        if part["notebook"] in invalid:
            verdict = '<span class="fail">not graded</span>'
        elif not passed:
            detail = f"<pre>{esc(part['error'] or 'no error message (the test did not run, or scored 0)')}</pre>"
            code = sources.get((part["notebook"], part["grade_id"]))
            if code:
                detail += f"<details><summary>visible test code</summary><pre>{esc(code)}</pre></details>"
        rows.append(
            f"<tr><td><code>{esc(part['notebook'])}</code> / <code>{esc(part['grade_id'])}</code></td>"
            f"<td>{part['score']:g} / {part['max_score']:g}</td><td>{verdict}{detail}</td></tr>"
        )
    return f"<table><tr><th>Part</th><th>Points</th><th>Result</th></tr>{''.join(rows)}</table>"


def render(result: dict, sources: dict[tuple[str, str], str]) -> str:
    """The feedback page of one result: the score, what to do when it could not be graded, the notes that explain the
    student's result (``problems``; never ``grader_notes``, which are the instructor's), and the graded parts."""
    esc = html.escape
    opening = _what_to_do(result)
    notes = ""
    if result["status"] == "graded":  # (the opening says the problems of a failed submission)
        invalid = result.get("invalid_notebooks", [])
        lines = [line for line in result.get("problems", []) if not _about(line, invalid)]
        notes = "".join(f'<p class="note">{esc(line)}</p>' for line in lines)
        table = _rows(result, sources)
    else:  # nothing ran: one line instead of a row per part
        table = f"<p>None of the {len(result['parts'])} graded parts could be run, so each scores 0.</p>"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Feedback: '
        f"{esc(result['assignment'])} — {esc(result['student'])}</title><style>{STYLE}</style></head><body>"
        f"<h1>{esc(result['assignment'])}: feedback for {esc(result['student'])}</h1>"
        f"<p><strong>Score: {result['score']:g} / {result['max_score']:g}</strong></p>{opening}{notes}{table}"
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
