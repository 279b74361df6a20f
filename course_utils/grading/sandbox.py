"""A restricted process that runs a student's code and answers calls with plain data (used by :mod:`.trusted`).

The trusted grader starts :class:`Sandbox`, which runs ``python -I -m course_utils.grading.sandbox`` with a clean
environment and these limits, applied before any student code runs:

* resource limits: CPU seconds, address space, file size, open files, processes, no core dumps;
* on Linux, when the kernel allows it (probed at start): new mount, network and PID namespaces (plus a user
  namespace when not started as root). The process sees a fresh root that holds only the system folders, the
  Python installation, the virtual environment and the public ``course_utils`` package, all read-only; an empty
  ``/tmp`` (its working directory); no network; no other process. Paths named in ``hide`` (the repository's
  sources, the grading workspace) are covered by empty mounts even when they lie inside a visible folder. Started
  as root it drops to ``nobody``; otherwise it drops its capabilities. Where namespaces are unavailable it runs
  with the limits only and warns (:class:`IsolationWarning`).

Wire format: every message is length-prefixed; its JSON header describes the value and NumPy arrays travel as
raw byte blobs whose dtype (never an object or void dtype) and shape are in the header. Only ``None``, ``bool``,
``int``, ``float``, ``complex``, ``str``, tuples, lists, dicts, NumPy arrays and NumPy scalars cross, so no object
of the student's (e.g. one whose ``__eq__`` always answers True) ever reaches the trusted process. Keras models and
callbacks cross as their configs and are rebuilt on the other side from Keras's own classes only
(:mod:`.keras_values`). A student's exception comes back as its type name and message; a crash, an exit or a
timeout of the sandbox raises :class:`SandboxError`. Arrays are copies on each side, so a function that changes an
argument in place fails the call with a CheckError instead.
"""

from __future__ import annotations

import builtins
import json
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..training import NO_GPU_ENV
from .keras_values import KerasValueError, is_keras_object
from .keras_values import from_plain as keras_from_plain
from .keras_values import to_plain as keras_to_plain
from .namespaces import (
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUSER,
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
    PR_SET_NO_NEW_PRIVS,
    bind_readonly,
    check_result,
    die_with_parent,
    drop_capabilities,
    load_libc,
    mount,
)

#: Longest message (header + arrays) either side accepts.
MAX_MESSAGE_BYTES = 512 * 2**20
#: Longest exception message kept from the student's side.
MAX_ERROR_TEXT = 2000
#: Folders of the host shown read-only inside the sandbox (when they exist).
SYSTEM_FOLDERS = ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc")
#: Device files bound into the sandbox's /dev.
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
#: After a function stops the sandbox (crash, exit, timeout) this many times, further calls of it fail at once.
MAX_STOPS = 2
#: The uid and gid a sandbox started as root runs under.
NOBODY = 65534


class SandboxError(Exception):
    """The sandbox stopped (crash, exit, limit, timeout) or answered something the protocol does not allow."""


class _StartFailed(SandboxError):
    """The sandbox could not confine itself (it reports why instead of running unconfined)."""


class IsolationWarning(UserWarning):
    """The sandbox runs with resource limits only: no namespaces, so files and network stay reachable."""


@dataclass
class Limits:
    """Limits of one sandbox; ``call_timeout`` and ``load_timeout`` are wall-clock seconds on the trusted side."""

    cpu_seconds: int = 60
    memory_mb: int = 2048
    file_mb: int = 16
    open_files: int = 64
    processes: int = 64
    call_timeout: float = 20.0
    load_timeout: float = 60.0


@dataclass
class Layout:
    """What the sandbox's file system shows: host folders made visible (read-only) and folders hidden."""

    keep: list[str] = field(default_factory=list)
    hide: list[str] = field(default_factory=list)


# --- wire format (both sides) ---------------------------------------------------------------------------------------


class Unsupported(TypeError):
    """A value that is not plain data (see the module docstring)."""


_PLAIN = (type(None), bool, int, float, str)


