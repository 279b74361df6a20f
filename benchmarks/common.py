"""Helpers shared by the benchmarks: timing, machine description, and the instructor's solution functions."""

from __future__ import annotations

import json
import os
import platform
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
    try:
        import keras
        import tensorflow as tf

        info["tensorflow"] = tf.__version__
        info["keras"] = keras.__version__
        info["gpus"] = [gpu.name for gpu in tf.config.list_physical_devices("GPU")]
    except ImportError:
        pass
    return info


def solution_namespace(assignment: str) -> dict:
    """The functions of ``solutions/<assignment>/<assignment>.ipynb``: its code cells run in a fresh namespace.

    Only the cells nbgrader marks as solution cells or as read-only set-up cells (imports, helpers) are run: never
    test cells, nor the unmarked cells that use the functions (training runs, plots).
    """
    path = REPO / "solutions" / assignment / f"{assignment}.ipynb"
    notebook = json.loads(path.read_text())
    namespace: dict = {"__name__": f"solution_{assignment}"}
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] != "code" or meta.get("grade"):
            continue
        source = "".join(cell["source"])
        if meta.get("solution") or meta.get("locked"):
            exec(compile(source, f"{path.name}:{meta.get('grade_id', 'cell')}", "exec"), namespace)
    return namespace
