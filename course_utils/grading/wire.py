"""The messages between the trusted grader and its sandbox (:mod:`.sandbox`, :mod:`.sandbox_process`).

Wire format: every message is length-prefixed; its JSON header describes the value and NumPy arrays travel as
raw byte blobs whose dtype (never an object or void dtype) and shape are in the header. Only ``None``, ``bool``,
``int``, ``float``, ``complex``, ``str``, tuples, lists, dicts, NumPy arrays and NumPy scalars cross, so no object
of the student's (e.g. one whose ``__eq__`` always answers True) ever reaches the trusted process. Keras models and
callbacks cross as their configs and are rebuilt on the other side from Keras's own classes only
(:mod:`.keras_values`). A student's exception comes back as its type name and message; a crash, an exit or a
timeout of the sandbox raises :class:`SandboxError`. Arrays are copies on each side, so a function that changes an
argument in place fails the call with a CheckError instead.

A function the tests pass to the student's code (the ``f`` of a numerical gradient) stays on the trusted side: it
crosses as a reference, and each call the student's code makes of it is a callback, its arguments and result plain
data again. Functions cross in that one direction only: the sandbox's answers never decode into one.
"""

from __future__ import annotations

import builtins
import json
import os
import select
import struct
import time
import types

import numpy as np

from .keras_values import KerasValueError, is_keras_object
from .keras_values import from_plain as keras_from_plain
from .keras_values import to_plain as keras_to_plain

#: Longest message (header + arrays) either side accepts.
MAX_MESSAGE_BYTES = 512 * 2**20
#: Longest exception message kept from the student's side.
MAX_ERROR_TEXT = 2000


class SandboxError(Exception):
    """The sandbox stopped (crash, exit, limit, timeout) or answered something the protocol does not allow."""


#: Exception types a student's error may come back as (their name is looked up here, nothing else is raised).
RAISABLE = {
    name: obj
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, Exception) and obj not in (StopIteration, StopAsyncIteration)
}


def exception_fields(error: BaseException) -> dict:
    """``{"type", "name", "message"}`` of an exception: its nearest builtin type, its own name and its text."""
    base = next((c for c in type(error).__mro__ if c.__name__ in RAISABLE and RAISABLE[c.__name__] is c), RuntimeError)
    try:
        message = str(error)[:MAX_ERROR_TEXT]
    except Exception:  # the student's __str__ may fail too
        message = "(the message could not be read)"
    return {"type": base.__name__, "name": type(error).__name__, "message": message}


def student_exception(error: dict) -> Exception:
    """The exception to raise on the trusted side for the student's ``{"type", "name", "message"}``."""
    base = RAISABLE.get(str(error.get("type")), RuntimeError)
    name, message = str(error.get("name"))[:100], str(error.get("message"))[:MAX_ERROR_TEXT]
    return base(message if name == base.__name__ else f"{name}: {message}")


class Unsupported(TypeError):
    """A value that is not plain data (see the module docstring)."""


_PLAIN = (type(None), bool, int, float, str)
#: Functions of the trusted side that may cross as callbacks (see the module docstring).
_FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType, types.MethodType)


def encode(value, blobs: list[bytes], depth: int = 0, functions: list | None = None):
    """JSON-ready form of ``value``; arrays are appended to ``blobs`` as their raw bytes (C order).

    functions : where given, a function in ``value`` is appended to it and crosses as its index (a callback).
    """
    if depth > 32:
        raise Unsupported("a value nested more than 32 levels deep")
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is complex:
        return {"t": "complex", "v": [value.real, value.imag]}
    if kind in (tuple, list):
        return {"t": kind.__name__, "v": [encode(item, blobs, depth + 1, functions) for item in value]}
    if kind is dict:
        return {
            "t": "dict",
            "v": [
                [encode(k, blobs, depth + 1, functions), encode(v, blobs, depth + 1, functions)]
                for k, v in value.items()
            ],
        }
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.hasobject or array.dtype.kind == "V":
            raise Unsupported(f"a NumPy array of dtype {array.dtype} (only numbers, booleans and strings cross)")
        blobs.append(np.ascontiguousarray(array).tobytes())
        return {
            "t": "array" if isinstance(value, np.ndarray) else "scalar",
            "i": len(blobs) - 1,
            "dtype": array.dtype.str,
            "shape": list(array.shape),
        }
    if is_keras_object(value):
        try:
            return {"t": "keras", "v": encode(keras_to_plain(value), blobs, depth + 1)}
        except KerasValueError as error:
            raise Unsupported(str(error)) from None
    if functions is not None and isinstance(value, _FUNCTIONS):
        functions.append(value)
        return {"t": "function", "i": len(functions) - 1}
    raise Unsupported(f"a value of type {kind.__module__}.{kind.__qualname__}")


