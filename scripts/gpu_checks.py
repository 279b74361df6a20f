"""The checks of exercise 3's GPU tier, in one command (GRADING.md, "The GPU tier").

    scripts/gpu_checks.sh OUT [--wheels DIR]              # a GPU runner: install, then the checks below
    python -m scripts.gpu_checks OUT --profile smoke      # the checks alone (smoke: a dry run on a CPU)

Everything lands under OUT:

* ``environment.json``: the GPUs, Keras's backend and the library versions;
* ``bench/``: the training throughput benchmark (``benchmarks/bench_training_gpu.py``), run first, on the idle GPU;
* ``records/``: reference runs of the solution under the profile, seeds 1-5 (→ ``ex03_reference_runs.py
  thresholds`` once copied to ``course_utils/thresholds/``);
* ``autograde/``: ``course autograde --profile gpu`` of the solution and two bank submissions (a correct one, a
  network that cannot learn), their results and ``expectations.json`` (did each lose exactly the expected points);
* ``cifar10-full-gpu/``: the chapter's full run (seed 12, up to 1,000 epochs, until early stopping), the record the
  CIFAR-10 page shows beside the CPU run;
* ``logs/``: one log per part; ``summary.json``: each part's status and seconds.

After the benchmark the other parts run at once and share the GPU (each takes GPU memory as it needs it). A part
that fails, or is still running at ``--deadline`` seconds (then it is stopped), is marked so in ``summary.json``;
the others go on. The smoke profile trains a few hundred images for an epoch or two everywhere; ``--parts`` runs
some of the checks only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "ex03_cnn"
BANK = REPO / "tests" / "submissions" / ASSIGNMENT
TRAINING = "training_balanced_accuracy"
#: Students graded end to end, with the grade cells each must lose under the gpu profile.
AUTOGRADE_STUDENTS = {
    "solution": set(),
    "correct_sequential": set(),
    "bug_linear_output": {"build_cnn_dense_hyperparameters", TRAINING},
}
#: What check_training prints wherever the training tier runs; names the profile the grader used.
TRAINED_UNDER = re.compile(r"Trained under the grader's (\w+) budget .*? balanced accuracy on the test set ([0-9.]+)")
#: The checks, in the order they start (the benchmark alone first, then the others at once).
PARTS = ["benchmark", "reference", "autograde", "full-run"]
#: The book's full run: seed, batch size and epoch cap (book/cifar10-cnn.md).
FULL_RUN_SEED, FULL_RUN_BATCH, FULL_RUN_EPOCHS = 12, 100, 1000


def environment() -> dict:
    """GPUs (nvidia-smi and Keras's backend), library versions, CPU."""
    from course_utils.runs import environment as run_environment

    try:
        smi = (
            subprocess.run(
                ["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                capture_output=True,
                text=True,
                timeout=30,
            )
            .stdout.strip()
            .splitlines()
        )
    except (OSError, subprocess.TimeoutExpired):
        smi = []
    return {**run_environment(), "nvidia_smi": smi, "keras_backend_env": os.environ.get("KERAS_BACKEND")}


def autograde(folder: Path, profile: str) -> dict:
    """Grade the solution and two bank submissions with the real ``course collect`` and ``course autograde
    --profile gpu``; write and return whether each lost exactly the expected grade cells."""
    import nbformat

    from benchmarks.common import course_harness

    harness = course_harness()
    folder.mkdir(parents=True, exist_ok=True)
    course = harness.NbgraderCourse.create(folder / "course", [ASSIGNMENT])
    export, workspace = folder / "export", folder / "workspace"
    for student in AUTOGRADE_STUDENTS:
        answers = {} if student == "solution" else harness.read_variant(BANK / f"{student}.py")
        export.joinpath(student).mkdir(parents=True, exist_ok=True)
        nbformat.write(course.student_notebook(ASSIGNMENT, answers), export / student / f"{ASSIGNMENT}.ipynb")
    course_command = Path(sys.executable).with_name("course")
    env = {
        **os.environ,
        "COURSE_GRADING_PROFILE": profile,
        "PATH": os.pathsep.join([str(course_command.parent), os.environ.get("PATH", "")]),
    }
    env.pop("COURSE_WORKSPACE", None)
    with (folder / "course.log").open("w") as log:
        for command in (
            ["collect", ASSIGNMENT, export, "--workspace", workspace],
            [
                "autograde",
                ASSIGNMENT,
                "--jobs",
                str(len(AUTOGRADE_STUDENTS)),
                "--workspace",
                workspace,
                "--profile",
                "gpu",
            ],
        ):
            log.write(f"$ course {' '.join(map(str, command))}\n")
            log.flush()
            started = time.perf_counter()
            code = subprocess.run(
                [course_command, *command], cwd=course.root, env=env, stdout=log, stderr=subprocess.STDOUT
            ).returncode
            log.write(f"(exit status {code}, {time.perf_counter() - started:.0f} s)\n")
            log.flush()
            if code != 0:
                raise RuntimeError(f"course {command[0]} failed with exit status {code}; see {folder / 'course.log'}")
    findings = {}
    for student, expected in AUTOGRADE_STUDENTS.items():
        if profile != "gpu":
            expected = expected - {TRAINING}  # the smoke profile grades no accuracy
        result = json.loads((workspace / "results" / ASSIGNMENT / f"{student}.json").read_text())
        lost = {part["grade_id"] for part in result.get("parts", []) if part["score"] < part["max_score"]}
        trained = sorted(
            {
                match
                for path in (workspace / "autograded" / student).rglob("*.ipynb")
                for match in TRAINED_UNDER.findall(path.read_text())
            }
        )
        findings[student] = {
            "status": result["status"],
            "score": result.get("score"),
            "max_score": result.get("max_score"),
            "lost": sorted(lost),
            "expected_lost": sorted(expected),
            "as_expected": lost == expected,
            "trained_under": trained,
            "problems": result.get("problems"),
        }
    findings["profile_applied"] = all(
        profile == name for student in AUTOGRADE_STUDENTS for name, _ in findings[student]["trained_under"]
    )
    (folder / "expectations.json").write_text(json.dumps(findings, indent=1) + "\n")
    return findings


def full_run(folder: Path, profile: str) -> dict:
    """The chapter's full run (all training images, seed 12, batch 100, up to 1,000 epochs, the chapter's callbacks,
    validation on the test set) with the solution's network, recorded as book/runs/cifar10-full/ is."""
    import keras
    import numpy as np

    from course_utils.data import load_cifar10, subset
    from course_utils.runs import evaluate_on_test, run_recorder
    from scripts.ex03_reference_runs import solution_functions

    functions = solution_functions()
    (x_train, labels_train), (x_test, labels_test) = load_cifar10()
    epochs = FULL_RUN_EPOCHS
    if profile != "gpu":
        (x_train, labels_train), (x_test, labels_test), epochs = (
            subset(x_train, labels_train, 30, 0),
            subset(x_test, labels_test, 30, 0),
            2,
        )
    lossless = np.arange(len(x_test)) < 1000  # the pixel-exact test images of the course's copy (see the page)
    x_train, x_test = x_train.astype("float32") / 255.0, x_test.astype("float32") / 255.0
    y_train, y_test = keras.utils.to_categorical(labels_train, 10), keras.utils.to_categorical(labels_test, 10)
    keras.utils.set_random_seed(FULL_RUN_SEED)
    model = functions["compile_cnn"](functions["build_cnn"]())
    settings = {
        "batch_size": FULL_RUN_BATCH,
        "max_epochs": epochs,
        "train_images": len(x_train),
        "data_pipeline": "NumPy arrays",
    }
    recorder = run_recorder(
        folder, lambda m: evaluate_on_test(m, x_test, labels_test, lossless), settings, FULL_RUN_SEED
    )
    model.fit(
        x_train,
        y_train,
        batch_size=FULL_RUN_BATCH,
        epochs=epochs,
        validation_data=(x_test, y_test),
        callbacks=[*functions["make_callbacks"](), recorder],
        shuffle=True,
        verbose=2,
    )
    model.save_weights(folder / "cnn.weights.h5")
    final = evaluate_on_test(model, x_test, labels_test, lossless)
    final["train_accuracy"] = recorder.history[-1]["accuracy"]
    predicted = np.argmax(model.predict(x_train, batch_size=500, verbose=0), axis=1)
    final["train_accuracy_restored_weights"] = float(np.mean(predicted == np.asarray(labels_train).reshape(-1)))
    recorder.write("complete", final)
    return {
        "epochs_run": len(recorder.history),
        "best_epoch": recorder.best["epoch"],
        "balanced_accuracy": final["balanced_accuracy"],
        "wall_seconds": time.time() - recorder.started,
    }


class Part:
    """One check running as a child process (its own process group), logging to ``logs/<name>.log``."""

    def __init__(self, name: str, command: list, out: Path):
        self.name, self.command = name, [str(part) for part in command]
        self.log = (out / "logs" / f"{name}.log").open("w")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            self.command, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.status, self.seconds = "running", None

    def poll(self) -> bool:
        """Update the status; True once the part has ended."""
        code = self.process.poll()
        if code is not None and self.status == "running":
            self.status = "passed" if code == 0 else f"failed (exit status {code})"
            self.seconds = round(time.perf_counter() - self.started, 1)
            self.log.close()
        return code is not None

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.poll()
        self.status = "stopped at the deadline"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the records and logs")
    parser.add_argument(
        "--profile",
        default="gpu",
        choices=["gpu", "smoke"],
        help="gpu (the real checks) or smoke (a dry run on any machine)",
    )
    parser.add_argument("--deadline", type=float, default=420, help="seconds after which running parts are stopped")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5], help="reference-run seeds")
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=PARTS,
        default=PARTS,
        help="the checks to run (default: all), e.g. --parts autograde to grade again",
    )
    parser.add_argument("--part", choices=["autograde", "full-run"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for name, value in {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}.items():
        os.environ.setdefault(name, value)  # before anything imports TensorFlow, here or in the parts
    out = args.out.resolve()
    if args.part == "autograde":
        print(json.dumps(autograde(out, args.profile), indent=1))
        return 0
    if args.part == "full-run":
        print(json.dumps(full_run(out, args.profile), indent=1))
        return 0

    from course_utils.training import SHARED_GPU_ENV

    for name, value in SHARED_GPU_ENV.items():  # the parts share the GPU
        os.environ.setdefault(name, value)
    started = time.perf_counter()
    (out / "logs").mkdir(parents=True, exist_ok=True)
    (out / "environment.json").write_text(json.dumps(environment(), indent=1) + "\n")
    python, me = sys.executable, ["-m", "scripts.gpu_checks"]
    parts = []
    if "benchmark" in args.parts:
        bench = Part(
            "benchmark",
            [
                python,
                "-m",
                "benchmarks.run",
                "training_gpu",
                "--output",
                out / "bench",
                *(["--quick"] if args.profile != "gpu" else []),
            ],
            out,
        )
        while not bench.poll():
            time.sleep(1)
        print(f"[{time.perf_counter() - started:5.0f} s] benchmark: {bench.status}", flush=True)
        parts.append(bench)
    if "reference" in args.parts:
        parts += [
            Part(
                f"reference-seed{seed}",
                [
                    python,
                    REPO / "scripts" / "ex03_reference_runs.py",
                    "run",
                    "--profile",
                    args.profile,
                    "--seeds",
                    seed,
                    "--records",
                    out / "records",
                ],
                out,
            )
            for seed in args.seeds
        ]
    if "autograde" in args.parts:
        parts.append(
            Part("autograde", [python, *me, out / "autograde", "--profile", args.profile, "--part", "autograde"], out)
        )
    if "full-run" in args.parts:
        parts.append(
            Part(
                "full-run",
                [python, *me, out / "cifar10-full-gpu", "--profile", args.profile, "--part", "full-run"],
                out,
            )
        )
    while not all(part.poll() for part in parts):
        if time.perf_counter() - started > args.deadline:
            for part in parts:
                if not part.poll():
                    part.stop()
            break
        time.sleep(2)
        for part in parts:
            if part.status == "running" and part.poll():
                print(f"[{time.perf_counter() - started:5.0f} s] {part.name}: {part.status}", flush=True)
    summary = {
        "profile": args.profile,
        "seconds": round(time.perf_counter() - started, 1),
        "parts": {part.name: {"status": part.status, "seconds": part.seconds} for part in parts},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    for part in parts:
        print(f"{part.name:20} {part.status:28} {part.seconds if part.seconds is not None else '':>8}")
    return 0 if all(part.status == "passed" for part in parts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
