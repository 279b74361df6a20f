"""One grading worker process: ``python -m course_utils.grading.worker`` (started by :mod:`.autograde`).

It reads one task per line (JSON) on standard input, autogrades that submission with nbgrader inside a private
course folder and gradebook of its own, and answers one JSON line on its original standard output. It never
writes to the main gradebook: the parent merges the answers serially, so parallel workers cannot lock SQLite.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path

from nbgrader.utils import is_grade

from ..training import NO_GPU_ENV, TRAINED_OUTSIDE_ENV
from .cells import grade_id, notebook_defect
from .gradebook import ignore_autoflush_warnings, open_gradebook
from .namespaces import die_with_parent
from .workspace import Course, skip_iri_grammar

KERNEL_NAME = "course-grading-python"
MISSING_CELL_MARK = "was missing from the submission"
#: Longest error message kept from one test cell.
MAX_MESSAGE = 1500
#: nbgrader's warning when a submitted cell differs from the source's (it restores the source's either way).
CHANGED_CELL_WARNING = "Attribute '%s' for cell %s has changed!"


class _ExpectedChecksums(logging.Filter):
    """Drops nbgrader's warning that a test cell's checksum changed: a released test cell lacks the hidden tests, so
    its checksum differs from the source's in every submission; the other attributes' warnings stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (str(record.msg).startswith(CHANGED_CELL_WARNING) and record.args and record.args[0] == "checksum")


def configure_logging() -> None:
    """What the worker log (standard error, ``logs/<assignment>/worker-<n>.log``) holds: warnings and errors an
    instructor can act on, not the notices nbgrader and its gradebook give on every submission."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_ExpectedChecksums())
    ignore_autoflush_warnings()


def _install_kernel_spec(folder: Path, memory_mb: int, course: Course) -> None:
    """A kernel spec that starts the kernel through :mod:`.kernel` (confined, memory cap, dies with this worker).

    The kernel sees neither the course folder (hidden tests) nor the workspace (gradebooks, other submissions) nor
    Jupyter's runtime folder (other kernels' keys), only the Python installation, ``course_utils`` and the CIFAR-10
    file inside them, all read-only, plus its connection file; it may write only in its working directory, the
    worker's copy of the submission that nbgrader executes (``<workdir>/course/autograded/<student>/<assignment>``).
    """
    from jupyter_core.paths import jupyter_runtime_dir

    import course_utils

    spec = folder / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    hide = [course.course_dir, course.workspace, jupyter_runtime_dir()]
    keep = [Path(course_utils.__file__).parent, sys.prefix, sys.base_prefix, os.environ.get("COURSE_CIFAR10")]
    argv = [
        sys.executable,
        "-m",
        "course_utils.grading.kernel",
        "--memory-mb",
        str(memory_mb),
        *(f"--hide={path}" for path in hide),
        *(f"--keep={path}" for path in keep if path),
        "--",
        "-f",
        "{connection_file}",
        # ipykernel warns at every start that it talks to nbgrader over TCP without encryption (on loopback): noise
        # in the worker log. Its errors still show.
        "--IPKernelApp.log_level=ERROR",
    ]
    # The trusted regrade trains exercise 3's network in this process (see .trusted): the kernel skips its copy,
    # and never needs the GPU (so kernels of parallel workers hold none of its memory).
    env = {TRAINED_OUTSIDE_ENV: "1", **NO_GPU_ENV}
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "env": env, "display_name": "Python (grading)", "language": "python"})
    )
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(folder), os.environ.get("JUPYTER_PATH")]))


def _sanitize(submission: Path, notebooks: list[str], known_ids: dict[str, set[str]]) -> tuple[list[str], list[str]]:
    """Repair what nbgrader cannot grade, in the worker's copy; return one line per repair, and the notebooks that
    cannot be graded at all.

    A file that is missing, not a valid notebook, or a notebook without one cell of the assignment is removed
    (nbgrader then scores that notebook 0; see :func:`.cells.notebook_defect`); a cell whose grade id is not in the
    assignment, or repeats an earlier cell's, loses its nbgrader metadata (a test cell that is then missing is added
    back from the source).
    """
    import nbformat

    problems, invalid = [], []
    for name in notebooks:
        path = submission / f"{name}.ipynb"
        defect = "is missing from the submission" if not path.is_file() else notebook_defect(path, known_ids[name])
        if defect:
            problems.append(f"{name}.ipynb {defect}; scored 0")
            invalid.append(name)
            path.unlink(missing_ok=True)
            continue
        nb = nbformat.read(path, as_version=4)
        changed, seen = False, set()
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader")
            if meta is None:
                continue
            grade_id = meta.get("grade_id")
            if grade_id not in known_ids[name]:
                problems.append(
                    f"{name}.ipynb: a cell has grade id {grade_id!r}, which the assignment does not "
                    f"have (edited metadata?); it was graded as an ordinary cell"
                )
            elif grade_id in seen:
                problems.append(
                    f"{name}.ipynb: cell {grade_id!r} appears more than once; the copies after the "
                    f"first were graded as ordinary cells"
                )
            else:
                seen.add(grade_id)
                continue
            # nbgrader's own de-duplication leaves metadata that later steps cannot read: drop it here.
            del cell.metadata["nbgrader"]
            changed = True
        if changed:
            nbformat.write(nb, path)
    return problems, invalid


def _cell_errors(autograded: Path, notebooks: list[str]) -> tuple[dict, list[str]]:
    """(notebook, grade id) → "Name: message" of the test cell's error, and notes about the run."""
    import nbformat

    errors: dict[tuple[str, str], str] = {}
    notes: list[str] = []
    for name in notebooks:
        path = autograded / f"{name}.ipynb"
        if not path.is_file():
            continue
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            if is_grade(cell) and MISSING_CELL_MARK in cell.source.split("\n", 1)[0]:
                notes.append(
                    f"{name}.ipynb: test cell {grade_id(cell)!r} was deleted or changed in the "
                    f"submission and was restored from the source"
                )
            for output in cell.get("outputs", []):
                if output.get("output_type") != "error":
                    continue
                message = f"{output.get('ename')}: {output.get('evalue')}".strip().rstrip(":")
                if output.get("ename") == "CellTimeoutError":
                    notes.append(f"{name}.ipynb: cell {index + 1} was stopped by the per-cell timeout")
                    message = "CellTimeoutError: the cell ran past the per-cell time limit (infinite loop?)"
                if output.get("ename") == "MemoryError":
                    notes.append(f"{name}.ipynb: cell {index + 1} ran out of memory (the per-kernel limit)")
                if is_grade(cell) and cell.cell_type == "code":
                    errors[(name, grade_id(cell))] = message[:MAX_MESSAGE]
    return errors, notes


