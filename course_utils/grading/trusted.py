"""Trusted regrading: the hidden tests run in the grader's own process, the student's code in a :mod:`.sandbox`.

nbgrader runs the hidden tests inside the student's Python process, where the student's code can replace
``np.allclose``, read the expected values from the caller's frame, call a reference implementation found in
``globals()``, exit early or print "All tests passed". :func:`regrade` runs every graded test cell again:

* the student's code is the source of the submitted notebook's answer cells only, matched by the grade ids of the
  SOURCE notebook's answer cells (the submission's other cells and its nbgrader metadata decide nothing); it runs in
  a sandbox, after the source notebook's own setup cells;
* each test cell's full source (visible and hidden parts) comes from the SOURCE notebook and runs here, with the
  trusted NumPy, SciPy and ``course_utils``; the functions the assignment asks for are proxies that send the
  arguments into the sandbox and bring back plain data (arrays, numbers, strings, tuples, lists, dicts);
* a test cell earns its points when its code runs without an exception, else 0 with the exception's message.

A proxy carries the student's ``def`` as ``__student_source__`` and a ``__globals__`` that resolves the student's
imports, so :func:`course_utils.checks.assert_no_forbidden_calls` checks the student's code (it reads the source
with :func:`course_utils.checks.function_source`).

Keras models and callbacks cross as their configs (:mod:`.keras_values`): the grader rebuilds them from Keras's
own classes, so exercise 3's structure tests inspect, and its training tier trains, a model no student code can
reach. Assignments whose tests exchange other objects (TensorFlow tensors, PyTorch modules) with the student's code
cannot be regraded this way: :func:`regradable` says which. Cells after the last test cell (demonstrations) run
in neither process.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib
import io
import os
import re
import sys
import textwrap
import types
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from nbgrader.utils import is_grade, is_solution

from .cells import NullShell, as_python, grade_id
from .sandbox import Sandbox, SandboxLimits, default_layout

#: Libraries whose objects cannot cross the sandbox boundary as plain data.
UNREGRADABLE_IMPORTS = re.compile(r"^\s*(import|from)\s+(tensorflow|torch)\b", re.MULTILINE)
#: Keras's own imports need a larger sandbox (TensorFlow maps gigabytes of address space and loads for seconds;
#: TensorFlow and XLA start tens of threads, and the process limit counts threads of all sandboxes together).
KERAS_IMPORTS = re.compile(r"^\s*(import|from)\s+keras\b", re.MULTILINE)
KERAS_LIMITS = SandboxLimits(
    cpu_seconds=120, memory_mb=8192, open_files=256, processes=512, call_timeout=60.0, load_timeout=120.0
)
#: Shown in a regraded test cell's output.
TRUSTED_NOTE = "(graded again by the trusted grader: the student's code ran in a sandbox, the tests outside it)"


class Verdict(NamedTuple):
    """The trusted result of one test cell: ``message`` is "" for a pass; ``printed`` is what the test printed."""

    points: float
    max_points: float
    message: str
    printed: str = ""


@dataclass
class Cell:
    """A code cell of the source notebook: ``kind`` is "setup", "answer" or "test"."""

    kind: str
    grade_id: str | None
    source: str
    points: float = 0.0


def source_cells(notebook) -> list[Cell]:
    """The source notebook's code cells in order, up to its last test cell: setup (instructor code), answer (student
    code), test (graded)."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if is_solution(cell):
            cells.append(Cell("answer", grade_id(cell), cell.source))
        elif is_grade(cell):
            cells.append(Cell("test", grade_id(cell), cell.source, float(cell.metadata.nbgrader.get("points", 0))))
        else:
            cells.append(Cell("setup", grade_id(cell), cell.source))
    tests = [index for index, cell in enumerate(cells) if cell.kind == "test"]
    return cells[: tests[-1] + 1] if tests else cells


def regradable(notebook) -> bool:
    """Whether every test of the source notebook can be regraded (no TensorFlow or PyTorch objects)."""
    return not any(UNREGRADABLE_IMPORTS.search(cell.source) for cell in notebook.cells if cell.cell_type == "code")


def student_answers(cells: list[Cell], submitted) -> dict[str, str]:
    """grade id → the student's code, for each answer cell of the source (the first submitted cell with that id)."""
    wanted = {cell.grade_id for cell in cells if cell.kind == "answer"}
    answers: dict[str, str] = {}
    for cell in submitted.cells:
        if cell.get("cell_type") != "code":
            continue
        name = grade_id(cell) or cell.get("id")
        if name in wanted and name not in answers:
            answers[name] = cell.get("source", "")
    return answers


