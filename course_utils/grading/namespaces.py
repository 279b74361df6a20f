"""Linux namespace helpers shared by :mod:`.sandbox` and :mod:`.kernel` (``ctypes`` only, no threads started).

``unshare(CLONE_NEWUSER)`` fails in a process that runs several threads, so this module imports nothing that
starts any (NumPy's BLAS does): the kernel launcher confines itself before anything else is imported.
"""

from __future__ import annotations

import os

_CLONE_NEWNS, _CLONE_NEWUSER, _CLONE_NEWPID, _CLONE_NEWNET, _CLONE_NEWIPC = \
    0x20000, 0x10000000, 0x20000000, 0x40000000, 0x08000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = \
    1, 2, 4, 8, 32, 4096, 16384, 1 << 18
_MS_NOATIME, _MS_NODIRATIME, _MS_RELATIME = 1024, 2048, 1 << 21
_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS = 1, 38


def _libc():
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        import ctypes

        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _mount(libc, source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encode_ = (lambda s: None if s is None else s.encode())
    _check(libc.mount(encode_(source), encode_(target), encode_(fstype), flags, encode_(data)),
           f"mount {source or fstype} on {target}")


def _bind_readonly(libc, source: str, target: str) -> None:
    """Bind ``source`` on ``target`` and make the bind read-only, keeping the locked flags of the source mount."""
    _mount(libc, source, target, None, _MS_BIND | _MS_REC)
    _remount_readonly(libc, target)


def _remount_readonly(libc, target: str) -> None:
    """Make the mount at ``target`` read-only, keeping its other flags (a user namespace may not clear them)."""
    flags = os.statvfs(target).f_flag
    keep = 0
    for statvfs_flag, mount_flag in ((os.ST_NOSUID, _MS_NOSUID), (os.ST_NODEV, _MS_NODEV),
                                     (os.ST_NOEXEC, _MS_NOEXEC), (os.ST_NOATIME, _MS_NOATIME),
                                     (os.ST_NODIRATIME, _MS_NODIRATIME), (os.ST_RELATIME, _MS_RELATIME)):
        keep |= mount_flag if flags & statvfs_flag else 0
    _mount(libc, None, target, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | keep)


def _drop_capabilities(libc) -> None:
    import ctypes

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    header, data = Header(0x20080522, 0), (Data * 2)()
    _check(libc.capset(ctypes.byref(header), data), "capset")
