"""Tests of course_utils.grading.sandbox: plain data in and out, limits, and what the student's code cannot reach."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from course_utils.grading.sandbox import IsolationWarning, Sandbox, SandboxLimits, default_layout
from course_utils.grading.wire import SandboxError, decode, encode

PROBE = """
import os, socket, sys

def read(path):
    with open(path) as handle:
        return handle.read()

def listing(path):
    return sorted(os.listdir(path))

def connect(host, port):
    socket.create_connection((host, port), timeout=2).close()
    return "connected"

def allocate(megabytes):
    return len(bytearray(megabytes * 2**20))

def spin():
    while True:
        pass

def leave(code):
    os._exit(code)

def kill_everything():
    os.kill(-1, 9)
    return "still here"

def echo(*args, **kwargs):
    return args, kwargs

def identity():
    return os.getuid()

def usable_cpus():
    return len(os.sched_getaffinity(0))
"""


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as running:
        assert running.load([PROBE]) == [None]
        yield running


@pytest.fixture(scope="module")
def isolated(sandbox):
    """The shared sandbox, where this system gives it namespaces (skip the isolation tests elsewhere)."""
    if not sandbox.isolation.startswith("namespaces"):
        pytest.skip(f"no namespaces on this system ({sandbox.isolation})")
    return sandbox


def test_does_plain_data_keep_its_types_across_the_boundary(sandbox):
    """Do arrays keep dtype and shape, NumPy scalars stay NumPy scalars, and tuples stay tuples?"""
    values = (
        np.arange(6, dtype=np.int32).reshape(2, 3),
        np.float32(1.5),
        np.int64(7),
        3,
        2.5,
        1 + 2j,
        "s",
        None,
        True,
        [1, (2, 3)],
        {"k": np.zeros(2)},
    )
    args, kwargs = sandbox.call("echo", values, {"mode": "same"})
    assert kwargs == {"mode": "same"}
    for sent, got in zip(values, args):
        assert type(got) is type(sent)
        if isinstance(sent, np.ndarray):
            assert got.dtype == sent.dtype and np.array_equal(got, sent)


def test_does_a_lying_object_never_reach_the_trusted_side():
    """Is an object whose __eq__ always answers True refused, and an ndarray subclass turned into a plain array?"""
    code = (
        "import numpy as np\nclass Yes:\n    def __eq__(self, other):\n        return True\n"
        "class Agreeable(np.ndarray):\n    def __eq__(self, other):\n        return True\n"
        "def liar():\n    return Yes()\ndef array_liar():\n    return np.zeros(3).view(Agreeable)\n"
    )
    with Sandbox() as box:
        box.load([code])
        with pytest.raises(TypeError, match="cannot check"):
            box.call("liar")
        result = box.call("array_liar")
    assert type(result) is np.ndarray and not (result == np.ones(3)).all()


def test_does_a_student_exception_come_back_as_its_builtin_type():
    """Does a ValueError (or a subclass of it) raised by the student's code reach the tests as a ValueError?"""
    code = (
        "class ModeError(ValueError):\n    pass\ndef plain():\n    raise ValueError('unknown mode')\n"
        "def custom():\n    raise ModeError('bad mode')\ndef stop():\n    raise SystemExit(0)\n"
    )
    with Sandbox() as box:
        box.load([code])
        with pytest.raises(ValueError, match="^unknown mode$"):
            box.call("plain")
        with pytest.raises(ValueError, match="ModeError: bad mode"):
            box.call("custom")
        with pytest.raises(RuntimeError, match="SystemExit"):
            box.call("stop")


def test_does_a_file_outside_the_sandbox_stay_unreadable(isolated, tmp_path):
    """Can the student's code read neither this repository's files nor a file the grader just wrote?"""
    secret = tmp_path / "hidden_tests.txt"
    secret.write_text("expected = 42")
    for path in (Path(__file__).resolve(), secret, Path.home() / ".bashrc"):
        with pytest.raises((FileNotFoundError, PermissionError)):
            isolated.call("read", (str(path),))
    assert isolated.call("listing", ("/tmp",)) == ["work"]


