"""A restricted process that runs a student's code and answers calls with plain data (used by :mod:`.trusted`).

The trusted grader starts :class:`Sandbox`, which runs ``python -I -m course_utils.grading.sandbox_process`` with a
clean environment and these limits, applied before any student code runs:

* resource limits: CPU seconds, address space, file size, open files, processes, no core dumps;
* on Linux, when the kernel allows it (probed at start): new mount, network and PID namespaces (plus a user
  namespace when not started as root). The process sees a fresh root that holds only the system folders, the
  Python installation, the virtual environment and the public ``course_utils`` package, all read-only; an empty
  ``/tmp`` (its working directory); no network; no other process. Paths named in ``hide`` (the repository's
  sources, the grading workspace) are covered by empty mounts even when they lie inside a visible folder. Started
  as root it drops to ``nobody``; otherwise it drops its capabilities. Where namespaces are unavailable it runs
  with the limits only and warns (:class:`IsolationWarning`).

The messages between the two processes are :mod:`.wire`'s; the code that runs inside is
:mod:`.sandbox_process`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..checks import CheckError
from ..training import NO_GPU_ENV
from .keras_values import KerasValueError
from .wire import (
    SandboxError,
    Unsupported,
    decode,
    encode,
    exception_fields,
    read_message,
    student_exception,
    write_message,
)

#: After a function stops the sandbox (crash, exit, timeout) this many times, further calls of it fail at once.
MAX_STOPS = 2


class _StartFailed(SandboxError):
    """The sandbox could not confine itself (it reports why instead of running unconfined)."""


class IsolationWarning(UserWarning):
    """The sandbox runs with resource limits only: no namespaces, so files and network stay reachable."""


@dataclass
class SandboxLimits:
    """Limits of one sandbox; ``call_timeout`` and ``load_timeout`` are wall-clock seconds on the trusted side;
    ``one_cpu`` pins the sandbox to one CPU (for libraries that start a thread pool per CPU, see :func:`_one_cpu`)."""

    cpu_seconds: int = 60
    memory_mb: int = 2048
    file_mb: int = 16
    open_files: int = 64
    processes: int = 64
    call_timeout: float = 20.0
    load_timeout: float = 60.0
    one_cpu: bool = False


@dataclass
class Layout:
    """What the sandbox's file system shows: host folders made visible (read-only) and folders hidden."""

    keep: list[str] = field(default_factory=list)
    hide: list[str] = field(default_factory=list)


def _one_cpu() -> int | None:
    """The CPU a new sandbox runs on (spread over the allowed CPUs by the grader's pid), or None without affinity.

    NumPy's, TensorFlow's and XLA's thread pools size themselves by the CPUs a process may use, and every thread
    counts against ``SandboxLimits.processes``, which all sandboxes share (they run as one uid): on one CPU a sandbox
    that imports Keras starts a handful of threads, on a 16-core machine dozens.
    """
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    return cpus[os.getpid() % len(cpus)]


def default_layout(hide: list[str | Path] = ()) -> Layout:
    """Keep the Python installation, this virtual environment and ``course_utils``; hide ``hide``."""
    import course_utils

    keep = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, sys.exec_prefix)}
    keep.add(os.path.dirname(os.path.realpath(sys.executable)))
    keep.add(str(Path(course_utils.__file__).resolve().parent))
    return Layout(keep=sorted(keep), hide=sorted({os.path.realpath(p) for p in hide}))


