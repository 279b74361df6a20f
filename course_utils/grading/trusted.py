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
import io
import re
import types
from dataclasses import dataclass
from pathlib import Path

from nbgrader.utils import is_grade, is_solution

from .cells import NullShell, as_python, grade_id
from .sandbox import Sandbox, SandboxLimits, default_layout
from .student_code import defined_names, function_sources, static_globals
from .trusted_results import RegradeNotes, Verdict, rewrite_outputs

#: Libraries whose objects cannot cross the sandbox boundary as plain data.
UNREGRADABLE_IMPORTS = re.compile(r"^\s*(import|from)\s+(tensorflow|torch)\b", re.MULTILINE)
#: Keras's own imports need a larger sandbox (TensorFlow maps gigabytes of address space and loads for seconds;
#: TensorFlow and XLA start tens of threads, and the process limit counts threads of all sandboxes together).
KERAS_IMPORTS = re.compile(r"^\s*(import|from)\s+keras\b", re.MULTILINE)
KERAS_LIMITS = SandboxLimits(
    cpu_seconds=120, memory_mb=8192, open_files=256, processes=512, call_timeout=60.0, load_timeout=120.0, one_cpu=True
)


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


def _proxy(sandbox: Sandbox, name: str, source: str | None, module: str = "__main__"):
    """A function that calls ``name`` inside ``sandbox``; its globals are filled in by :func:`static_globals`.

    Its ``__forbidden__`` set names the library routines its calls may not reach (see :func:`_forbid`)."""
    forbidden: set[str] = set()

    def proxy(*args, **kwargs):
        return sandbox.call(name, args, kwargs, forbidden=tuple(sorted(forbidden)))

    function = types.FunctionType(proxy.__code__, {"__builtins__": builtins}, name, None, proxy.__closure__)
    function.__qualname__ = name
    function.__module__ = module
    function.__student_source__ = source
    function.__forbidden__ = forbidden
    return function


def _forbid(source: str, namespace: dict) -> None:
    """Before a test cell runs: every ``assert_no_forbidden_calls(f, name[, forbidden])`` in its ``source`` makes
    the proxy ``f`` refuse those routines at run time too, for all of the cell's calls (also those before the
    assertion), so a routine reached by ``getattr``, ``importlib`` or an alias costs the same as one in the text.
    ``forbidden`` is read in the cell's namespace, or as a name of :mod:`course_utils.checks` (the cell may import
    it further down)."""
    from course_utils import checks

    try:
        tree = ast.parse(as_python(source))
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "assert_no_forbidden_calls"):
            continue
        proxy = namespace.get(node.args[0].id) if node.args and isinstance(node.args[0], ast.Name) else None
        if not hasattr(proxy, "__forbidden__"):
            continue
        given = (
            node.args[2] if len(node.args) > 2 else next((k.value for k in node.keywords if k.arg == "forbidden"), None)
        )
        try:
            expression = compile(ast.Expression(given), "<forbidden>", "eval") if given is not None else None
            forbidden = (
                checks.FORBIDDEN_CALLS if expression is None else eval(expression, {**vars(checks), **namespace})
            )
        except Exception:  # the assertion itself will report it
            continue
        proxy.__forbidden__.update(forbidden)


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

    One mistake is charged once: a function's failed tests run again, in a fresh sandbox, with the other graded
    functions it calls replaced by the course's correct versions; a test that passes then counts, with a ``note``.
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
    results = _run_tests(cells, program, student_code, limits, layout, report=report)
    sources = function_sources(student_code)
    for function, owned in _tests_by_function(cells).items():
        failed = {cell_id for cell_id in owned if results[cell_id].message}
        callees = _graded_callees(function, sources.get(function), cells) if failed else []
        if not callees:
            continue
        substituted = [*program, _substitution(cells, callees)]
        # the checks that read code (forbidden calls) read the course's callees too
        code_read = [*student_code, *_course_answers(cells, callees)]
        # all of the function's test cells run again (a failed one may use a reference its passed ones define), and
        # the other test cells that define a name they use
        only = owned | _cells_defining_names_of(cells, owned)
        again = _run_tests(cells, program=substituted, student_code=code_read, limits=limits, layout=layout, only=only)
        note = f"{function} passes with a correct {', '.join(callees)}"
        for cell_id in failed:
            if cell_id in again and not again[cell_id].message:
                results[cell_id] = again[cell_id]._replace(note=note)
    return results


def _run_tests(
    cells: list[Cell],
    program: list[str],
    student_code: list[str],
    limits: SandboxLimits | None,
    layout,
    *,
    only: set[str] | None = None,
    report: dict | None = None,
) -> dict[str, Verdict]:
    """Load ``program`` into a fresh sandbox and run the test cells (those in ``only`` where given) against proxies
    of the functions it defines; grade id → :class:`Verdict`."""
    results: dict[str, Verdict] = {}
    tests = [cell for cell in cells if cell.kind == "test" and (only is None or cell.grade_id in only)]
    with Sandbox(limits, layout) as sandbox:
        asked = _answer_names(cells)
        try:
            sandbox.load(program)
            kinds = sandbox.kinds(asked)
        except Exception as error:  # SandboxError, or a student's exception type raised while loading
            return {cell.grade_id: Verdict(0.0, cell.points, f"{type(error).__name__}: {error}") for cell in tests}
        finally:  # the sandbox has started (or failed to): say how isolated it was
            if report is not None:
                report.update(isolation=sandbox.isolation, warning=sandbox.warning)
        sources = function_sources(student_code)
        proxies = {name: _proxy(sandbox, name, source) for name, source in sources.items()}
        static = static_globals([c.source for c in cells if c.kind == "setup"] + student_code, proxies)
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
                namespace.update({n: bindings[n] for n in defined_names(cell.source) if n in bindings})
            elif cell in tests:
                namespace.update(bindings)
                _forbid(cell.source, namespace)
                error, printed = _run_trusted(cell.source, namespace, f"<test {cell.grade_id}>")
                message = "" if error is None else _message(error)
                results[cell.grade_id] = Verdict(cell.points if error is None else 0.0, cell.points, message, printed)
    return results


