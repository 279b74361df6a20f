"""The book: clean build time, cached rebuild time after a prose-only edit, and the build's peak memory.

Builds a copy of the tracked tree in a temporary folder (so the repository's own _build and cache stay untouched)
with exactly the README's build command, run from the repository (`make book BOOK=<copy>`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import REPO

GOAL_CLEAN_S = 600


def _copy_tree(target: Path) -> None:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    # The copy reads MathJax from the repository's install; set-up and the build run from the repository itself.
    (target / "node_modules").symlink_to(REPO / "node_modules")


#: Runs a command and prints the peak resident memory (KiB) of the largest process in its tree.
_PEAK_RSS = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def _build(book: Path) -> tuple[float, float]:
    """(seconds, peak MiB) of `make book` in ``book``."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _PEAK_RSS, "make", "--no-print-directory", "-s", "book",
                             f"BOOK={book}"], cwd=REPO, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, int(result.stdout.split()[-1]) / 1024


def run(quick: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder)
        _copy_tree(book)
        clean, peak_mib = _build(book)
        intro = book / "book" / "intro.md"
        intro.write_text(intro.read_text() + "\nA sentence added to measure a prose-only rebuild.\n")
        rebuild, _ = _build(book)
    rows = [
        {"build": "clean (every page executed)", "seconds": round(clean, 1)},
        {"build": "after a prose-only edit (execution cache)", "seconds": round(rebuild, 1)},
        {"build": "peak resident memory (largest process, clean build)", "seconds": f"{peak_mib:.0f} MiB"},
    ]
    return {
        "title": "Book build (make book)",
        "rows": rows,
        "goal": f"clean build within {GOAL_CLEAN_S // 60} minutes; prose-only rebuild in seconds",
        "met": bool(clean <= GOAL_CLEAN_S),
        "summary": f"clean {clean:.0f} s, cached rebuild {rebuild:.0f} s, peak {peak_mib:.0f} MiB",
    }