def _defined_names(source: str) -> list[str]:
    """Names a cell binds at its top level (functions, classes, assignments), in order."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in _top_level(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.extend(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return list(dict.fromkeys(names))


def _top_level(body):
    """Statements at the top level of a cell, looking inside if/try/with blocks."""
    for node in body:
        yield node
        for child in ("body", "orelse", "finalbody"):
            yield from _top_level(getattr(node, child, []) if isinstance(node, (ast.If, ast.Try, ast.With)) else [])
        for handler in getattr(node, "handlers", []) if isinstance(node, ast.Try) else []:
            yield from _top_level(handler.body)


class _Symbol(types.ModuleType):
    """A dotted name the trusted process did not import (``tensorflow.nn``); attributes extend the name."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Symbol(f"{self.__name__}.{name}")


def _resolve(dotted: str):
    """The object a dotted name refers to, through modules already imported here; else a :class:`_Symbol`."""
    parts = dotted.split(".")
    if parts[0] not in sys.modules:
        return _Symbol(dotted)
    obj = sys.modules[parts[0]]
    for index, part in enumerate(parts[1:], start=1):
        prefix = ".".join(parts[: index + 1])
        try:
            obj = getattr(obj, part)
        except Exception:  # a submodule not imported yet: import it only from a library already loaded
            try:
                obj = importlib.import_module(prefix)
            except Exception:
                return _Symbol(dotted)
    return obj


def _static_globals(sources: list[str], functions: dict) -> dict:
    """What the student's code's global names refer to, found without running it: its imports, simple aliases
    (``f = np.convolve``) and its own functions (``functions``: name → proxy)."""
    names: dict = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in _top_level(tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        names[alias.asname] = _resolve(alias.name)
                    else:
                        names[alias.name.split(".")[0]] = _resolve(alias.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        names[alias.asname or alias.name] = _resolve(f"{node.module}.{alias.name}")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in functions:
                names[node.name] = functions[node.name]
            elif (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, (ast.Name, ast.Attribute))
            ):
                value = _static_value(node.value, names)
                if value is not None:
                    names[node.targets[0].id] = value
    return names


def _static_value(node, names: dict):
    if isinstance(node, ast.Name):
        return names.get(node.id)
    parent = _static_value(node.value, names)
    try:
        return None if parent is None else getattr(parent, node.attr, None)
    except Exception:
        return None


def _function_sources(sources: list[str]) -> dict[str, str | None]:
    """name → source of its ``def`` (decorators included), when the last top-level binding of the name is that
    ``def``; None when the name is last bound some other way (an assignment, ``exec``, a loop)."""
    found: dict[str, str | None] = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        lines = source.splitlines()
        for node in _top_level(tree.body):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                found[node.name] = textwrap.dedent("\n".join(lines[first - 1 : node.end_lineno]))
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.ClassDef)):
                found.update(dict.fromkeys(_defined_names(ast.unparse(node))))
    return found


def _proxy(sandbox: Sandbox, name: str, source: str | None, module: str = "__main__"):
    """A function that calls ``name`` inside ``sandbox``; its globals are filled in by :func:`_static_globals`."""

    def proxy(*args, **kwargs):
        return sandbox.call(name, args, kwargs)

    function = types.FunctionType(proxy.__code__, {"__builtins__": builtins}, name, None, proxy.__closure__)
    function.__qualname__ = name
    function.__module__ = module
    function.__student_source__ = source
    return function


def _run_trusted(source: str, namespace: dict, name: str) -> tuple[Exception | None, str]:
    """Run trusted code; return the exception it raised (or None) and what it printed on stdout."""
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(as_python(source), name, "exec"), namespace)
    except Exception as error:
        return error, printed.getvalue()
    return None, printed.getvalue()