def test_are_the_repository_sources_hidden_but_the_package_visible(isolated):
    """Does the sandbox see course_utils (students install it) but nothing else of the repository?"""
    repo = Path(__file__).resolve().parents[1]
    assert "checks.py" in isolated.call("listing", (str(repo / "course_utils"),))
    visible = set(isolated.call("listing", (str(repo),)))
    assert "course_utils" in visible and not visible & {"solutions", "tests", ".git", "nbgrader_config.py"}


def test_does_a_network_connection_fail(isolated):
    """Does connecting to a server the grader's machine is listening on fail from inside the sandbox?"""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with pytest.raises(OSError):
            isolated.call("connect", ("127.0.0.1", port))


def test_does_the_sandbox_run_unprivileged(isolated):
    """Does the student's code run without root (as nobody when the grader is root)?"""
    uid = isolated.call("identity")
    assert uid != 0 and (os.getuid() != 0 or uid == 65534)


def test_does_a_sandbox_that_cannot_start_leave_nothing_open(monkeypatch, tmp_path):
    """When the sandbox process cannot be started, are its stderr file, pipes and folder released?"""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def refuse(*args, **kwargs):
        raise OSError("no processes left")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    before = sorted(os.listdir("/proc/self/fd"))
    with pytest.raises(OSError, match="no processes left"):
        Sandbox().start()
    assert sorted(os.listdir("/proc/self/fd")) == before
    assert list(tmp_path.iterdir()) == []


def test_does_a_keras_sandbox_run_on_one_cpu(sandbox):
    """Does a sandbox for Keras code use one CPU, so that TensorFlow's and XLA's thread pools stay small on machines
    of many cores (every thread counts against the process limit that all sandboxes share)? NumPy-only sandboxes
    keep every CPU, so parallel workers do not crowd onto one."""
    from course_utils.grading.trusted import KERAS_LIMITS

    with Sandbox(KERAS_LIMITS) as keras_sandbox:
        assert keras_sandbox.load([PROBE]) == [None]
        assert keras_sandbox.call("usable_cpus") == 1
    assert sandbox.call("usable_cpus") == len(os.sched_getaffinity(0))


def test_is_a_memory_bomb_stopped_by_the_address_space_limit():
    """Does allocating far beyond the memory limit raise MemoryError in the tests, without harming the grader?"""
    with Sandbox(SandboxLimits(memory_mb=1024)) as box:
        box.load([PROBE])
        with pytest.raises(MemoryError):
            box.call("allocate", (4096,))
        assert box.call("allocate", (16,)) == 16 * 2**20


def test_is_an_infinite_loop_stopped_by_the_call_timeout():
    """Does a call that never returns become a SandboxError after the wall-clock limit, and the next call work?"""
    with Sandbox(SandboxLimits(call_timeout=2)) as box:
        box.load([PROBE])
        started = time.monotonic()
        with pytest.raises(SandboxError, match="did not finish within 2 s"):
            box.call("spin")
        assert time.monotonic() - started < 10
        assert box.call("echo", (1,)) == ((1,), {})


def test_is_an_infinite_loop_stopped_by_the_cpu_limit():
    """Does the CPU-seconds limit stop a busy loop even when the wall-clock limit is long?"""
    with Sandbox(SandboxLimits(cpu_seconds=1, call_timeout=60)) as box:
        box.load([PROBE])
        with pytest.raises(SandboxError, match="CPU time limit"):
            box.call("spin")


def test_does_os_exit_become_a_failure():
    """Does os._exit(0) in the student's code fail the call (never a pass), and a function that keeps doing it stop
    being run?"""
    with Sandbox() as box:
        box.load([PROBE])
        for _ in range(2):
            with pytest.raises(SandboxError, match="exited"):
                box.call("leave", (0,))
        with pytest.raises(SandboxError, match="not run"):
            box.call("leave", (0,))
        assert box.call("echo", ("alive",)) == (("alive",), {})


def test_does_killing_every_process_spare_the_grader(isolated):
    """Does os.kill(-1, SIGKILL) inside the sandbox leave the grader's other processes running?"""
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with pytest.raises(ProcessLookupError):  # the sandbox sees no process to kill but itself
            isolated.call("kill_everything")
        time.sleep(0.2)
        assert bystander.poll() is None
    finally:
        bystander.send_signal(signal.SIGKILL)
        bystander.wait()


