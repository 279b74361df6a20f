"""Start an IPython kernel under resource limits: ``python -m course_utils.grading.kernel --memory-mb M -- ARGS``.

The grading worker names this module in the kernel spec it uses, so the limits apply to the kernel that runs the
student's code and to nothing else. ``RLIMIT_AS`` caps the kernel's address space: an allocation past it raises
``MemoryError`` inside the student's cell instead of exhausting the machine. On Linux the kernel also dies with
the worker that started it, so killing a worker (or the whole ``course autograde``) leaves no stray kernel.
"""

from __future__ import annotations

import argparse
import os
import sys


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent exits (no effect on other systems)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space (and its children's) at ``megabytes``; 0 leaves it unlimited."""
    import resource

    if megabytes > 0:
        limit = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("kernel_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    die_with_parent()
    limit_memory(args.memory_mb)
    rest = [a for a in args.kernel_args if a != "--"]
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *rest])


if __name__ == "__main__":
    main()
