"""Autograding exercises 1 and 2: seconds per submission with the real `nbgrader autograde`, and the kernel's share.

For each assignment a temporary course (the test suite's harness, tests/nbgrader_course.py) grades 1 and then K
copies of the solution in one `nbgrader autograde` call each; the difference gives the cost of one more submission
(kernel start, every cell, nbgrader's bookkeeping), free of nbgrader's own start-up. The kernel's share is the
summed execution time of an autograded notebook's cells (hidden tests included; median over the submissions).
The trusted re-run that `course autograde` adds (course_utils.grading.trusted.regrade: a sandbox, then every test
cell again) is timed on its own (median of three). Goals: about a second of kernel time per submission (the
notebooks import NumPy only, no TensorFlow), and at most one more second for the trusted re-run.

    .venv/bin/python -m benchmarks.bench_autograde_ex01_ex02      # prints seconds per submission
"""

from __future__ import annotations

import datetime
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.common import course_harness

ASSIGNMENTS = ("ex01_convolution", "ex02_pooling")
GOAL_KERNEL_S = 1.5
GOAL_TRUSTED_S = 1.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _autograde(course, assignment: str, students: int) -> tuple[float, float]:
    """Wall and CPU seconds of one `nbgrader autograde` call over ``students`` copies of the solution."""
    shutil.rmtree(course.root / "submitted", ignore_errors=True)
    for index in range(students):
        course.submit(assignment, f"student{index:02d}", course.student_notebook(assignment))
    started, cpu = time.perf_counter(), _children_cpu()
    course.autograde(assignment)
    return time.perf_counter() - started, _children_cpu() - cpu


def _kernel_seconds(notebook) -> float:
    """Summed execution time of an autograded notebook's cells, from the timings nbclient records in each cell."""
    total = 0.0
    for cell in notebook.cells:
        timing = cell.metadata.get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            begin, end = (
                datetime.datetime.fromisoformat(timing[key].replace("Z", "+00:00"))
                for key in ("iopub.execute_input", "shell.execute_reply")
            )
            total += (end - begin).total_seconds()
    return total


def _trusted_seconds(course, assignment: str) -> float:
    """Median wall seconds of the trusted re-run of one graded submission (the solution)."""
    from course_utils.grading.trusted import regrade

    source = course.root / "solutions" / assignment / f"{assignment}.ipynb"
    submitted = course.root / "submitted" / "student00" / assignment / f"{assignment}.ipynb"
    times = []
    for _ in range(3):
        started = time.perf_counter()
        regrade(source, submitted, hide=[course.root])
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(assignments, quick: bool = False) -> list[dict]:
    """One row of figures per assignment (of the NumPy exercises: 1, 2 or 4)."""
    harness = course_harness()
    copies = 3 if quick else 6
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        course = harness.NbgraderCourse.create(Path(folder), assignments)
        for assignment in assignments:
            one_wall, one_cpu = _autograde(course, assignment, 1)
            many_wall, many_cpu = _autograde(course, assignment, copies)
            rows.append(
                {
                    "assignment": assignment,
                    "kernel s (cells)": round(
                        statistics.median(
                            _kernel_seconds(course.autograded(assignment, f"student{index:02d}"))
                            for index in range(copies)
                        ),
                        2,
                    ),
                    "autograde s per submission (wall)": round((many_wall - one_wall) / (copies - 1), 2),
                    "autograde s per submission (CPU)": round((many_cpu - one_cpu) / (copies - 1), 2),
                    f"one call, {copies} submissions (wall s)": round(many_wall, 1),
                    "trusted re-run s per submission (wall)": round(_trusted_seconds(course, assignment), 2),
                }
            )
    return rows


def result(title: str, rows: list[dict]) -> dict:
    """The benchmark's result (see benchmarks/run.py) for ``rows`` of :func:`measure`, against the goals."""
    worst = max(row["kernel s (cells)"] for row in rows)
    worst_trusted = max(row["trusted re-run s per submission (wall)"] for row in rows)
    return {
        "title": title,
        "rows": rows,
        "goal": f"about a second of kernel time per submission (at most {GOAL_KERNEL_S} s); the trusted re-run "
        f"adds at most {GOAL_TRUSTED_S:g} s",
        "met": bool(worst <= GOAL_KERNEL_S and worst_trusted <= GOAL_TRUSTED_S),
        "summary": ", ".join(
            f"{row['assignment']}: {row['autograde s per submission (wall)']} s per submission, "
            f"{row['kernel s (cells)']} s in the kernel, "
            f"+{row['trusted re-run s per submission (wall)']} s trusted re-run"
            for row in rows
        ),
    }


def run(quick: bool = False) -> dict:
    return result("Autograding exercises 1 and 2 (nbgrader autograde)", measure(ASSIGNMENTS, quick))


if __name__ == "__main__":
    for row in run()["rows"]:
        print(", ".join(f"{key}: {value}" for key, value in row.items()))
