"""Start a confined IPython kernel under resource limits: ``python -m course_utils.grading.kernel [options] -- ARGS``.

The grading worker names this module in the kernel spec nbgrader uses, so all of this applies to the kernel that
runs the student's notebook and to nothing else:

* on Linux, new user and mount namespaces (:func:`confine`): every file system the kernel sees is read-only except
  its working directory (the student's copy of the assignment, ``--writable``) and a private, size-limited
  ``/tmp`` and ``/dev/shm``; each ``--hide`` folder (the course folder, the grading workspace, Jupyter's runtime
  folder) is covered by an empty folder, except the ``--keep`` paths inside it (the virtual environment,
  ``course_utils``, the CIFAR-10 file) and the kernel's connection file. The kernel then holds no capabilities
  and cannot gain any, so it cannot undo the mounts, and from its user namespace it cannot reach into the
  grader's processes (``/proc/PID/root``). The network and the PID namespace stay shared: the kernel talks to
  nbgrader over loopback TCP and nbgrader signals the kernel's PID. Where namespaces are unavailable the kernel
  runs with the limits only and prints one warning line;
* ``RLIMIT_AS`` caps the kernel's address space: an allocation past it raises ``MemoryError`` inside the student's
  cell instead of exhausting the machine;
* on Linux the kernel dies with the worker that started it, so killing a worker (or the whole
  ``course autograde``) leaves no stray kernel.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from . import namespaces

#: Folders replaced by private, writable tmpfs mounts of this size.
PRIVATE_FOLDERS = ("/tmp", "/dev/shm")
PRIVATE_MB = 512
#: Where the kernel's libraries keep their settings and caches once the home folder is read-only (they would fall
#: back to temporary folders anyway, but say so in the student's output).
PRIVATE_SETTINGS = {"MPLCONFIGDIR": "/tmp/matplotlib", "IPYTHONDIR": "/tmp/ipython"}
#: The end of the warning line when the kernel is not confined.
UNCONFINED = "student code can write the grader's files; grade as a user who cannot write them"

_PR_CAPBSET_DROP = 24
_MNT_DETACH = 2
#: Errors of remounting a mount point that the kernel cannot see (covered, or inside a hidden folder).
_UNREACHABLE = (errno.EINVAL, errno.ENOENT, errno.ENOTDIR, errno.EACCES)


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space (and its children's) at ``megabytes``; 0 leaves it unlimited."""
    import resource

    if megabytes > 0:
        limit = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def confine(hide=(), keep=(), writable=()) -> str:
    """Confine this process and the programs it executes (see the module docstring); "" or a warning line.

    ``hide``: folders covered by empty read-only folders; ``keep``: paths inside them that stay readable;
    ``writable``: folders that stay writable (default: the working directory). Every other mount becomes read-only.
    The warning says why the process is not (or only partly) confined; either way the process goes on.
    """
    if not sys.platform.startswith("linux"):
        return f"not confined (namespaces are Linux-only): {UNCONFINED}"
    libc = namespaces.load_libc()
    uid, gid, cwd = os.getuid(), os.getgid(), os.getcwd()
    try:
        namespaces.check_result(libc.unshare(namespaces.CLONE_NEWUSER | namespaces.CLONE_NEWNS), "unshare")
        namespaces.map_own_ids(uid, gid)
        stayed_writable = _build_view(libc, hide, keep, writable or [cwd])
    except OSError as error:
        return f"not confined ({error}): {UNCONFINED}"
    os.chdir(cwd if os.path.isdir(cwd) else "/")  # onto the new mount (the writable bind, by default)
    _drop_privileges(libc)
    if stayed_writable:
        return f"partly confined: {', '.join(stayed_writable)} stayed writable"
    return ""


def _existing(paths) -> list[str]:
    return sorted({os.path.realpath(path) for path in paths if os.path.exists(path)})


