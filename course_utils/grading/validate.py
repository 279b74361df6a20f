"""``course validate NOTEBOOK``: for students — run the notebook and summarise its visible tests.

Each test cell (nbgrader grade cell) is reported as passed or failed with the error message; a test cell that
writes to stderr (a warning) fails, as in nbgrader's autograder and ``course autograde``. The exit status is 0 only
when every test passes. The hidden tests that grade the submission are not in the student's notebook.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

from nbgrader.utils import is_grade

from .cells import grade_id
from .workspace import CourseError

log = logging.getLogger("course")


def failure(cell) -> str:
    """Why an executed test cell failed, or "" when it passed: an error, or text on stderr (a warning), the rule
    nbgrader's autograder and ``course autograde`` apply too."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename')}: {output.get('evalue')}"
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            text = "".join(output.get("text", "")).strip()
            return (
                f"the cell printed a warning or error text, and a test that prints one fails: {text.splitlines()[0]!r}"
                if text
                else "the cell wrote to stderr"
            )
    return ""


def validate(notebook: Path, timeout: int = 300) -> bool:
    """Execute ``notebook`` (in its folder) and print one line per test; return whether all passed."""
    import nbformat
    from nbclient import NotebookClient

    if not notebook.is_file():
        raise CourseError(f"{notebook} does not exist")
    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception as error:  # invalid JSON or not a notebook at all
        raise CourseError(f"{notebook} is not a valid notebook: {error}") from None
    client = NotebookClient(
        nb,
        timeout=timeout,
        allow_errors=True,
        interrupt_on_timeout=True,
        resources={"metadata": {"path": str(notebook.parent.resolve())}},
    )
    client.execute(stderr=subprocess.DEVNULL)  # the kernel's own start-up notices are not the student's concern
    passed = failed = 0
    for cell in nb.cells:
        if not (is_grade(cell) and cell.cell_type == "code"):
            continue
        problem = failure(cell)
        if problem:
            failed += 1
            log.info(f"FAILED {grade_id(cell)}: {problem}")
        else:
            passed += 1
            log.info(f"passed {grade_id(cell)}")
    if passed + failed == 0:
        log.info(f"{notebook.name}: no tests found (is this a course notebook?)")
        return False
    log.info(
        f"{notebook.name}: {passed} of {passed + failed} visible tests passed"
        + ("" if failed else " — hidden tests will check more cases when it is graded")
    )
    return failed == 0
