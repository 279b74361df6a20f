"""The recorded runs of the page "Doing better than the chapter" (book/beyond-the-chapter.md), and their check.

    python -m benchmarks.recipe_runs run --budget-minutes 10 --seeds 0 --out book/runs/beyond-10min
    python -m benchmarks.recipe_runs run --budget-minutes 10 --steps smoothing --seeds 1 2 --out book/runs/beyond-10min
    python -m benchmarks.recipe_runs check book/runs/beyond-10min

``run`` trains the ablation steps of :mod:`course_utils.recipes` on all of CIFAR-10, each for the same training time,
and writes one record per step and seed (``<step>-seed<seed>.json``); ``make recipes`` re-runs the book's records.
``check`` trains the recipe once more on the records' budget and says whether it lands in the spread the page gives
(exit status 1 when it does not). The chapter's network comes from the book's solution of Exercise 3.

TensorFlow's oneDNN kernels are switched on (``TF_ENABLE_ONEDNN_OPTS=1``) unless the environment says otherwise
before this module starts; on two CPU cores they train the chapter's network about five times faster.
"""

from __future__ import annotations

import argparse
import os
import sys

from course_utils import recipes


def chapter_network():
    """The chapter's CNN, built by the book's solution of Exercise 3 (ten sigmoid outputs, uncompiled)."""
    from benchmarks.common import solution_namespace

    return solution_namespace("ex03_cnn")["build_cnn"]()


def _print(line: str) -> None:
    print(line, flush=True)


def run(budget_minutes: float, steps: list[str], seeds: list[int], out: str) -> list[dict]:
    """Train every step for every seed; write and return the records."""
    from course_utils.data import load_cifar10

    data = load_cifar10()
    jobs = [(name, seed) for seed in seeds for name in steps]
    records = []
    for index, (name, seed) in enumerate(jobs, 1):
        _print(f"[{index}/{len(jobs)}] {name} (seed {seed}): {recipes.RUNS[name].change}")
        record = recipes.train_step(
            name, budget_minutes * 60, seed=seed, data=data, chapter_network=chapter_network, log=_print
        )
        path = recipes.write_record(record, out)
        _print(f"[{index}/{len(jobs)}] balanced accuracy {record['balanced_accuracy']:.4f} -> {path}")
        records.append(record)
    return records


def check(folder: str, seed: int) -> bool:
    """Train the recipe once on the budget of the records in ``folder``; is its balanced accuracy in their spread?"""
    spread = recipes.spread(recipes.load_records(folder))
    _print(
        f"the recorded {recipes.RECIPE!r} runs ({spread['runs']}, {spread['budget_seconds'] / 60:g} min each): "
        f"balanced accuracy {spread['mean']:.4f} ± {spread['sd']:.4f}; a re-run should land in "
        f"[{spread['low']:.4f}, {spread['high']:.4f}]"
    )
    record = recipes.train_step(recipes.RECIPE, spread["budget_seconds"], seed=seed, log=_print)
    inside = spread["low"] <= record["balanced_accuracy"] <= spread["high"]
    _print(
        f"this run (seed {seed}, {record['epochs']:.1f} epochs, load average {record['load_average_before']:.1f} "
        f"before): balanced accuracy {record['balanced_accuracy']:.4f}, "
        + ("inside the spread" if inside else "OUTSIDE the spread")
    )
    return inside


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recipe_runs", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("run", help="train ablation steps on a time budget and write their records")
    train.add_argument("--budget-minutes", type=float, required=True, help="training time of every run")
    train.add_argument(
        "--steps", nargs="+", choices=list(recipes.RUNS), default=list(recipes.STEPS), help="default: every step"
    )
    train.add_argument("--seeds", nargs="+", type=int, default=[0], help="one run per seed and step")
    train.add_argument("--out", required=True, help="folder for the records (<step>-seed<seed>.json)")
    again = commands.add_parser("check", help="re-run the recipe and compare it with the recorded spread")
    again.add_argument("folder", help="a folder of records with at least two runs of the recipe")
    again.add_argument("--seed", type=int, default=100, help="the re-run's seed (default 100, unlike the records')")
    args = parser.parse_args(argv)
    if args.command == "run":
        if args.budget_minutes <= 0:
            parser.error(f"--budget-minutes must be positive, got {args.budget_minutes}")
        run(args.budget_minutes, args.steps, args.seeds, args.out)
        return 0
    try:
        return 0 if check(args.folder, args.seed) else 1
    except (ValueError, OSError) as error:
        parser.error(str(error))


if __name__ == "__main__":
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    sys.exit(main())
