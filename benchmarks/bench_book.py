"""The book: clean build time, cached rebuild time after a prose-only edit, and the build's peak memory.

Builds a copy of the tracked tree in a temporary folder (so the repository's own _build and cache stay untouched)
with exactly the README's build command, run from the repository (`make book BOOK=<copy>`).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from benchmarks.common import REPO, measure_command

GOAL_CLEAN_S = 300


def _copy_tree(target: Path) -> None:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    # The copy reads MathJax from the repository's install; set-up and the build run from the repository itself.
    (target / "node_modules").symlink_to(REPO / "node_modules")


def _build(book: Path) -> tuple[float, float]:
    """(seconds, peak MiB of the largest process) of `make book` in ``book``."""
    wall, _, peak_mib = measure_command(["make", "--no-print-directory", "-s", "book", f"BOOK={book}"], cwd=REPO)
    return wall, peak_mib


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
