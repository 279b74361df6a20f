"""How long does `course similarity` take for a class of 300 students of exercise 1?

Builds a workspace of N submissions of ex01_convolution from the grading bank (tests/submissions/ex01_convolution:
independent correct solutions and one-bug variants, plus the planted copies of tests/similarity/), each student's
notebook with its own comments and variable names, then runs the installed `course similarity` command once and
prints its wall and CPU seconds and its peak memory. A class built from some thirty variants is the slow case: most
pairs share code, so nearly every pair is compared in full. It prints figures; it asserts nothing.

    .venv/bin/python -m benchmarks.bench_similarity --students 300
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import nbformat

from benchmarks.common import REPO, course_harness, measure_command

ASSIGNMENT = "ex01_convolution"
#: The instructors' goal: a class of 300 in under a minute on two cores.
GOAL_S = 60.0
#: Local names the bank's solutions use; each student gets its own spelling of them.
RENAMED = ("full", "out", "padded", "window", "count", "start", "rows", "cols", "patches", "shape")


def _disguise(code: str, index: int) -> str:
    """``code`` with a comment line per function and the student's own names for common locals."""
    for name in RENAMED:
        code = re.sub(rf"\b{name}\b", f"{name}_{index}", code)
    return re.sub(r"^def ", f"# written by student {index}\ndef ", code, flags=re.MULTILINE)


def build_class(workspace: Path, count: int) -> None:
    """``count`` submissions in ``workspace/submitted``: the bank's variants in turn, each disguised differently."""
    harness = course_harness()
    bank = harness.NbgraderCourse(REPO)
    variants = sorted((REPO / "tests" / "submissions" / ASSIGNMENT).glob("*.py"))
    variants += sorted((REPO / "tests" / "similarity" / ASSIGNMENT).glob("*.py"))
    cells = [harness.read_variant(path) for path in variants]
    for index in range(count):
        code = {name: _disguise(text, index) for name, text in cells[index % len(cells)].items()}
        target = workspace / "submitted" / f"student{index:03d}" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(bank.student_notebook(ASSIGNMENT, code), target)


def measure(count: int) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MiB) of one `course similarity` run over ``count`` generated submissions."""
    with tempfile.TemporaryDirectory(prefix="bench-similarity-") as scratch:
        workspace = Path(scratch) / "workspace"
        build_class(workspace, count)
        course = Path(sys.executable).with_name("course")
        return measure_command([course, "similarity", ASSIGNMENT, "--workspace", workspace, "-q"], cwd=REPO)


def run(quick: bool = False, count: int | None = None) -> dict:
    """The benchmark in the form benchmarks/run.py tabulates."""
    count = count or (60 if quick else 300)
    wall, cpu, peak = measure(count)
    pairs = count * (count - 1) // 2
    return {
        "title": f"course similarity over {count} submissions of {ASSIGNMENT} ({pairs} pairs)",
        "rows": [
            {
                "students": count,
                "pairs": pairs,
                "wall s": round(wall, 1),
                "CPU s": round(cpu, 1),
                "peak MiB": round(peak),
            }
        ],
        "goal": f"300 students in under {GOAL_S:g} s",
        "met": bool(wall < GOAL_S),
        "summary": f"{wall:.1f} s wall, {cpu:.1f} CPU s for {count} students",
        "notes": "One process. The class cycles through some thirty variants of the grading bank, so most pairs "
        "share code and are compared in full: a real class, whose pairs share less, is faster. Most of the time is "
        "the tokenizing of each submission (Pygments, through copydetect), not the pairs.",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    args = parser.parse_args()
    result = run(count=args.students)
    row = result["rows"][0]
    print(
        f"{row['students']} students, {row['pairs']} pairs: {row['wall s']} s wall, {row['CPU s']} CPU s, "
        f"peak {row['peak MiB']} MiB (goal: {result['goal']})"
    )


if __name__ == "__main__":
    main()