def encode(value, blobs: list[bytes], depth: int = 0):
    """JSON-ready form of ``value``; arrays are appended to ``blobs`` as their raw bytes (C order)."""
    if depth > 32:
        raise Unsupported("a value nested more than 32 levels deep")
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is complex:
        return {"t": "complex", "v": [value.real, value.imag]}
    if kind in (tuple, list):
        return {"t": kind.__name__, "v": [encode(item, blobs, depth + 1) for item in value]}
    if kind is dict:
        return {
            "t": "dict",
            "v": [[encode(k, blobs, depth + 1), encode(v, blobs, depth + 1)] for k, v in value.items()],
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
    raise Unsupported(f"a value of type {kind.__module__}.{kind.__qualname__}")


def decode(node, blobs: list[bytes]):
    """Inverse of :func:`encode`; raises SandboxError on anything malformed."""
    if isinstance(node, _PLAIN):
        return node
    if isinstance(node, dict):
        tag = node.get("t")
        if tag == "complex":
            real, imag = node["v"]
            return complex(float(real), float(imag))
        if tag in ("tuple", "list"):
            items = [decode(item, blobs) for item in node["v"]]
            return tuple(items) if tag == "tuple" else items
        if tag == "dict":
            return {decode(k, blobs): decode(v, blobs) for k, v in node["v"]}
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


# --- trusted side ----------------------------------------------------------------------------------------------------

#: Exception types a student's error may come back as (their name is looked up here, nothing else is raised).
_RAISABLE = {
    name: obj
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, Exception) and obj not in (StopIteration, StopAsyncIteration)
}


def student_exception(error: dict) -> Exception:
    """The exception to raise on the trusted side for the student's ``{"type", "name", "message"}``."""
    base = _RAISABLE.get(str(error.get("type")), RuntimeError)
    name, message = str(error.get("name"))[:100], str(error.get("message"))[:MAX_ERROR_TEXT]
    return base(message if name == base.__name__ else f"{name}: {message}")


def _one_cpu() -> int | None:
    """The CPU a new sandbox runs on (spread over the allowed CPUs by the grader's pid), or None without affinity.

    NumPy's, TensorFlow's and XLA's thread pools size themselves by the CPUs a process may use, and every thread
    counts against ``Limits.processes``, which all sandboxes share (they run as one uid): on one CPU a sandbox that
    imports Keras starts a handful of threads, on a 16-core machine dozens.
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

    def __init__(self, limits: Limits | None = None, layout: Layout | None = None):
        self.limits = limits or Limits()
        self.layout = layout or default_layout()
        self.process: subprocess.Popen | None = None
        self.isolation = ""
        #: Why this sandbox runs with less isolation than namespaces give (then grading says so), or "".
        self.warning = ""
        self._cells: list[str] | None = None
        self._folder: tempfile.TemporaryDirectory | None = None
        self.restarts = 0
        self._stops: dict[str, int] = {}

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
            "cpu": _one_cpu(),
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
                [sys.executable, "-I", "-m", "course_utils.grading.sandbox", json.dumps(config)],
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

    def call(self, name: str, args: tuple = (), kwargs: dict | None = None):
        """``name(*args, **kwargs)`` inside the sandbox; the student's exceptions are raised here as builtins."""
        if self._stops.get(name, 0) >= MAX_STOPS:
            raise SandboxError(f"{name}() was not run: it stopped the grading process {MAX_STOPS} times already")
        blobs: list[bytes] = []
        try:
            header = {
                "op": "call",
                "name": name,
                "args": encode(tuple(args), blobs),
                "kwargs": encode(dict(kwargs or {}), blobs),
            }
        except Unsupported as error:
            raise TypeError(f"{name}() cannot be graded with this argument: {error}") from None
        try:
            answer = self._request(header, self.limits.call_timeout, f"{name}()", blobs)
        except SandboxError:
            self._stops[name] = self._stops.get(name, 0) + 1
            raise
        if answer.get("changed"):  # the caller's arrays are copies here: say what would have changed in place
            from course_utils.checks import CheckError

            changed = ", ".join(str(key) for key in answer["changed"])
            raise CheckError(f"{name} changed its input ({changed}) in place; it must leave its arguments unchanged")
        return answer["value"]

    def _request(self, header: dict, timeout: float, what: str, blobs: list[bytes] = ()) -> dict:
        if self.process is None or self.process.poll() is not None:
            self.restarts += 1
            self.start()
            if self._cells is not None and header["op"] != "load":
                self._request({"op": "load", "cells": self._cells}, self.limits.load_timeout, "loading the code")
        try:
            write_message(self._send, header, list(blobs))
        except (BrokenPipeError, OSError):
            pass  # the answer below reports how the sandbox ended
        return self._answer(timeout, what)

    def _answer(self, timeout: float, what: str) -> dict:
        try:
            header, blobs = read_message(self._receive, time.monotonic() + timeout)
        except TimeoutError:
            self.close()
            raise SandboxError(f"{what} did not finish within {timeout:g} s (an infinite loop?)") from None
        except EOFError:
            raise SandboxError(f"{what} stopped the grading process: {self._ending()}") from None
        if "error" in header:
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


