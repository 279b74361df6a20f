"""Notebook cells as the grader reads them: nbgrader's grade id, whether a submitted file holds the assignment's
cells at all, and running cell code outside IPython.

Whether a cell is a test, an answer or locked, ask nbgrader (``nbgrader.utils.is_grade``, ``is_solution``,
``is_locked``); it has no reader for the grade id, which :func:`grade_id` is.
"""

from __future__ import annotations

from pathlib import Path


def grade_id(cell) -> str | None:
    """The nbgrader grade id of a cell (a NotebookNode or a plain dict), or None."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def notebook_defect(path: str | Path, grade_ids: set[str]) -> str | None:
    """Why the file at ``path`` cannot be graded as the notebook whose cells have ``grade_ids``, or None.

    Said to the student, after the file's name: "is not a valid notebook (...)" when it is no notebook JSON (a
    damaged download, another kind of file), "has none of the exercise's cells (...)" when it is a notebook without
    one cell of this exercise (a new notebook, or another exercise's under this name). The released notebooks
    carry the grade ids as nbgrader metadata and as cell ids; either counts.
    """
    import nbformat

    try:
        notebook = nbformat.read(str(path), as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises JSON, schema and encoding errors alike
        return f"is not a valid notebook ({type(error).__name__}: {(str(error).splitlines() or [''])[0][:200]})"
    if not any(grade_id(cell) in grade_ids or cell.get("id") in grade_ids for cell in notebook.cells):
        return (
            "has none of the exercise's cells (a new notebook, or another exercise's notebook saved under this name?)"
        )
    return None


def as_python(source: str) -> str:
    """Cell source with IPython syntax (magics, ``!`` commands) turned into calls of ``get_ipython()``."""
    try:
        compile(source, "<cell>", "exec")
        return source
    except (SyntaxError, ValueError):
        pass
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # leave it to the compiler to report
        return source


class NullShell:
    """What ``get_ipython()`` returns outside IPython: every magic (converted to a call) does nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None