def decode(node, blobs: list[bytes], function=None):
    """Inverse of :func:`encode`; raises SandboxError on anything malformed.

    function : where given (inside the sandbox), ``function(index)`` makes the callback of a function the trusted
    side sent; elsewhere a function in ``node`` is malformed.
    """
    if isinstance(node, _PLAIN):
        return node
    if isinstance(node, dict):
        tag = node.get("t")
        if tag == "complex":
            real, imag = node["v"]
            return complex(float(real), float(imag))
        if tag in ("tuple", "list"):
            items = [decode(item, blobs, function) for item in node["v"]]
            return tuple(items) if tag == "tuple" else items
        if tag == "dict":
            return {decode(k, blobs, function): decode(v, blobs, function) for k, v in node["v"]}
        if tag == "function" and function is not None:
            return function(int(node["i"]))
        if tag in ("array", "scalar"):
            dtype = np.dtype(str(node["dtype"]))
            if dtype.hasobject or dtype.kind == "V":
                raise SandboxError(f"an array of dtype {dtype} in the sandbox's answer")
            shape = tuple(int(size) for size in node["shape"])
            array = np.frombuffer(blobs[int(node["i"])], dtype=dtype).reshape(shape).copy()
            return array if tag == "array" else array[()]
        if tag == "keras":
            try:
                return keras_from_plain(decode(node["v"], blobs))
            except KerasValueError as error:
                raise KerasValueError(f"the grader cannot use {error}") from None
    raise SandboxError(f"malformed value in the sandbox's answer: {str(node)[:80]}")


def write_message(fd: int, header: dict, blobs: list[bytes] = ()) -> None:
    """Send ``header`` (JSON) and ``blobs`` on ``fd``."""
    head = json.dumps({**header, "blobs": [len(b) for b in blobs]}).encode()
    body = b"".join([struct.pack(">Q", len(head)), head, *blobs])
    data = memoryview(struct.pack(">Q", len(body)) + body)
    while data:
        data = data[os.write(fd, data) :]


def _read_exact(fd: int, count: int, deadline: float | None) -> bytes:
    chunks, missing = [], count
    while missing:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int, deadline: float | None = None) -> tuple[dict, list[bytes]]:
    """Receive one message: (header, blobs). Raises EOFError, TimeoutError or SandboxError."""
    (size,) = struct.unpack(">Q", _read_exact(fd, 8, deadline))
    if size > MAX_MESSAGE_BYTES:
        raise SandboxError(f"the sandbox sent {size} bytes, more than the limit of {MAX_MESSAGE_BYTES}")
    body = _read_exact(fd, size, deadline)
    try:
        (head_size,) = struct.unpack(">Q", body[:8])
        header = json.loads(body[8 : 8 + head_size])
        blobs, offset = [], 8 + head_size
        for length in header.pop("blobs"):
            blobs.append(body[offset : offset + int(length)])
            offset += int(length)
    except (ValueError, KeyError, TypeError, struct.error, RecursionError) as error:
        raise SandboxError(f"malformed message from the sandbox ({type(error).__name__})") from None
    if not isinstance(header, dict):
        raise SandboxError("malformed message from the sandbox")
    return header, blobs