def _explain(error: str) -> tuple[str, str | None]:
    """Why nbgrader gave up on a submission: a line for the student and, where the cause is not in the student's
    notebook, a note for the instructor.

    nbgrader's own message can quote test cells (hidden tests included), so it goes to the worker log only.
    """
    if "DeadKernelError" in error or "kernel died" in error.lower():
        return "the kernel died while running the notebook (os._exit, a crash, or killed for memory); scored 0", None
    if "Timeout waiting for" in error or "CellTimeoutError" in error:
        return (
            "a cell kept running past the per-cell timeout and ignored the interrupt (an endless loop that "
            "blocks Ctrl-C?); scored 0"
        ), None
    return "the grader could not run the notebook; scored 0", "nbgrader failed on it: its error is in the worker log"


def check_sources(course: Course, assignment_id: str, expected_hash: str) -> None:
    """Raise CourseError unless the assignment's source notebooks still hash to ``expected_hash``, the hash
    `course autograde` took before any submission ran (the trusted regrade reads its tests from them)."""
    from .workspace import CourseError

    if course.source_hash(assignment_id) != expected_hash:
        raise CourseError(
            f"the source notebooks of {assignment_id} changed while it was being graded (by a "
            f"submission's code?); restore them from git and grade again"
        )


def grade(course: Course, workdir: Path, snapshot: Path, task: dict, cell_timeout: int) -> dict:
    """Autograde one submission in ``workdir``; the answer :mod:`.autograde` stores as the result."""
    from nbgrader.converters import Autograde

    from .workspace import CourseError, run_converter

    student, assignment_id = task["student"], task["assignment"]
    started = time.monotonic()
    private = workdir / "course"
    if private.exists():
        shutil.rmtree(private)
    copy = private / "submitted" / student / assignment_id
    shutil.copytree(task["submission"], copy)
    db = workdir / "gradebook.db"
    if not db.exists():
        shutil.copy(snapshot, db)
    notebooks = course.notebook_names(assignment_id)
    with open_gradebook(db) as gradebook:
        known = {n: {c.name for c in gradebook.find_notebook(n, assignment_id).source_cells} for n in notebooks}
    problems, invalid = _sanitize(copy, notebooks, known)
    grader_notes: list[str] = []

    config = course.nbgrader_config(root=private, db_path=db)
    config.CourseDirectory.assignment_id = assignment_id
    config.CourseDirectory.student_id = student
    config.Autograde.force = True
    config.Autograde.create_student = True
    config.OverwriteCells.add_missing_cells = True
    config.Execute.timeout = cell_timeout
    config.Execute.kernel_name = KERNEL_NAME
    status = "graded"
    if not any(copy.glob("*.ipynb")):
        status = "failed"  # every notebook is missing or invalid; _sanitize said which
    else:
        try:
            run_converter(Autograde, config)
        except CourseError as error:
            status = "failed"
            for_student, for_grader = _explain(str(error))
            problems.append(for_student)
            grader_notes += [for_grader] if for_grader else []

    autograded = private / "autograded" / student / assignment_id
    errors, notes = _cell_errors(autograded, notebooks) if status == "graded" else ({}, [])
    parts = []
    with open_gradebook(db) as gradebook:
        for name in notebooks:
            source = gradebook.find_notebook(name, assignment_id)
            scores = {}
            if status == "graded":
                submitted = gradebook.find_submission_notebook(name, assignment_id, student)
                scores = {g.name: g for g in submitted.grades}
            for cell in source.grade_cells:
                got = scores.get(cell.name)
                parts.append(
                    {
                        "notebook": name,
                        "grade_id": cell.name,
                        "max_score": cell.max_score,
                        "score": (got.score if got is not None and got.score is not None else 0.0),
                        "needs_manual_grade": bool(got.needs_manual_grade) if got is not None else False,
                        "error": errors.get((name, cell.name)),
                    }
                )
        if status == "graded":
            gradebook.remove_submission(assignment_id, student)
    out = Path(task["output"])
    if out.exists():
        shutil.rmtree(out)
    if autograded.is_dir():
        shutil.copytree(autograded, out)
    if status == "graded":
        # The score that counts: every test cell again, in this process, with the student's answer cells confined
        # to a sandbox (see .trusted); the run above could have been fooled by the student's code. Its tests must
        # be the ones `course autograde` started with, whatever code ran in the notebook kernels since.
        from .trusted import regrade_submission

        if task.get("source_hash"):
            check_sources(course, assignment_id, task["source_hash"])
        regrade_notes = regrade_submission(
            course.source_dir / assignment_id, copy, parts, out, hide=[course.course_dir, course.workspace]
        )
        problems += regrade_notes.student
        grader_notes += regrade_notes.grader
    return {
        "student": student,
        "assignment": assignment_id,
        "status": status,
        "problems": problems + notes,
        "grader_notes": grader_notes,
        "invalid_notebooks": invalid,
        "parts": parts,
        "seconds": round(time.monotonic() - started, 3),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="grading worker (started by `course autograde`)")
    parser.add_argument("--course-dir", required=True)
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--snapshot", required=True)
    parser.add_argument("--cell-timeout", type=int, required=True)
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--parent-pid", type=int, required=True)
    args = parser.parse_args(argv)
    die_with_parent()
    skip_iri_grammar()
    if os.getppid() != args.parent_pid:
        sys.exit(1)
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    configure_logging()
    workdir = Path(args.workdir)
    course = Course.open(args.course_dir, args.workspace)
    _install_kernel_spec(workdir / "jupyter", args.memory_mb, course)
    for line in sys.stdin:
        task = json.loads(line)
        try:
            answer = grade(course, workdir, Path(args.snapshot), task, args.cell_timeout)
        except Exception as error:  # one broken submission must not stop the worker; the parent records it
            logging.exception("grading %s failed", task.get("student"))
            answer = {
                "student": task.get("student"),
                "status": "failed",
                "parts": [],
                "problems": [],
                "grader_notes": [f"grading failed: {type(error).__name__}: {error}"],
            }
        answers.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
