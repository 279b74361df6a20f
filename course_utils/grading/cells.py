"""Notebook cells as the grader reads them: nbgrader's grade id, and running cell code outside IPython.

Whether a cell is a test, an answer or locked, ask nbgrader (``nbgrader.utils.is_grade``, ``is_solution``,
``is_locked``); it has no reader for the grade id, which :func:`grade_id` is.
"""

from __future__ import annotations


def grade_id(cell) -> str | None:
    """The nbgrader grade id of a cell (a NotebookNode or a plain dict), or None."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


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