def _message(error: Exception) -> str:
    """A failed test's message: the exception's type and text (a function still raising the released
    ``NotImplementedError()`` is said to be unwritten)."""
    if isinstance(error, NotImplementedError) and not str(error):
        return "NotImplementedError: the function is not written yet (replace `raise NotImplementedError()` with code)"
    return f"{type(error).__name__}: {error}".strip().rstrip(":")


def _owner(cell_id: str, functions: list[str]) -> str | None:
    """The graded function a test cell belongs to: grade ids are ``<function>_<what>`` (the longest name wins)."""
    owners = [name for name in functions if cell_id.startswith(f"{name}_")]
    return max(owners, key=len) if owners else None


def _answer_names(cells: list[Cell]) -> list[str]:
    """The names the source notebook's answer cells define (the graded functions), in order."""
    return [name for cell in cells if cell.kind == "answer" for name in defined_names(cell.source)]


def _tests_by_function(cells: list[Cell]) -> dict[str, set[str]]:
    """graded function → the grade ids of its test cells."""
    functions = _answer_names(cells)
    tests: dict[str, set[str]] = {}
    for cell in cells:
        owner = _owner(cell.grade_id, functions) if cell.kind == "test" else None
        if owner:
            tests.setdefault(owner, set()).add(cell.grade_id)
    return tests


def _graded_callees(function: str, source: str | None, cells: list[Cell]) -> list[str]:
    """The other graded functions that the student's ``function`` (its ``source``) calls by name, in the
    assignment's order (only those whose solution cell does not also hold ``function``'s own solution)."""
    if not source:
        return []
    try:
        used = {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}
    except SyntaxError:
        return []
    callees = []
    for cell in cells:
        defined = defined_names(cell.source) if cell.kind == "answer" else []
        if function in defined:
            continue
        callees += [name for name in defined if name in used and name != function]
    return callees


def _cells_defining_names_of(cells: list[Cell], grade_ids: set[str]) -> set[str]:
    """The other test cells that define, at their top level, a name the test cells ``grade_ids`` read without
    assigning it themselves (a reference implementation a hidden test of another function defines)."""
    read, assigned = set(), set()
    for cell in cells:
        if cell.kind == "test" and cell.grade_id in grade_ids:
            try:
                tree = ast.parse(as_python(cell.source))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Name):
                    (read if isinstance(node.ctx, ast.Load) else assigned).add(node.id)
    wanted = read - assigned
    return {
        cell.grade_id
        for cell in cells
        if cell.kind == "test" and cell.grade_id not in grade_ids and wanted & set(defined_names(cell.source))
    }


def _course_answers(cells: list[Cell], names: list[str]) -> list[str]:
    """The source notebook's solution cells that define any of ``names``."""
    return [
        as_python(cell.source)
        for cell in cells
        if cell.kind == "answer" and set(defined_names(cell.source)) & set(names)
    ]


def _substitution(cells: list[Cell], names: list[str]) -> str:
    """Sandbox code that rebinds ``names`` to the course's correct versions (the source notebook's solution cells,
    run after its setup cells in a namespace of their own), keeping the student's other code."""
    sources = [as_python(cell.source) for cell in cells if cell.kind == "setup"] + _course_answers(cells, names)
    return (
        "def __course_reference(sources, names):\n"
        "    namespace = {'__name__': '__course_reference__'}\n"
        "    for source in sources:\n"
        "        exec(compile(source, '<course reference>', 'exec'), namespace)\n"
        "    return {name: namespace[name] for name in names}\n"
        f"globals().update(__course_reference({sources!r}, {names!r}))\n"
        "del __course_reference\n"
    )


def regrade_submission(
    source_folder: str | Path,
    submission_folder: str | Path,
    parts: list[dict],
    autograded_folder: str | Path | None = None,
    *,
    hide: list[str | Path] = (),
    limits: SandboxLimits | None = None,
) -> RegradeNotes:
    """Regrade one submission of ``course autograde`` and make the trusted result its result.

    parts : the result's parts (``notebook``, ``grade_id``, ``score``, ``max_score``, ``error``), updated in place.
    Rewrites the autograded notebooks in ``autograded_folder``. Returns for the student one note per part that passed
    only with the course's correct versions of the functions it calls; for the instructor one note per part whose
    score changed, and one per notebook whose re-run had less isolation than Linux namespaces give (with the reason).
    """
    import nbformat

    notes = RegradeNotes(student=[], grader=[])
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
            notes.grader.append(
                f"{name}.ipynb: the trusted re-run had {sandbox['isolation']} isolation: {sandbox['warning']}"
            )
        for part in parts:
            if part["notebook"] != name or part["grade_id"] not in results:
                continue
            verdict = results[part["grade_id"]]
            if verdict.points != part["score"]:
                notes.grader.append(
                    f"{name}.ipynb: {part['grade_id']} scored {part['score']:g} when the notebook ran and "
                    f"{verdict.points:g} when the tests ran again outside the student's code; "
                    f"{verdict.points:g} counts"
                )
            part["score"], part["error"] = verdict.points, (verdict.message or None)
            if verdict.note:
                notes.student.append(f"{name}.ipynb: {part['grade_id']}: {verdict.note}")
        autograded = Path(autograded_folder) / source_path.name if autograded_folder else None
        if autograded is not None and autograded.is_file():
            rewrite_outputs(autograded, results)
    return notes
