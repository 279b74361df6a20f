"""Assertion helpers with messages a student can act on.

Tolerances are stated once, here: results are compared with ``np.allclose(actual, expected, rtol, atol)`` using
:data:`TOLERANCES` for the wider of the two dtypes (float32 work is held to float32 precision).
"""

from __future__ import annotations

import ast
import inspect
import textwrap

import numpy as np

#: (rtol, atol) by the precision the computation was done in.
TOLERANCES = {
    np.dtype(np.float64): (1e-7, 1e-9),
    np.dtype(np.float32): (1e-5, 1e-5),
}

_KIND_NAMES = {"b": "boolean", "i": "integer", "u": "unsigned integer", "f": "float", "c": "complex", "O": "object"}


#: Arrays up to this many elements are printed in full in a failure message.
_SMALL = 25


class CheckError(AssertionError):
    """A student's result does not match; the message says how."""


def tolerances_for(*arrays) -> tuple[float, float]:
    """(rtol, atol) for comparing results computed from ``arrays`` (float32 anywhere → float32 tolerances)."""
    dtypes = [np.asarray(a).dtype for a in arrays]
    if any(dtype == np.float32 for dtype in dtypes) and not any(dtype == np.float64 for dtype in dtypes):
        return TOLERANCES[np.dtype(np.float32)]
    return TOLERANCES[np.dtype(np.float64)]


def assert_array_matches(
    actual,
    expected,
    name: str,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    kinds: str = "biuf",
    reveal: bool = True,
) -> None:
    """Check that ``actual`` has the shape and values of ``expected``; raise :class:`CheckError` saying what differs.

    name   : how the call reads in the message, e.g. ``"conv1d(mode='same')"``.
    kinds  : accepted dtype kinds of ``actual`` (``np.dtype.kind`` letters; default: any real number).
    reveal : show expected values in the message (small arrays in full). Hidden tests pass False, so feedback
             never discloses a hidden case's answer.
    """
    expected = np.asarray(expected)
    assert_shape(actual, expected.shape, name, reveal=reveal)
    if actual.dtype.kind not in kinds:
        wanted = " or ".join(_KIND_NAMES.get(kind, kind) for kind in kinds)
        raise CheckError(
            f"{name} returned dtype {actual.dtype} ({_KIND_NAMES.get(actual.dtype.kind, actual.dtype.kind)}), "
            f"expected {wanted} values"
        )
    default_rtol, default_atol = tolerances_for(actual, expected)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    close = np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not close.all():
        wrong = np.argwhere(~close)
        first = tuple(int(i) for i in wrong[0])
        message = (
            f"{name} differs from the expected result at {len(wrong)} of {close.size} positions; "
            f"first at index {first}: got {actual[first].item()!r}"
        )
        if reveal:
            message += f", expected {expected[first].item()!r}"
        message += f" (rtol={rtol:g}, atol={atol:g})"
        if reveal and expected.size <= _SMALL:
            message += f"\ngot:\n{actual}\nexpected:\n{expected}"
        raise CheckError(message)


def assert_value_equals(actual, expected, name: str, *, reveal: bool = True) -> None:
    """Check an exact scalar or tuple result (sizes, shapes, counts); raise :class:`CheckError` if it differs.

    reveal : show the expected value in the message (hidden tests pass False).
    """
    if actual is None:
        raise CheckError(f"{name} returned None; did you forget a `return` statement?")
    if isinstance(expected, tuple):
        actual = tuple(actual) if isinstance(actual, (tuple, list)) else actual
    if type(actual) is not type(expected) and not (isinstance(expected, int) and isinstance(actual, np.integer)):
        raise CheckError(
            f"{name} returned {actual!r} of type {type(actual).__name__}, expected {type(expected).__name__}"
            + (" (an exact whole number: use // or int(), not / or np.ceil)" if isinstance(expected, int) else "")
        )
    if actual != expected:
        raise CheckError(f"{name} returned {actual!r}" + (f", expected {expected!r}" if reveal else ""))