# --- inside the sandbox -----------------------------------------------------------------------------------------------


def _show(libc, root: str, path: str) -> None:
    """Make host ``path`` visible at the same place under ``root`` (symlinks copied, folders bound read-only)."""
    inside = root + path
    if os.path.lexists(inside) and (os.path.islink(inside) or os.path.ismount(inside)):
        return
    if os.path.islink(path):
        os.makedirs(os.path.dirname(inside), exist_ok=True)
        os.symlink(os.readlink(path), inside)
        return
    if os.path.isdir(path):
        os.makedirs(inside, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(inside), exist_ok=True)
        open(inside, "a").close()
    bind_readonly(libc, path, inside)


def _build_root(libc, root: str, layout: dict, limits: dict) -> None:
    """A fresh root under ``root``: system folders, kept folders, /dev, /proc, an empty /tmp; hidden paths empty."""
    mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    mount(libc, "tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for folder in SYSTEM_FOLDERS:
        if os.path.lexists(folder):
            _show(libc, root, folder)
    for path in layout["hide"]:
        if os.path.isdir(root + path):
            mount(libc, "tmpfs", root + path, "tmpfs", MS_NOSUID | MS_NODEV, "size=4k,mode=0755")
    for path in layout["keep"]:
        if os.path.exists(path):
            _show(libc, root, path)
    os.makedirs(root + "/dev", exist_ok=True)
    mount(libc, "tmpfs", root + "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=4k,mode=0755")
    for device in DEVICES:
        if os.path.exists(device):
            open(root + device, "a").close()
            mount(libc, device, root + device, None, MS_BIND)
    os.makedirs(root + "/proc", exist_ok=True)
    mount(libc, "proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.makedirs(root + "/tmp", exist_ok=True)
    mount(libc, "tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={limits['file_mb'] * 4}m,mode=1777")
    mount(libc, None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _confine(config: dict) -> tuple[str, str]:
    """Enter the namespaces and the fresh root; return (isolation, warning). Forks: the caller becomes PID 1."""
    libc = load_libc()
    root = config["root"]
    as_root = os.geteuid() == 0
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | (0 if as_root else CLONE_NEWUSER)
    try:
        check_result(libc.unshare(flags), "unshare")
    except OSError as error:
        return "limits only", f"{error} (no user/mount/network namespaces here)"
    if not as_root:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    child = os.fork()
    if child:  # the intermediate process: wait for PID 1 of the new namespace and report how it ended
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _, status = os.waitpid(child, 0)
        os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))
    die_with_parent()
    _build_root(libc, root, config["layout"], config["limits"])
    os.chroot(root)
    os.makedirs("/tmp/work", exist_ok=True)
    if as_root:
        os.setgroups([])
        os.chown("/tmp/work", NOBODY, NOBODY)
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    else:
        drop_capabilities(libc)
    os.chdir("/tmp/work")
    check_result(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl")
    return ("namespaces (mount, network, pid" + ("" if as_root else ", user") + f"), uid {os.getuid()}"), ""


def _limit_resources(limits: dict) -> None:
    import resource

    megabyte = 2**20
    for name, value in (
        (resource.RLIMIT_CPU, (limits["cpu_seconds"], limits["cpu_seconds"] + 1)),
        (resource.RLIMIT_AS, (limits["memory_mb"] * megabyte,) * 2),
        (resource.RLIMIT_FSIZE, (limits["file_mb"] * megabyte,) * 2),
        (resource.RLIMIT_NOFILE, (limits["open_files"],) * 2),
        (resource.RLIMIT_CORE, (0, 0)),
    ):
        resource.setrlimit(name, value)
    if os.getuid() == NOBODY:  # counts every process of the uid, so only meaningful for the sandbox's own uid
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"],) * 2)
    # PID 1 of a namespace ignores SIGXCPU's default action: end with the status that names it (the hard limit,
    # one second later, kills with SIGKILL if the handler is replaced)
    signal.signal(signal.SIGXCPU, lambda *_: os._exit(128 + signal.SIGXCPU))


class _Shell:
    """What ``get_ipython()`` returns inside the sandbox: magics (converted to calls) do nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _error(error: BaseException) -> dict:
    base = next(
        (c for c in type(error).__mro__ if c.__name__ in _RAISABLE and _RAISABLE[c.__name__] is c), RuntimeError
    )
    try:
        message = str(error)[:MAX_ERROR_TEXT]
    except Exception:  # the student's __str__ may fail too
        message = "(the message could not be read)"
    return {"type": base.__name__, "name": type(error).__name__, "message": message}


def serve(read_fd: int, write_fd: int) -> None:
    """Answer requests until the trusted side closes the pipe."""
    namespace: dict = {"__name__": "__main__", "__builtins__": builtins, "get_ipython": _Shell}
    while True:
        try:
            header, blobs = read_message(read_fd)
        except EOFError:
            return
        op = header.get("op")
        answer: dict = {}
        out: list[bytes] = []
        try:
            if op == "load":
                errors = []
                for index, source in enumerate(header["cells"]):
                    try:
                        exec(compile(source, f"<cell {index}>", "exec"), namespace)
                        errors.append(None)
                    except BaseException as error:  # SystemExit included: a cell's end, not the sandbox's
                        errors.append(_error(error))
                answer = {"errors": errors}
            elif op == "kinds":
                answer = {
                    "kinds": {
                        name: (
                            "missing" if name not in namespace else "function" if callable(namespace[name]) else "value"
                        )
                        for name in header["names"]
                    }
                }
            elif op == "get":
                answer = {"value": encode(namespace[header["name"]], out)}
            elif op == "call":
                function = namespace[header["name"]]
                args, kwargs = decode(header["args"], blobs), decode(header["kwargs"], blobs)
                arrays = {**{f"argument {i + 1}": a for i, a in enumerate(args)}, **kwargs}
                before = {key: a.copy() for key, a in arrays.items() if isinstance(a, np.ndarray)}
                answer = {"value": encode(function(*args, **kwargs), out)}
                answer["changed"] = [
                    key
                    for key, copy in before.items()
                    if not np.array_equal(copy, arrays[key], equal_nan=copy.dtype.kind in "fc")
                ]
            else:
                answer = {"fatal": f"unknown request {op!r}"}
        except Unsupported as error:
            answer, out = (
                {
                    "error": {
                        "type": "TypeError",
                        "name": "TypeError",
                        "message": f"{header.get('name')} returned {error}, which the grader "
                        f"cannot check; return NumPy arrays or plain numbers",
                    }
                },
                [],
            )
        except BaseException as error:
            answer, out = {"error": _error(error)}, []
        write_message(write_fd, answer, out)


def main(argv: list[str] | None = None) -> None:
    config = json.loads((argv or sys.argv[1:])[0])
    read_fd, write_fd = config["read_fd"], config["write_fd"]
    try:
        die_with_parent()  # end with the grader, even when it is killed
        if not sys.platform.startswith("linux"):
            isolation, warning = "limits only", "namespaces are Linux-only"
        elif config["namespaces_failed"]:
            isolation, warning = "limits only", f"namespaces failed here ({config['namespaces_failed']})"
        else:
            isolation, warning = _confine(config)
        if warning and os.geteuid() == 0:
            warning += "; the student's code runs as root"
        _limit_resources(config["limits"])
        if config.get("cpu") is not None and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {config["cpu"]})
    except Exception as error:  # report instead of running unconfined
        write_message(write_fd, {"fatal": f"{type(error).__name__}: {error}"})
        return
    write_message(write_fd, {"isolation": isolation, "warning": warning})
    serve(read_fd, write_fd)


if __name__ == "__main__":
    main()