def _build_view(libc, hide, keep, writable) -> list[str]:
    """Mount the hidden, kept, private and writable paths, then make the rest read-only; the mounts that stayed
    writable. Undoes its mounts when one fails."""
    writable = _existing(writable)
    private = [folder for folder in PRIVATE_FOLDERS if os.path.isdir(folder) and not os.path.islink(folder)]
    covered = [path for path in _existing(hide) if os.path.isdir(path)] + private

    def is_covered(path: str) -> bool:
        return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in covered)

    kept = [path for path in _existing(keep) if path not in writable and is_covered(path)]
    namespaces.mount(libc, None, "/", None, namespaces.MS_REC | namespaces.MS_PRIVATE)
    # Opened in this mount namespace before anything is covered, so the binds below reach the original files.
    sources = {path: os.open(path, os.O_PATH | os.O_CLOEXEC) for path in writable + kept}
    # Outer paths first: a kept path inside a hidden folder is bound after the folder is covered, and so on.
    steps = sorted(
        [(len(Path(path).parts), 0, path) for path in covered] + [(len(Path(path).parts), 1, path) for path in sources]
    )
    mounted: list[str] = []
    try:
        for _, bind, path in steps:
            if bind:
                _mount_point(path, sources[path])
                namespaces.mount(
                    libc, f"/proc/self/fd/{sources[path]}", path, None, namespaces.MS_BIND | namespaces.MS_REC
                )
            elif os.path.isdir(path):  # else it lies inside a covered folder already
                size, mode = (PRIVATE_MB, "1777") if path in private else (1, "0755")
                namespaces.mount(
                    libc,
                    "tmpfs",
                    path,
                    "tmpfs",
                    namespaces.MS_NOSUID | namespaces.MS_NODEV,
                    f"size={size}m,mode={mode}",
                )
            else:
                continue
            mounted.append(path)
    except OSError:
        for path in reversed(mounted):
            libc.umount2(path.encode(), _MNT_DETACH)
        raise
    finally:
        for descriptor in sources.values():
            os.close(descriptor)
    failures = []
    for path in _mount_points():
        if path in writable or path in private:
            continue
        try:
            namespaces.remount_readonly(libc, path)
        except OSError as error:
            if error.errno not in _UNREACHABLE:
                failures.append(f"{path} ({error.strerror})")
    return failures


def _mount_point(path: str, source: int) -> None:
    """Create ``path`` (inside a fresh tmpfs) as a folder or an empty file, like the file behind ``source``."""
    if os.path.lexists(path):
        return
    if os.path.isdir(f"/proc/self/fd/{source}"):
        os.makedirs(path)
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _mount_points() -> list[str]:
    """Every mount point of this mount namespace (``/proc/self/mountinfo``, octal escapes decoded)."""
    import re

    points = []
    for line in Path("/proc/self/mountinfo").read_bytes().splitlines():
        field = line.split(b" ")[4]
        points.append(os.fsdecode(re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), field)))
    return list(dict.fromkeys(points))


def _drop_privileges(libc) -> None:
    """No capabilities now or after exec (the bounding set is emptied too, for a uid 0), and none to gain."""
    import ctypes

    namespaces.check_result(
        libc.prctl(
            namespaces.PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)
        ),
        "prctl",
    )
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for capability in range(last + 1):
        namespaces.check_result(
            libc.prctl(
                _PR_CAPBSET_DROP, ctypes.c_ulong(capability), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)
            ),
            "prctl",
        )
    namespaces.drop_capabilities(libc)


def _connection_file(kernel_args: list[str]) -> list[str]:
    """The connection file named by ``-f FILE`` (or ``-f=FILE``) among ipykernel's arguments, as a list."""
    for index, arg in enumerate(kernel_args):
        if arg in ("-f", "--f") and index + 1 < len(kernel_args):
            return [kernel_args[index + 1]]
        if arg.startswith(("-f=", "--f=")):
            return [arg.split("=", 1)[1]]
    return []


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--hide", action="append", default=[], metavar="PATH", help="cover this folder")
    parser.add_argument("--keep", action="append", default=[], metavar="PATH", help="readable inside --hide")
    parser.add_argument(
        "--writable", action="append", default=[], metavar="PATH", help="keep writable (default: the working directory)"
    )
    parser.add_argument("kernel_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    namespaces.die_with_parent()
    rest = [a for a in args.kernel_args if a != "--"]
    warning = confine(args.hide, args.keep + _connection_file(rest), args.writable)
    if warning:
        print(f"course grading kernel: {warning}", file=sys.stderr, flush=True)
    if not warning.startswith("not confined"):
        for name, folder in PRIVATE_SETTINGS.items():
            os.environ.setdefault(name, folder)
    limit_memory(args.memory_mb)
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *rest])


if __name__ == "__main__":
    main()