class Sandbox:
    """A running sandbox: ``load`` the code once, then ``call`` its functions (restarted after a crash)."""

    _warned = False
    #: Why confinement failed on this machine (then later sandboxes run with the limits only), or "".
    _namespaces_failed = ""

    def __init__(self, limits: SandboxLimits | None = None, layout: Layout | None = None):
        self.limits = limits or SandboxLimits()
        self.layout = layout or default_layout()
        self.process: subprocess.Popen | None = None
        self.isolation = ""
        #: Why this sandbox runs with less isolation than namespaces give (then grading says so), or "".
        self.warning = ""
        self._cells: list[str] | None = None
        self._folder: tempfile.TemporaryDirectory | None = None
        self.restarts = 0
        self._stops: dict[str, int] = {}
        self._calls = 0

    # lifecycle
    def start(self) -> None:
        self.close()
        self._folder = tempfile.TemporaryDirectory(prefix="course-sandbox-")
        folder = Path(self._folder.name)
        (folder / "root").mkdir()
        requests_r, requests_w = os.pipe()
        answers_r, answers_w = os.pipe()
        config = {
            "limits": asdict(self.limits),
            "layout": asdict(self.layout),
            "root": str(folder / "root"),
            "read_fd": requests_r,
            "write_fd": answers_w,
            "namespaces_failed": Sandbox._namespaces_failed,
            "cpu": _one_cpu() if self.limits.one_cpu else None,
        }
        env = {
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": "/tmp",
            "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            **NO_GPU_ENV,
        }
        if os.environ.get("KERAS_BACKEND"):  # the student's models are built with the grader's Keras backend
            env["KERAS_BACKEND"] = os.environ["KERAS_BACKEND"]
        self._stderr = (folder / "stderr.txt").open("wb")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-m", "course_utils.grading.sandbox_process", json.dumps(config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                env=env,
                cwd=folder,
                pass_fds=(requests_r, answers_w),
                start_new_session=True,
            )
        except BaseException:  # nothing started: leave no file, descriptor or folder behind
            self._stderr.close()
            os.close(requests_w)
            os.close(answers_r)
            self._folder.cleanup()
            self._folder = None
            raise
        finally:
            os.close(requests_r)
            os.close(answers_w)
        self._send, self._receive = requests_w, answers_r
        try:
            hello = self._answer(self.limits.load_timeout, "starting")
        except _StartFailed as error:
            if Sandbox._namespaces_failed:
                raise
            Sandbox._namespaces_failed = str(error)  # e.g. user namespaces that may not mount: run without them
            self.start()
            return
        self.isolation = str(hello.get("isolation"))
        self.warning = str(hello.get("warning") or "")
        if hello.get("warning") and not Sandbox._warned:
            Sandbox._warned = True
            warnings.warn(f"grading sandbox without isolation: {hello['warning']}", IsolationWarning, stacklevel=2)

    def close(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process.wait()
            os.close(self._send)
            os.close(self._receive)
            self._stderr.close()
            self.process = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # requests
    def load(self, cells: list[str]) -> list[dict | None]:
        """Run ``cells`` (Python source, in order) in one namespace; per cell None or its error (type, message)."""
        self._cells = list(cells)
        if self.process is None:
            self.start()
        return self._request({"op": "load", "cells": self._cells}, self.limits.load_timeout, "loading the code")[
            "errors"
        ]

    def kinds(self, names: list[str]) -> dict[str, str]:
        """name → "function" (callable), "value" or "missing", as the loaded code defines it."""
        return self._request({"op": "kinds", "names": list(names)}, self.limits.call_timeout, "listing names")["kinds"]

    def get(self, name: str):
        """The value of the global ``name`` (plain data only)."""
        return self._request({"op": "get", "name": name}, self.limits.call_timeout, f"reading {name}")["value"]

    def call(self, name: str, args: tuple = (), kwargs: dict | None = None, *, forbidden: tuple[str, ...] = ()):
        """``name(*args, **kwargs)`` inside the sandbox; the student's exceptions are raised here as builtins.

        forbidden : library routines the call may not reach (:data:`course_utils.checks.FORBIDDEN_CALLS`); a call
        that reaches one, writes on stderr (a warning) or changes its arguments in place raises a CheckError.
        A function among the arguments stays here: the student's code calls it back (see :mod:`.wire`).
        """
        if self._stops.get(name, 0) >= MAX_STOPS:
            raise SandboxError(f"{name}() was not run: it stopped the grading process {MAX_STOPS} times already")
        blobs: list[bytes] = []
        functions: list = []
        self._calls += 1
        try:
            header = {
                "op": "call",
                "name": name,
                "call": self._calls,
                "args": encode(tuple(args), blobs, functions=functions),
                "kwargs": encode(dict(kwargs or {}), blobs, functions=functions),
                "forbidden": list(forbidden),
            }
        except Unsupported as error:
            raise TypeError(f"{name}() cannot be graded with this argument: {error}") from None
        try:
            answer = self._request(
                header, self.limits.call_timeout, f"{name}()", blobs, keep_error=True, functions=functions
            )
        except SandboxError:
            self._stops[name] = self._stops.get(name, 0) + 1
            raise
        if answer.get("used"):
            raise CheckError(
                f"{name} used {', '.join(answer['used'])} while it was graded; the exercise asks you to compute the "
                "result yourself, so this function's tests earn no points while it does"
            )
        if "error" in answer:
            raise student_exception(answer["error"])
        if (answer.get("stderr") or "").strip():
            first = answer["stderr"].strip().splitlines()[0]
            raise CheckError(
                f"{name} wrote a warning or error text while it was tested, and a test that prints one fails: "
                f"{first!r}; fix what it says"
            )
        if answer.get("changed"):  # the caller's arrays are copies here: say what would have changed in place
            changed = ", ".join(str(key) for key in answer["changed"])
            raise CheckError(f"{name} changed its input ({changed}) in place; it must leave its arguments unchanged")
        return answer["value"]

    def _request(
        self,
        header: dict,
        timeout: float,
        what: str,
        blobs: list[bytes] = (),
        *,
        keep_error: bool = False,
        functions: list = (),
    ) -> dict:
        """Send ``header`` and return the answer; a student's exception is raised here, or with ``keep_error``
        left in the answer under "error". ``functions``: those the request's arguments carry (callbacks)."""
        if self.process is None or self.process.poll() is not None:
            self.restarts += 1
            self.start()
            if self._cells is not None and header["op"] != "load":
                self._request({"op": "load", "cells": self._cells}, self.limits.load_timeout, "loading the code")
        try:
            write_message(self._send, header, list(blobs))
        except (BrokenPipeError, OSError):
            pass  # the answer below reports how the sandbox ended
        return self._answer(timeout, what, keep_error=keep_error, call=header.get("call"), functions=functions)

    def _answer(
        self, timeout: float, what: str, *, keep_error: bool = False, call: int | None = None, functions: list = ()
    ) -> dict:
        """The sandbox's answer to the request ``what``, after running the callbacks it asks for meanwhile (all
        within ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                header, blobs = read_message(self._receive, deadline)
            except TimeoutError:
                self.close()
                raise SandboxError(f"{what} did not finish within {timeout:g} s (an infinite loop?)") from None
            except EOFError:
                raise SandboxError(f"{what} stopped the grading process: {self._ending()}") from None
            if "callback" not in header:
                break
            self._run_callback(header, blobs, call, functions)
        if "error" in header and not keep_error:
            raise student_exception(header["error"])
        if "fatal" in header:
            self.close()
            raise _StartFailed(f"the sandbox could not start: {header['fatal']}")
        if "value" in header:
            try:
                header["value"] = decode(header["value"], blobs)
            except SandboxError:
                raise
            except KerasValueError as error:  # a model the grader will not rebuild: the test that asked fails
                raise TypeError(str(error)) from None
            except Exception as error:  # np.dtype, reshape and dict keys reject malformed data in many ways
                raise SandboxError(f"malformed value from the sandbox ({type(error).__name__})") from None
        return header

    def _run_callback(self, header: dict, blobs: list[bytes], call: int | None, functions: list) -> None:
        """Run a function of the current call's arguments for the student's code and send back its plain answer, or
        its error; a function of an earlier call is gone."""
        out: list[bytes] = []
        try:
            index = header["callback"]
            if header.get("call") != call or not isinstance(index, int) or not 0 <= index < len(functions):
                raise LookupError("the tests' function is no longer available (it belonged to an earlier call)")
            args, kwargs = decode(header.get("args"), blobs), decode(header.get("kwargs"), blobs)
            if not isinstance(args, tuple) or not isinstance(kwargs, dict):
                raise SandboxError("malformed callback from the sandbox")
            answer = {"value": encode(functions[index](*args, **kwargs), out)}
        except SandboxError:
            self.close()
            raise
        except Exception as error:
            answer, out = {"error": exception_fields(error)}, []
        write_message(self._send, answer, out)

    def _ending(self) -> str:
        """Why the sandbox ended, from its exit status."""
        assert self.process is not None
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        self._stderr.flush()
        detail = (Path(self._folder.name) / "stderr.txt").read_bytes()[-300:].decode(errors="replace").strip()
        self.close()
        signals = {
            int(signal.SIGXCPU): f"the CPU time limit of {self.limits.cpu_seconds} s",
            int(signal.SIGKILL): "a kill (the CPU time limit, or memory exhausted)",
            int(signal.SIGSEGV): "a crash (segmentation fault)",
            int(signal.SIGXFSZ): "the file size limit",
        }
        if code is not None and code > 128 and code - 128 in signals:
            reason = f"stopped by {signals[code - 128]}"
        elif code is not None and code < 0 and -code in signals:
            reason = f"stopped by {signals[-code]}"
        else:
            reason = f"the process exited (status {code}; os._exit or sys.exit in the student's code?)"
        return reason + (f" [{detail.splitlines()[-1]}]" if detail and code not in (0, 1) else "")
