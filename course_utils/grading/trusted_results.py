"""Making the trusted run's verdicts (:func:`.trusted.regrade`) the visible result: the autograded notebook's test
cells show them, and the gradebook holds their scores (for courses that grade with plain ``nbgrader autograde``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from .cells import grade_id

#: Shown in a regraded test cell's output.
TRUSTED_NOTE = "(graded again by the trusted grader: the student's code ran in a sandbox, the tests outside it)"


class Verdict(NamedTuple):
    """The trusted result of one test cell: ``message`` is "" for a pass; ``printed`` is what the test printed;
    ``note`` says when it passed only with the course's correct versions of other graded functions."""

    points: float
    max_points: float
    message: str
    printed: str = ""
    note: str = ""


class RegradeNotes(NamedTuple):
    """What the trusted run of one submission says beside its scores: ``student`` explains the student's own result
    (a function that passes with the course's correct versions of the functions it calls) and goes on the feedback
    page; ``grader`` is about the grading (a score that differs from the notebook run's, a sandbox with less
    isolation) and goes to the instructor's report only."""

    student: list[str]
    grader: list[str]


def rewrite_outputs(notebook_path: str | Path, results: dict[str, Verdict]) -> None:
    """Make the regraded test cells of an autograded notebook show the trusted run (nbgrader's feedback reads them):
    what the test printed there and, for a failed test, one error output with the trusted message."""
    import nbformat

    notebook = nbformat.read(str(notebook_path), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code" or grade_id(cell) not in results:
            continue
        verdict = results[grade_id(cell)]
        outputs = [nbformat.v4.new_output("stream", name="stdout", text=verdict.printed)] if verdict.printed else []
        if verdict.points < verdict.max_points:
            ename, _, evalue = verdict.message.partition(": ")
            evalue = f"{evalue}\n{TRUSTED_NOTE}"
            outputs.append(
                nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])
            )
        cell.outputs = outputs
    # nbgrader leaves autograded notebooks read-only: write a new file in its place, with the same mode
    path = Path(notebook_path)
    partial = path.with_name(path.name + ".partial")
    nbformat.write(notebook, str(partial))
    os.chmod(partial, path.stat().st_mode)
    os.replace(partial, path)


def apply_regrade(
    gradebook: str | Path,
    assignment: str,
    student: str,
    results: dict[str, Verdict],
    *,
    notebook: str | None = None,
    autograded: str | Path | None = None,
) -> None:
    """Store ``results`` (from :func:`regrade`) as the auto scores in a real nbgrader gradebook.

    gradebook  : a database URL (``sqlite:///...``), a ``gradebook.db`` file or an nbgrader course directory
                 (then ``<course>/autograded/<student>/<assignment>/<notebook>.ipynb`` is rewritten too).
    notebook   : the notebook's name; by default the submitted notebook that has these grade cells.
    autograded : the autograded notebook to rewrite with :func:`rewrite_outputs` (default: see above).
    """
    from .gradebook import open_gradebook

    course = Path(gradebook) if Path(str(gradebook)).is_dir() else None
    with open_gradebook(course / "gradebook.db" if course else gradebook) as book:
        if notebook is None:
            submission = book.find_submission(assignment, student)
            notebook = next(nb.name for nb in submission.notebooks if set(results) <= {g.name for g in nb.grades})
        for cell_id, verdict in results.items():
            book.find_grade(cell_id, notebook, assignment, student).auto_score = verdict.points
        book.db.commit()
    if autograded is None and course is not None:
        candidate = course / "autograded" / student / assignment / f"{notebook}.ipynb"
        autograded = candidate if candidate.is_file() else None
    if autograded is not None:
        rewrite_outputs(autograded, results)
