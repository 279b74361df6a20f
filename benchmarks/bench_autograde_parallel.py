"""How much faster is `course autograde --jobs 2` than plain serial `nbgrader autograde`?

Generates N submissions of the fixture assignment (tests/fixtures/cli_course: a mix of right and wrong answers),
grades them once with `nbgrader autograde` (one process, one submission after another) and once with
`course autograde --jobs J` in a fresh workspace, and prints seconds per submission and the ratio. It prints
figures; it asserts nothing.

    .venv/bin/python benchmarks/bench_autograde_parallel.py --submissions 12 --jobs 2
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "cli_course"
ASSIGNMENT = "ex_tiny"
ANSWERS = [
    {"double_solution": "return 2 * x", "clip_solution": "return [min(1, max(0, v)) for v in values]"},
    {"double_solution": "return abs(2 * x)", "clip_solution": "return [min(1, max(0, v)) for v in values]"},
    {"double_solution": "return x + x", "clip_solution": "return values"},
]


def run_command(*command, cwd: Path) -> float:
    """Run a command; return its wall-clock seconds (raise if it fails)."""
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
           "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
    started = time.perf_counter()
    subprocess.run([str(c) for c in command], cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - started


def submissions(released: Path, count: int, folder: Path) -> None:
    """``count`` student folders, each holding the released notebook with one of the ANSWERS filled in."""
    for index in range(count):
        nb = nbformat.read(released, as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            body = ANSWERS[index % len(ANSWERS)].get(grade_id)
            if body:
                cell.source = cell.source.splitlines()[0] + "\n    " + body
        target = folder / f"student{index:03d}" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)


def measure(count: int, jobs: int) -> tuple[float, float]:
    """Seconds for serial `nbgrader autograde` and for `course autograde --jobs` on ``count`` submissions."""
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as scratch:
        root = Path(scratch) / "course"
        shutil.copytree(FIXTURE, root)
        run_command(bin_dir / "nbgrader", "generate_assignment", ASSIGNMENT, "--force", cwd=root)
        submissions(root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", count, root / "submitted")
        serial = run_command(bin_dir / "nbgrader", "autograde", ASSIGNMENT, "--force", cwd=root)
        workspace = Path(scratch) / "workspace"
        run_command(bin_dir / "course", "collect", ASSIGNMENT, root / "submitted", "--workspace", workspace, cwd=root)
        parallel = run_command(bin_dir / "course", "autograde", ASSIGNMENT, "--jobs", jobs, "--workspace", workspace,
                               cwd=root)
    return serial, parallel


def run(quick: bool = False, count: int | None = None, jobs: int = 2) -> dict:
    """The benchmark in the form benchmarks/run.py tabulates."""
    count = count or (4 if quick else 12)
    serial, parallel = measure(count, jobs)
    ratio = serial / parallel
    rows = [
        {"grader": "nbgrader autograde (serial)", "seconds": round(serial, 1),
         "s/submission": round(serial / count, 2)},
        {"grader": f"course autograde --jobs {jobs}", "seconds": round(parallel, 1),
         "s/submission": round(parallel / count, 2)},
    ]
    return {
        "title": f"Autograding {count} submissions: serial nbgrader vs course autograde --jobs {jobs}",
        "rows": rows,
        "goal": "parallel grading faster than serial nbgrader on a multi-core machine",
        "met": bool(ratio > 1.0),
        "summary": f"{serial / count:.2f} vs {parallel / count:.2f} s/submission, ratio {ratio:.2f}x "
                   f"({os.cpu_count()} CPUs)",
        "notes": "Each course worker also isolates its kernel (memory cap, timeouts) and stores resumable results.",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    result = run(count=args.submissions, jobs=args.jobs)
    for row in result["rows"]:
        print(f"{row['grader']:32s} {row['seconds']:7.1f} s  {row['s/submission']:5.2f} s/submission")
    print(result["summary"])


if __name__ == "__main__":
    main()