def assert_shape(actual, expected: tuple, name: str, *, reveal: bool = True) -> None:
    """Check that ``actual`` is a NumPy array of shape ``expected``; raise :class:`CheckError` saying what it is.

    name : how the call reads in the message, e.g. ``"conv1d(np.ones(7), np.ones(4), 'same')"``.
    """
    if actual is None:
        raise CheckError(f"{name} returned None; did you forget a `return` statement?")
    if not isinstance(actual, np.ndarray):
        raise CheckError(f"{name} returned a {type(actual).__name__}, expected a NumPy array (np.ndarray)")
    if actual.shape != tuple(expected):
        raise CheckError(f"{name} returned shape {actual.shape}" + (f", expected {tuple(expected)}" if reveal else ""))


def assert_raises(exception: type[BaseException], call, name: str) -> None:
    """Check that ``call()`` raises ``exception`` (e.g. ValueError for an invalid argument); raise CheckError if not.

    call : a function of no arguments, e.g. ``lambda: conv1d(x, w, mode="circular")``.
    """
    try:
        call()
    except exception:
        return
    except Exception as error:
        raise CheckError(f"{name} raised {type(error).__name__} ({error}); expected {exception.__name__}") from error
    raise CheckError(
        f"{name} returned a result; expected it to raise {exception.__name__} with a message saying "
        "what is wrong with the arguments"
    )


#: What an exercise's own implementation may not use: NumPy's 1-D convolutions and anything from SciPy's signal and
#: image filters, TensorFlow or Keras (matched against the module a name resolves to).
FORBIDDEN_CALLS = ("numpy.convolve", "numpy.correlate", "scipy.signal", "scipy.ndimage", "tensorflow", "keras")
#: What functions that must be written "in NumPy only" (exercise 3's metrics) may not use.
NUMPY_ONLY = ("sklearn", "scipy", "tensorflow", "keras", "torch")


def forbidden_calls(func, forbidden=FORBIDDEN_CALLS) -> list[str]:
    """Library routines from ``forbidden`` that ``func``'s source, or a notebook function it calls, refers to.

    Reads the source with :func:`function_source`, then resolves every import and dotted name (``np.convolve``,
    ``signal.convolve2d``, a name imported at the top of the cell) against the function's globals.
    """
    found, seen, todo = [], set(), [func]
    while todo:
        current = todo.pop()
        seen.add(current)
        try:
            tree = ast.parse(textwrap.dedent(function_source(current)))
        except (OSError, TypeError, SyntaxError) as error:
            raise CheckError(
                f"could not read the source of {current.__name__} ({error}); define it with `def` in a notebook cell"
            ) from None
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, (ast.Name, ast.Attribute)):
                target = _lookup(node, current.__globals__)
                if inspect.isfunction(target) and target.__module__ == func.__module__:
                    todo.extend([target] if target not in seen else [])
                    continue
                names = [_qualified_name(target)]
            else:
                continue
            found.extend(name for name in names if name and name.startswith(forbidden) and name not in found)
    return found


def function_source(func) -> str:
    """The source text of ``func``'s ``def``: the student's text for a function regraded in a sandbox (which carries
    it as ``__student_source__``, see :mod:`course_utils.grading.trusted`), else :func:`inspect.getsource`."""
    if hasattr(func, "__student_source__"):
        if func.__student_source__ is None:
            raise OSError("it is not defined by a `def` statement")
        return func.__student_source__
    return inspect.getsource(func)


def assert_no_forbidden_calls(func, name: str, forbidden=FORBIDDEN_CALLS) -> None:
    """Check that ``func`` computes its result itself; raise :class:`CheckError` naming any library routine it uses."""
    found = forbidden_calls(func, forbidden)
    if found:
        raise CheckError(
            f"{name} uses {', '.join(found)}; the exercise asks you to compute the result yourself with "
            "NumPy array operations, so this function's tests earn no points while it does"
        )


def _lookup(node, namespace):
    """The object a ``Name`` or ``Attribute`` chain refers to in ``namespace``, or None."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        parent = _lookup(node.value, namespace)
        try:
            return None if parent is None else getattr(parent, node.attr, None)
        except Exception:  # a property that fails to evaluate names no library routine
            return None
    return None


def _qualified_name(obj) -> str | None:
    """``module.name`` of a module, function or class (e.g. ``numpy.convolve``), else None."""
    if inspect.ismodule(obj):
        return obj.__name__
    module, name = getattr(obj, "__module__", None), getattr(obj, "__name__", None)
    return f"{module}.{name}" if isinstance(module, str) and isinstance(name, str) else None
