"""The sandboxed process itself: ``python -I -m course_utils.grading.sandbox_process CONFIG`` (started by
:class:`.sandbox.Sandbox`). It confines itself (namespaces, a fresh read-only root, resource limits, one CPU),
then loads the student's code and answers calls with :mod:`.wire` messages until its pipe closes.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import io
import json
import os
import signal
import sys

import numpy as np

from .cells import NullShell
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
    map_own_ids,
    mount,
)
from .wire import (
    Unsupported,
    decode,
    encode,
    exception_fields,
    read_message,
    student_exception,
    write_message,
)

#: The uid and gid a sandbox started as root runs under.
NOBODY = 65534
#: Folders of the host shown read-only inside the sandbox (when they exist).
SYSTEM_FOLDERS = ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc")
#: Device files bound into the sandbox's /dev.
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


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
        map_own_ids(uid, gid)
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


#: What a call may write on stderr (a warning, a print to sys.stderr) and still be quoted in full.
MAX_STDERR_TEXT = 400


class _Watch:
    """Which of the ``forbidden`` library routines a call reaches, however it reaches them (``getattr``,
    ``importlib``, an alias): a profile hook sees every Python frame and C function entered during the call.

    forbidden : names as in :data:`course_utils.checks.FORBIDDEN_CALLS`; a name whose parent module is loaded and
    holds it as a routine (``numpy.convolve``) matches that routine, any other name (``scipy.signal``) matches the
    module and its submodules.
    """

    def __init__(self, forbidden: list[str]):
        self.modules: list[str] = []
        self.routines: dict[object, str] = {}  # code objects and C functions → the forbidden name
        for name in forbidden:
            parent, _, attribute = name.rpartition(".")
            routine = getattr(sys.modules.get(parent), attribute, None) if parent else None
            if routine is None or type(routine).__name__ == "module":
                self.modules.append(name)
                continue
            implementation = getattr(routine, "_implementation", routine)  # NumPy's array-function dispatchers
            self.routines[getattr(implementation, "__code__", implementation)] = name
            self.routines[routine] = name
        self.used: list[str] = []

    def _module_name(self, module: str) -> str | None:
        return next((m for m in self.modules if module == m or module.startswith(m + ".")), None)

    def _forbidden_frame(self, frame) -> str | None:
        """The forbidden name ``frame`` runs in (a routine's code, or code of a forbidden module), or None."""
        return self.routines.get(frame.f_code) or self._module_name(frame.f_globals.get("__name__") or "")

    def __call__(self, frame, event, arg) -> None:
        """Note each entry into forbidden code from other code; a forbidden module's own calls, and the module
        code an import runs, are not entries (``import scipy.signal`` also loads ``scipy.ndimage``)."""
        if event == "call":
            if frame.f_code.co_name == "<module>":
                return
            name, caller = self._forbidden_frame(frame), frame.f_back
        elif event == "c_call":
            try:
                name = self.routines.get(arg)
            except TypeError:  # an unhashable callable is none of the routines
                name = None
            module = getattr(arg, "__module__", None)
            name, caller = name or (self._module_name(module) if isinstance(module, str) else None), frame
        else:
            return
        if name and (caller is None or self._forbidden_frame(caller) is None) and name not in self.used:
            self.used.append(name)


def _call(function, args: tuple, kwargs: dict, forbidden: list[str]):
    """``function(*args, **kwargs)`` → (its result, the exception it raised or None, the ``forbidden`` routines it
    reached, what it wrote on stderr)."""
    watch = _Watch(forbidden) if forbidden else None
    written = io.StringIO()
    result = error = None
    with contextlib.redirect_stderr(written):
        if watch is not None:
            sys.setprofile(watch)
        try:
            result = function(*args, **kwargs)
        except BaseException as raised:  # SystemExit included: the call's end, not the sandbox's
            error = raised
        finally:
            sys.setprofile(None)
    return result, error, (watch.used if watch else []), written.getvalue()


def _callback(read_fd: int, write_fd: int, call: int, index: int):
    """The student's side of a function the tests passed to call number ``call``: each call of it asks the trusted
    side to run that function on plain data, and returns its plain answer (or raises its error as a builtin)."""

    def grader_function(*args, **kwargs):
        out: list[bytes] = []
        write_message(
            write_fd, {"callback": index, "call": call, "args": encode(args, out), "kwargs": encode(kwargs, out)}, out
        )
        header, blobs = read_message(read_fd)
        if "error" in header:
            raise student_exception(header["error"])
        return decode(header["value"], blobs)

    return grader_function


def serve(read_fd: int, write_fd: int) -> None:
    """Answer requests until the trusted side closes the pipe."""
    namespace: dict = {"__name__": "__main__", "__builtins__": builtins, "get_ipython": NullShell}
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
                        errors.append(exception_fields(error))
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
                callback = functools.partial(_callback, read_fd, write_fd, header.get("call"))
                args, kwargs = decode(header["args"], blobs, callback), decode(header["kwargs"], blobs, callback)
                arrays = {**{f"argument {i + 1}": a for i, a in enumerate(args)}, **kwargs}
                before = {key: a.copy() for key, a in arrays.items() if isinstance(a, np.ndarray)}
                result, error, used, written = _call(function, args, kwargs, header.get("forbidden") or [])
                answer = {"used": used, "stderr": written[-MAX_STDERR_TEXT:]}
                if error is not None:
                    answer["error"] = exception_fields(error)
                else:
                    answer["value"] = encode(result, out)
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
            answer, out = {"error": exception_fields(error)}, []
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