def test_does_a_failing_setup_cell_not_stop_the_next_cells():
    """Does load report each cell's error and keep going, as a notebook run does?"""
    with Sandbox() as box:
        errors = box.load(["1 / 0", "def f():\n    return 1"])
        assert errors[0]["type"] == "ZeroDivisionError" and errors[1] is None
        assert box.call("f") == 1


def test_does_the_wire_format_refuse_objects():
    """Does encode refuse an object array, and decode reject a malformed node and an object dtype, while arrays of
    numbers and strings come back equal?"""
    with pytest.raises(TypeError):
        encode(np.array([object()]), [])
    with pytest.raises(Exception, match="malformed"):
        decode({"t": "pickle"}, [])
    with pytest.raises(SandboxError, match="dtype object"):
        decode({"t": "array", "i": 0, "dtype": "|O", "shape": [1]}, [bytes(8)])
    with pytest.raises(TypeError):
        encode(lambda v: v, [])
    with pytest.raises(SandboxError, match="malformed"):
        decode({"t": "function", "i": 0}, [])
    for value in (np.arange(6.0).reshape(2, 3)[:, ::2], np.array(["ab", "c"]), np.float32(1.5), np.array(3)):
        blobs: list[bytes] = []
        back = decode(encode(value, blobs), blobs)
        assert type(back) is type(value) and back.dtype == value.dtype and np.array_equal(back, value)


CALLS_BACK = """
import numpy as np

def twice(f, x):
    return f(x) + f(x * 2)

def keep(f):
    global kept
    kept = f
    return f.__name__

def catch(f):
    try:
        f("text")
    except TypeError as error:
        return "TypeError: " + str(error)

def later():
    return kept(1.0)
"""


def test_is_a_function_of_the_tests_called_back_on_the_trusted_side():
    """Does a function passed to the student's code run here, on plain data, with its errors raised there as
    builtins, and is it gone once the call that received it has returned?"""
    calls = []

    def total(v):
        calls.append(type(v))
        return float(np.sum(v))

    with Sandbox() as box:
        assert box.load([CALLS_BACK]) == [None]
        assert box.call("twice", (total, np.ones(3))) == 9.0 and calls == [np.ndarray, np.ndarray]
        assert box.call("twice", (), {"f": total, "x": np.arange(2.0)}) == 3.0
        assert box.call("keep", (total,)) == "grader_function"
        assert box.call("catch", (lambda v: v + 1,)).startswith("TypeError: can only concatenate str")
        with pytest.raises(LookupError, match="no longer available"):
            box.call("later")


def test_does_the_default_layout_hide_what_it_is_told(tmp_path):
    """Does the layout keep the interpreter and the package, and list the hidden folders resolved?"""
    layout = default_layout(hide=[tmp_path / "workspace"])
    assert str((tmp_path / "workspace").resolve()) in layout.hide
    assert any(Path(sys.prefix).resolve() == Path(path) for path in layout.keep)


def test_does_changing_an_argument_in_place_fail_the_call():
    """Is a function that modifies its input array reported (the tests' own arrays are never touched)?"""
    code = "def scale(x, factor=2):\n    x *= factor\n    return x\n\ndef pure(x):\n    return x * 2\n"
    x = np.ones(3)
    with Sandbox() as box:
        box.load([code])
        with pytest.raises(AssertionError, match=r"scale changed its input \(argument 1\) in place"):
            box.call("scale", (x,))
        assert np.array_equal(box.call("pure", (x,)), 2 * x)
    assert np.array_equal(x, np.ones(3))


def test_does_a_machine_without_namespaces_still_grade_with_a_warning(monkeypatch):
    """Where namespaces fail, does the sandbox run with its limits only and say so with an IsolationWarning?"""
    monkeypatch.setattr(Sandbox, "_namespaces_failed", "not permitted here")
    monkeypatch.setattr(Sandbox, "_warned", False)
    with pytest.warns(IsolationWarning, match="not permitted here"), Sandbox() as box:
        box.load([PROBE])
        assert box.isolation == "limits only"
        assert box.call("echo", (1,)) == ((1,), {})
