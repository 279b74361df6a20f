"""Autograding exercise 4 (backpropagation): seconds per submission with the real `nbgrader autograde`, the kernel's
share and the trusted re-run, measured as for exercises 1 and 2 (see benchmarks/bench_autograde_ex01_ex02.py) and
held to the same goals: the notebook imports NumPy only, and its hidden tests replay short gradient-descent runs.

    .venv/bin/python -m benchmarks.bench_autograde_ex04      # prints seconds per submission
"""

from __future__ import annotations

from benchmarks.bench_autograde_ex01_ex02 import measure, result


def run(quick: bool = False) -> dict:
    return result("Autograding exercise 4 (nbgrader autograde)", measure(("ex04_backprop",), quick))


if __name__ == "__main__":
    for row in run()["rows"]:
        print(", ".join(f"{key}: {value}" for key, value in row.items()))
