"""Reference runs of exercise 3's solution, and the grading thresholds derived from them.

    python scripts/ex03_reference_runs.py run --profile cpu --seeds 1 2 3 4 5
    python scripts/ex03_reference_runs.py thresholds

(``run --records DIR`` writes the records elsewhere, e.g. on a GPU runner, to be copied here afterwards.)

``run`` trains the solution's network (``solutions/ex03_cnn/ex03_cnn.ipynb``) with ``course_utils.training`` under a
grading profile, once per seed, and writes one record per run to ``course_utils/thresholds/`` (seed, profile and
budget, per-epoch history, final metrics, library versions, hardware, wall time). ``thresholds`` turns the records
into ``thresholds.json``: for every profile with at least ``MIN_REFERENCE_RUNS`` records at the current budget, the
threshold is the mean balanced accuracy minus ``THRESHOLD_SDS`` standard deviations (at least ``MIN_THRESHOLD_SD``
each). A profile without enough runs
gets a provisional threshold derived from the book's printed result, marked with the reason.
CIFAR-10 comes from ``course_utils.data.load_cifar10`` (set COURSE_CIFAR10 on machines without internet).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

REPO = Path(__file__).resolve().parent.parent
SOLUTION = REPO / "solutions" / "ex03_cnn" / "ex03_cnn.ipynb"
RECORDS = REPO / "course_utils" / "thresholds"
#: Cells of the solution notebook that define what a run needs (nbgrader grade ids).
SOLUTION_CELLS = ("imports", "build_cnn", "compile_cnn", "make_callbacks")
#: Profiles without reference runs yet: threshold = the book's balanced accuracy minus this margin, provisional.
PROVISIONAL_MARGIN = {"gpu": 0.07}


def solution_functions(path: Path = SOLUTION) -> dict:
    """``build_cnn``, ``compile_cnn`` and ``make_callbacks`` as the solution notebook defines them."""
    import nbformat

    from course_utils.grading.cells import grade_id

    notebook = nbformat.read(path, as_version=4)
    namespace: dict = {}
    for cell in notebook.cells:
        if cell.cell_type == "code" and grade_id(cell) in SOLUTION_CELLS:
            exec(compile(cell.source, f"{path.name}:{grade_id(cell)}", "exec"), namespace)
    return {name: namespace[name] for name in ("build_cnn", "compile_cnn", "make_callbacks")}


def record_path(profile: str, seed: int, records: Path = RECORDS) -> Path:
    return records / f"ex03_cnn-{profile}-seed{seed}.json"


def run(profile_name: str, seeds: list[int], records: Path = RECORDS) -> None:
    from course_utils import training

    profile = training.select_profile(profile_name)
    functions = solution_functions()
    data = training.load_data(profile)
    for seed in seeds:
        result = training.train(
            functions["build_cnn"],
            functions["compile_cnn"],
            profile,
            seed=seed,
            callbacks=functions["make_callbacks"],
            data=data,
        )
        record = result.record()
        record["history"] = {key: [round(value, 6) for value in values] for key, values in record["history"].items()}
        records.mkdir(parents=True, exist_ok=True)
        record_path(profile.name, seed, records).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(
            f"{profile.name} seed {seed}: balanced accuracy {result.balanced_accuracy:.4f} "
            f"after {result.epochs_run} epochs in {result.wall_time_s:.0f} s",
            flush=True,
        )


def thresholds() -> dict:
    """Build ``thresholds.json`` from the records; returns what it wrote."""
    from course_utils import reference, training

    profiles = {}
    for name, profile in training.PROFILES.items():
        records = [
            json.loads(path.read_text(encoding="utf-8")) for path in sorted(RECORDS.glob(f"ex03_cnn-{name}-seed*.json"))
        ]
        current = [record for record in records if record["budget"] == profile.budget()]
        entry = {"budget": profile.budget(), "description": profile.description}
        if len(current) >= training.MIN_REFERENCE_RUNS:
            entry.update(training.threshold_from_runs([record["balanced_accuracy"] for record in current]))
            entry.update(
                seeds=sorted(record["seed"] for record in current),
                wall_time_s=[record["wall_time_s"] for record in current],
                provisional=False,
                measured_on=sorted(
                    {
                        f"{', '.join(r['hardware']['gpus']) or r['hardware']['processor']}, "
                        f"Keras {r['versions']['keras']} on "
                        f"{r['versions'].get('keras_backend', 'tensorflow')}"
                        for r in current
                    }
                ),
            )
        elif name in PROVISIONAL_MARGIN:
            margin = PROVISIONAL_MARGIN[name]
            entry.update(
                mean=reference.BALANCED_ACCURACY,
                sd=None,
                runs=len(current),
                provisional=True,
                threshold=round(reference.BALANCED_ACCURACY - margin, 4),
                reason=(
                    f"only {len(current)} reference runs at this budget (needs "
                    f"{training.MIN_REFERENCE_RUNS}); the threshold is the book's balanced accuracy "
                    f"{reference.BALANCED_ACCURACY} minus a margin of {margin} for the spread between "
                    f"seeds and the epoch cap. Replace it by running this script's `run` step on a GPU."
                ),
            )
        else:
            entry.update(
                threshold=None,
                runs=len(current),
                provisional=False,
                reason="grades no accuracy: checks that training runs and predicts valid scores",
            )
        profiles[name] = entry
    content = {
        "assignment": training.ASSIGNMENT,
        "metric": "balanced accuracy on the test set",
        "rule": f"mean - {training.THRESHOLD_SDS} sd (sd at least {training.MIN_THRESHOLD_SD}) of at least "
        f"{training.MIN_REFERENCE_RUNS} seeded reference runs of the solution at the same budget",
        "grading_seed": training.GRADING_SEED,
        "profiles": profiles,
    }
    (RECORDS / "thresholds.json").write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")
    return content


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    runs = commands.add_parser("run", help="train the solution under a profile, one record per seed")
    runs.add_argument("--profile", required=True, help="cpu, gpu or smoke")
    runs.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    runs.add_argument("--records", type=Path, default=RECORDS, help=f"folder for the records (default {RECORDS})")
    commands.add_parser("thresholds", help="write thresholds.json from the records")
    arguments = parser.parse_args(argv)
    if arguments.command == "run":
        run(arguments.profile, arguments.seeds, arguments.records)
    else:
        for name, entry in thresholds()["profiles"].items():
            print(
                f"{name}: threshold {entry['threshold']} from {entry['runs']} runs"
                f"{' (provisional)' if entry['provisional'] else ''}"
            )


if __name__ == "__main__":
    main()