def regrade(
    source_notebook,
    submitted_notebook,
    *,
    limits: SandboxLimits | None = None,
    hide: list[str | Path] = (),
    report: dict | None = None,
) -> dict[str, Verdict]:
    """grade id → :class:`Verdict` for every test cell of ``source_notebook``.

    Both arguments are notebooks or paths to them. A verdict's ``message`` is "" for a passed test, else the
    exception's type and message. ``limits``: the sandbox's (default: :data:`KERAS_LIMITS` for a notebook that
    imports Keras, else :class:`SandboxLimits`). ``hide``: folders the sandbox must not see even where they lie inside a
    visible one (the course directory, the grading workspace). ``report``, when given, receives the sandbox's
    ``isolation`` and ``warning`` ("" when fully isolated).
    """
    import nbformat

    def read(notebook):
        return nbformat.read(str(notebook), as_version=4) if isinstance(notebook, (str, Path)) else notebook

    cells = source_cells(read(source_notebook))
    if limits is None and any(KERAS_IMPORTS.search(cell.source) for cell in cells):
        limits = KERAS_LIMITS
    answers = student_answers(cells, read(submitted_notebook))
    program = [
        as_python(answers.get(cell.grade_id, "") if cell.kind == "answer" else cell.source)
        for cell in cells
        if cell.kind != "test"
    ]
    student_code = [as_python(answers.get(cell.grade_id, "")) for cell in cells if cell.kind == "answer"]
    layout = default_layout(
        hide=[
            *hide,
            *(Path(p).resolve().parent for p in (source_notebook, submitted_notebook) if isinstance(p, (str, Path))),
        ]
    )
    results: dict[str, Verdict] = {}
    with Sandbox(limits, layout) as sandbox:
        asked = [name for cell in cells if cell.kind == "answer" for name in _defined_names(cell.source)]
        try:
            sandbox.load(program)
            kinds = sandbox.kinds(asked)
        except Exception as error:  # SandboxError, or a student's exception type raised while loading
            return {
                cell.grade_id: Verdict(0.0, cell.points, f"{type(error).__name__}: {error}")
                for cell in cells
                if cell.kind == "test"
            }
        finally:  # the sandbox has started (or failed to): say how isolated it was
            if report is not None:
                report.update(isolation=sandbox.isolation, warning=sandbox.warning)
        sources = _function_sources(student_code)
        proxies = {name: _proxy(sandbox, name, source) for name, source in sources.items()}
        static = _static_globals([c.source for c in cells if c.kind == "setup"] + student_code, proxies)
        for function in proxies.values():
            function.__globals__.update(static)
        bindings: dict = {}
        for name in asked:
            if kinds.get(name) == "function":
                bindings[name] = proxies.get(name) or _proxy(sandbox, name, None)
            elif kinds.get(name) == "value":
                try:
                    bindings[name] = sandbox.get(name)
                except Exception:  # not plain data: tests that use it fail with a NameError
                    continue
        namespace: dict = {"__name__": "__main__", "__builtins__": builtins, "get_ipython": NullShell}
        for cell in cells:
            if cell.kind == "setup":
                _run_trusted(cell.source, namespace, f"<setup {cell.grade_id}>")
            elif cell.kind == "answer":
                namespace.update({n: bindings[n] for n in _defined_names(cell.source) if n in bindings})
            else:
                namespace.update(bindings)
                error, printed = _run_trusted(cell.source, namespace, f"<test {cell.grade_id}>")
                message = "" if error is None else f"{type(error).__name__}: {error}".strip().rstrip(":")
                results[cell.grade_id] = Verdict(cell.points if error is None else 0.0, cell.points, message, printed)
    return results


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
    from nbgrader.api import Gradebook

    course = None
    if str(gradebook).startswith(("sqlite:", "postgresql:", "mysql:")):
        url = str(gradebook)
    elif Path(gradebook).is_dir():
        course = Path(gradebook)
        url = f"sqlite:///{course / 'gradebook.db'}"
    else:
        url = f"sqlite:///{gradebook}"
    with Gradebook(url) as book:
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


def regrade_submission(
    source_folder: str | Path,
    submission_folder: str | Path,
    parts: list[dict],
    autograded_folder: str | Path | None = None,
    *,
    hide: list[str | Path] = (),
    limits: SandboxLimits | None = None,
) -> list[str]:
    """Regrade one submission of ``course autograde`` and make the trusted result its result.

    parts : the result's parts (``notebook``, ``grade_id``, ``score``, ``max_score``, ``error``), updated in place.
    Rewrites the autograded notebooks in ``autograded_folder``; returns one note per part whose score changed, and
    one per notebook whose re-run had less isolation than Linux namespaces give (with the reason).
    """
    import nbformat

    notes = []
    for source_path in sorted(Path(source_folder).glob("*.ipynb")):
        name = source_path.stem
        submitted_path = Path(submission_folder) / source_path.name
        source = nbformat.read(str(source_path), as_version=4)
        if not regradable(source) or not submitted_path.is_file():
            continue
        try:
            submitted = nbformat.read(str(submitted_path), as_version=4)
        except Exception:  # an invalid notebook already scores 0
            continue
        sandbox: dict = {}
        results = regrade(
            source, submitted, limits=limits, hide=[*hide, source_folder, submission_folder], report=sandbox
        )
        if sandbox.get("warning"):
            notes.append(f"{name}.ipynb: the trusted re-run had {sandbox['isolation']} isolation: {sandbox['warning']}")
        for part in parts:
            if part["notebook"] != name or part["grade_id"] not in results:
                continue
            verdict = results[part["grade_id"]]
            if verdict.points != part["score"]:
                notes.append(
                    f"{name}.ipynb: {part['grade_id']} scored {part['score']:g} when the notebook ran and "
                    f"{verdict.points:g} when the tests ran again outside the student's code; "
                    f"{verdict.points:g} counts"
                )
            part["score"], part["error"] = verdict.points, (verdict.message or None)
        autograded = Path(autograded_folder) / source_path.name if autograded_folder else None
        if autograded is not None and autograded.is_file():
            rewrite_outputs(autograded, results)
    return notes
