"""Helpers shared by the benchmarks: timing, machine description, and the instructor's solution functions."""

from __future__ import annotations

import importlib.util
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def best_time(function, *, repeats: int = 5, budget_s: float = 2.0) -> float:
    """Smallest wall time of ``function()`` in seconds over up to ``repeats`` calls (stops early past ``budget_s``)."""
    best = float("inf")
    started = time.perf_counter()
    for _ in range(repeats):
        begin = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - begin)
        if time.perf_counter() - started > budget_s:
            break
    return best


#: Runs the command in argv[1:] with its output sent to stderr, reaps every process of its tree, then prints the
#: peak resident memory of the largest single process (KiB) and the CPU seconds of them all. On Linux it is a child
#: subreaper, so processes orphaned inside the tree (a killed worker's kernel, a sandbox) are reaped here and count.
_MEASURE = """
import ctypes, os, resource, subprocess, sys, time
if sys.platform == "linux":
    ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
code = subprocess.run(sys.argv[1:], stdout=sys.stderr).returncode
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        if os.waitpid(-1, os.WNOHANG) == (0, 0):
            time.sleep(0.2)
    except ChildProcessError:
        break
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
sys.exit(code)
"""


def measure_command(command, *, cwd: Path, env: dict | None = None) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds of all its processes, peak resident MiB of its largest process) of ``command``.

    The peak is ``RUSAGE_CHILDREN``'s ``ru_maxrss``: the largest single process of the command's tree, not the sum
    of processes alive at once. Raises RuntimeError with the command's output when it fails.
    """
    command = [str(part) for part in command]
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], cwd=cwd, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed (exit status {result.returncode}):\n{result.stderr[-6000:]}")
    peak_kib, cpu = result.stdout.split()[-2:]
    return wall, float(cpu), int(peak_kib) / 1024


def machine() -> dict:
    """What the figures were measured on."""
    import numpy
    import scipy

    from course_utils.training import cpu_model

    info = {
        "date": time.strftime("%Y-%m-%d"),
        "platform": platform.platform(),
        "processor": cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
    }
    from course_utils.training import gpu_names, library_versions

    try:
        versions, gpus = library_versions(), gpu_names()
    except ImportError:  # no Keras: the NumPy benchmarks still run
        return info
    info.update(
        keras=versions["keras"],
        keras_backend=versions["keras_backend"],
        backend_version=versions[versions["keras_backend"]],
        gpus=gpus,
    )
    if versions["keras_backend"] == "tensorflow":
        info["tensorflow"] = versions["tensorflow"]
    return info


def course_harness():
    """tests/nbgrader_course.py (a temporary nbgrader course), loaded from its file (tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location("nbgrader_course", REPO / "tests" / "nbgrader_course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def solution_namespace(assignment: str) -> dict:
    """The functions of ``solutions/<assignment>/<assignment>.ipynb``: its code cells run in a fresh namespace.

    Only the cells nbgrader marks as solution cells or as read-only set-up cells (imports, helpers) are run: never
    test cells, nor the unmarked cells that use the functions (training runs, plots).
    """
    import nbformat
    from nbgrader.utils import is_grade, is_locked, is_solution

    from course_utils.grading.cells import grade_id

    path = REPO / "solutions" / assignment / f"{assignment}.ipynb"
    namespace: dict = {"__name__": f"solution_{assignment}"}
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code" and not is_grade(cell) and (is_solution(cell) or is_locked(cell)):
            exec(compile(cell.source, f"{path.name}:{grade_id(cell) or 'cell'}", "exec"), namespace)
    return namespace
