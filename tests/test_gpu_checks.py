"""Does the GPU tier's one-command check (scripts/gpu_checks.py) run and record what it promises, as a dry run?

The smoke profile trains a few hundred images, so the same code that runs on a GPU runner is exercised here on the
CPU: the reference runs write records the thresholds step reads, and the full run writes a record in the form the
CIFAR-10 page loads. (Grading end to end is tested by tests/test_ex03_grading.py.)
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO


@pytest.mark.slow
def test_does_a_smoke_run_of_the_gpu_checks_record_reference_runs_and_a_full_run(tmp_path, cifar10_path):
    out = tmp_path / "out"
    env = {"COURSE_CIFAR10": str(cifar10_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.gpu_checks",
            out,
            "--profile",
            "smoke",
            "--parts",
            "reference",
            "full-run",
            "--seeds",
            "1",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert {name: part["status"] for name, part in summary["parts"].items()} == {
        "reference-seed1": "passed",
        "full-run": "passed",
    }
    reference = json.loads((out / "records" / "ex03_cnn-smoke-seed1.json").read_text())
    assert reference["profile"] == "smoke" and reference["seed"] == 1 and reference["versions"]["keras_backend"]
    record = json.loads((out / "cifar10-full-gpu" / "record.json").read_text())
    history = json.loads((out / "cifar10-full-gpu" / "history.json").read_text())
    assert record["status"] == "complete" and record["seed"] == 12 and record["epochs_run"] == len(history) == 2
    assert {"balanced_accuracy", "test_accuracy_lossless", "confusion_matrix"} <= set(record["metrics"])
    assert (out / "cifar10-full-gpu" / record["weights"]).is_file()
    assert json.loads((out / "environment.json").read_text())["versions"]["keras"]
