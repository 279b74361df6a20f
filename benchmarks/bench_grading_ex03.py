"""Grading one exercise-3 submission (the Keras CNN): wall seconds and peak memory of the real `course autograde`.

A temporary course releases ex03_cnn (the test suite's harness, tests/nbgrader_course.py, as the other autograding
benchmarks do), `course collect` imports the instructor's solution as one student's submission, and one
`course autograde` call grades it under a grading profile: every tier, the CNN's training on CIFAR-10 included,
whichever process runs it. The whole call is measured, start-up included; the peak memory is that of the largest
single process of the call's tree (``RUSAGE_CHILDREN``), not the sum of processes alive at once.

The profile is ``$COURSE_GRADING_PROFILE`` when set, else ``smoke`` with ``--quick``, else ``cpu``; CIFAR-10 comes
from ``$COURSE_CIFAR10``:

    COURSE_CIFAR10=cifar10.npz .venv/bin/python -m benchmarks.run grading_ex03
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat

from benchmarks.common import course_harness, measure_command
from course_utils.grading.limits import PROFILE_LIMITS
from course_utils.training import PROFILE_ENV, PROFILES

ASSIGNMENT = "ex03_cnn"
STUDENT = "solution"
COURSE = Path(sys.executable).with_name("course")
GOAL_S = 300
#: What check_training prints, wherever the training tier runs; names the profile the grader actually used.
TRAINED_UNDER = re.compile(r"Trained under the grader's (\w+) budget")


def _profile(quick: bool) -> str:
    profile = os.environ.get(PROFILE_ENV) or ("smoke" if quick else "cpu")
    if profile not in PROFILES:
        raise RuntimeError(
            f"unknown grading profile {profile!r} in ${PROFILE_ENV}; choose one of {', '.join(sorted(PROFILES))}"
        )
    return profile


def _environment(profile: str) -> dict:
    data = os.environ.get("COURSE_CIFAR10")
    if not data or not Path(data).exists():
        raise RuntimeError(
            f"grading exercise 3 trains on CIFAR-10: set COURSE_CIFAR10 to a local copy "
            f"(an .npz file, the cifar-10-batches-py folder or the tar.gz; now {data!r})"
        )
    path = os.pathsep.join([str(COURSE.parent), os.environ.get("PATH", "")])
    return {
        **{k: v for k, v in os.environ.items() if k != "COURSE_WORKSPACE"},
        "PATH": path,
        "COURSE_CIFAR10": str(Path(data).resolve()),
        PROFILE_ENV: profile,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TF_ENABLE_ONEDNN_OPTS": "0",
    }


def _check(workspace: Path, assignment: str, profile: str) -> None:
    """Raise unless the solution got full marks, and under ``profile`` where the grader names the one it used."""
    graded = json.loads((workspace / "results" / assignment / f"{STUDENT}.json").read_text())
    if graded["status"] != "graded":
        raise RuntimeError(f"`course autograde` did not grade the solution: {graded['problems']}")
    if graded["score"] != graded["max_score"]:
        lost = [part["grade_id"] for part in graded["parts"] if part["score"] < part["max_score"]]
        raise RuntimeError(
            f"the solution lost points on {lost} ({graded['problems']}); the figures would not measure a normal grading"
        )
    printed = {
        match
        for path in workspace.rglob("*")
        if path.suffix in (".json", ".ipynb")
        for match in TRAINED_UNDER.findall(path.read_text())
    }
    if printed - {profile}:
        raise RuntimeError(
            f"asked for the {profile!r} profile, but the grader trained under {sorted(printed)}: "
            f"did `course autograde` replace ${PROFILE_ENV}?"
        )


def measure(assignment: str, profile: str) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MiB of the largest process) of one `course autograde` of one solution submission."""
    env = _environment(profile)
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as folder:
        course = course_harness().NbgraderCourse.create(Path(folder) / "course", [assignment])
        export, workspace = Path(folder) / "export", Path(folder) / "workspace"
        export.joinpath(STUDENT).mkdir(parents=True)
        nbformat.write(course.student_notebook(assignment), export / STUDENT / f"{assignment}.ipynb")
        measure_command([COURSE, "collect", assignment, export, "--workspace", workspace], cwd=course.root, env=env)
        figures = measure_command(
            [
                COURSE,
                "autograde",
                assignment,
                "--jobs",
                "1",
                "--workspace",
                workspace,
                "--profile",
                "gpu" if PROFILES[profile].needs_gpu else "cpu",
            ],
            cwd=course.root,
            env=env,
        )
        _check(workspace, assignment, profile)
    return figures


def run(quick: bool = False) -> dict:
    profile = _profile(quick)
    limits = PROFILE_LIMITS["gpu" if PROFILES[profile].needs_gpu else "cpu"]
    load_before = os.getloadavg()[0]
    wall, cpu, peak_mib = measure(ASSIGNMENT, profile)
    rows = [
        {
            "profile": f"{profile} ({PROFILES[profile].description})",
            "s per submission (wall)": round(wall, 1),
            "CPU s per submission (all processes)": round(cpu, 1),
            "peak resident memory (largest process)": f"{peak_mib:.0f} MiB",
        }
    ]
    cap = limits["memory_mb"]
    return {
        "title": "Grading one exercise-3 submission (course autograde, the Keras CNN)",
        "rows": rows,
        "goal": f"one submission within {GOAL_S // 60} minutes"
        + (f", its largest process below the {cap} MiB per-kernel memory cap" if cap else ""),
        "met": bool(wall <= GOAL_S and (not cap or peak_mib <= cap)),
        "summary": f"{profile} profile: {wall:.0f} s wall, {cpu:.0f} CPU s, peak {peak_mib:.0f} MiB",
        "notes": "One `course autograde --jobs 1` call grading the instructor's solution as one student, start-up "
        "included; the memory is the peak resident set of the largest single process of the call "
        f"(RUSAGE_CHILDREN ru_maxrss), not a sum. Load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after ({os.cpu_count()} CPUs).",
    }


if __name__ == "__main__":
    print(run()["summary"])
