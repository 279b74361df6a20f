"""Assertion helpers with messages a student can act on.

Tolerances are stated once, here: results are compared with ``np.allclose(actual, expected, rtol, atol)`` using
:data:`TOLERANCES` for the wider of the two dtypes (float32 work is held to float32 precision).
"""

from __future__ import annotations

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


def assert_array_matches(actual, expected, name: str, *, rtol: float | None = None, atol: float | None = None,
                         kinds: str = "biuf", reveal: bool = True) -> None:
    """Check that ``actual`` has the shape and values of ``expected``; raise :class:`CheckError` saying what differs.

    name   : how the call reads in the message, e.g. ``"conv1d(mode='same')"``.
    kinds  : accepted dtype kinds of ``actual`` (``np.dtype.kind`` letters; default: any real number).
    reveal : show expected values in the message (small arrays in full). Hidden tests pass False, so feedback
             never discloses a hidden case's answer.
    """
    if actual is None:
        raise CheckError(f"{name} returned None; did you forget a `return` statement?")
    if not isinstance(actual, np.ndarray):
        raise CheckError(f"{name} returned a {type(actual).__name__}, expected a NumPy array (np.ndarray)")
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        raise CheckError(f"{name} returned shape {actual.shape}, expected {expected.shape}")
    if actual.dtype.kind not in kinds:
        wanted = " or ".join(_KIND_NAMES.get(kind, kind) for kind in kinds)
        raise CheckError(f"{name} returned dtype {actual.dtype} ({_KIND_NAMES.get(actual.dtype.kind, actual.dtype.kind)}), "
                         f"expected {wanted} values")
    default_rtol, default_atol = tolerances_for(actual, expected)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    close = np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not close.all():
        wrong = np.argwhere(~close)
        first = tuple(int(i) for i in wrong[0])
        message = (f"{name} differs from the expected result at {len(wrong)} of {close.size} positions; "
                   f"first at index {first}: got {actual[first].item()!r}")
        if reveal:
            message += f", expected {expected[first].item()!r}"
        message += f" (rtol={rtol:g}, atol={atol:g})"
        if reveal and expected.size <= _SMALL:
            message += f"\ngot:\n{actual}\nexpected:\n{expected}"
        raise CheckError(message)


def assert_value_equals(actual, expected, name: str) -> None:
    """Check an exact scalar or tuple result (sizes, shapes, counts); raise :class:`CheckError` if it differs."""
    if actual is None:
        raise CheckError(f"{name} returned None; did you forget a `return` statement?")
    if isinstance(expected, tuple):
        actual = tuple(actual) if isinstance(actual, (tuple, list)) else actual
    if type(actual) is not type(expected) and not (isinstance(expected, int) and isinstance(actual, np.integer)):
        raise CheckError(f"{name} returned {actual!r} of type {type(actual).__name__}, expected {type(expected).__name__}")
    if actual != expected:
        raise CheckError(f"{name} returned {actual!r}, expected {expected!r}")
