"""Linux namespace helpers shared by :mod:`.sandbox` and :mod:`.kernel` (``ctypes`` only, no threads started).

``unshare(CLONE_NEWUSER)`` fails in a process that runs several threads, so this module imports nothing that
starts any (NumPy's BLAS does): the kernel launcher confines itself before anything else is imported.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC = (
    0x20000,
    0x10000000,
    0x20000000,
    0x40000000,
    0x08000000,
)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1,
    2,
    4,
    8,
    32,
    4096,
    16384,
    1 << 18,
)
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38


def load_libc():
    """The C library, with errno kept for :func:`check_result`."""
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def check_result(result: int, what: str) -> None:
    """Raise OSError with errno's message when a libc call returned non-zero."""
    if result != 0:
        import ctypes

        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def map_own_ids(uid: int, gid: int) -> None:
    """In a new user namespace, map ``uid`` and ``gid`` (the ones before ``unshare``) to themselves, so files keep
    their owner and the process keeps its own identity (and gives up supplementary groups)."""
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent exits, even when the parent is killed (no effect on other
    systems); raises OSError when the kernel refuses."""
    if not sys.platform.startswith("linux"):
        return
    check_result(load_libc().prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")


def mount(libc, source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    """mount(2); raises OSError naming what failed."""

    def encoded(text: str | None) -> bytes | None:
        return None if text is None else text.encode()

    check_result(
        libc.mount(encoded(source), encoded(target), encoded(fstype), flags, encoded(data)),
        f"mount {source or fstype} on {target}",
    )


def bind_readonly(libc, source: str, target: str) -> None:
    """Bind ``source`` on ``target`` and make the bind read-only, keeping the locked flags of the source mount."""
    mount(libc, source, target, None, MS_BIND | MS_REC)
    remount_readonly(libc, target)


def remount_readonly(libc, target: str) -> None:
    """Make the mount at ``target`` read-only, keeping its other flags (a user namespace may not clear them)."""
    flags = os.statvfs(target).f_flag
    keep = 0
    for statvfs_flag, mount_flag in (
        (os.ST_NOSUID, MS_NOSUID),
        (os.ST_NODEV, MS_NODEV),
        (os.ST_NOEXEC, MS_NOEXEC),
        (os.ST_NOATIME, MS_NOATIME),
        (os.ST_NODIRATIME, MS_NODIRATIME),
        (os.ST_RELATIME, MS_RELATIME),
    ):
        keep |= mount_flag if flags & statvfs_flag else 0
    mount(libc, None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | keep)


def drop_capabilities(libc) -> None:
    import ctypes

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    header, data = Header(0x20080522, 0), (Data * 2)()
    check_result(libc.capset(ctypes.byref(header), data), "capset")
