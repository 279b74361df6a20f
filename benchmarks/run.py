"""Run every benchmark and write benchmarks/RESULTS.md (a table per benchmark) and benchmarks/results.json.

    python -m benchmarks.run                 # all benchmarks
    python -m benchmarks.run convolution     # only bench_convolution.py; the others' figures stay in the files
    python -m benchmarks.run --quick         # smaller sizes, for a smoke run
    python -m benchmarks.run book --note "A training run shared the machine."   # a sentence added to the notes

Each ``bench_<name>.py`` module has ``run(quick) -> dict`` with a title, rows (dicts), the goal, whether it was met
and a one-line summary. Figures are only comparable within one run; the machine is described beside them. A module
with ``NEEDS_GPU = True`` runs only where Keras's backend sees a GPU (elsewhere its last figures stay).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import time
from pathlib import Path

from benchmarks.common import REPO, machine

HERE = Path(__file__).resolve().parent


def available() -> list[str]:
    return sorted(path.stem.removeprefix("bench_") for path in HERE.glob("bench_*.py"))


def describe(info: dict) -> str:
    """One line naming a machine: processor, CPUs, memory and GPUs."""
    return f"{info['processor']} ({info['cpus']} CPUs, {info['memory_gib']} GiB), " + (
        f"GPUs: {', '.join(info['gpus'])}" if info.get("gpus") else "no GPU"
    )


def markdown(results: dict, info: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Measured {info['date']} on {info['processor']} ({info['cpus']} CPUs, {info['memory_gib']} GiB), "
        f"{info['platform']}; Python {info['python']}, NumPy {info['numpy']}, SciPy {info['scipy']}"
        + (
            f", Keras {info['keras']} on {info.get('keras_backend', 'tensorflow')} "
            f"{info.get('backend_version', info.get('tensorflow'))}"
            if "keras" in info
            else ""
        )
        + (f"; GPUs: {', '.join(info['gpus'])}" if info.get("gpus") else "; no GPU")
        + ".",
        "",
        "Reproduce with `make benchmarks`.",
        "",
    ]
    for result in results.values():
        lines += [f"## {result['title']}", ""]
        elsewhere = result.get("machine", describe(info)) != describe(info)
        if elsewhere or result.get("date", info["date"]) != info["date"]:
            lines += [f"Measured {result['date']}" + (f" on {result['machine']}" if elsewhere else "") + ".", ""]
        lines += [f"Goal: {result['goal']} — **{'met' if result['met'] else 'not met'}** ({result['summary']}).", ""]
        if result.get("notes"):
            lines += [result["notes"], ""]
        columns = list(dict.fromkeys(key for row in result["rows"] for key in row))
        lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(str(row.get(column, "")) for column in columns) + " |" for row in result["rows"]]
        lines.append("")
    return "\n".join(lines)


def _gpu_visible() -> bool:
    from course_utils.training import gpu_visible

    return gpu_visible()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {', '.join(available())})")
    parser.add_argument("--quick", action="store_true", help="smaller sizes: a smoke run, not figures to record")
    parser.add_argument("--output", type=Path, default=HERE, help="folder for RESULTS.md and results.json")
    parser.add_argument(
        "--note",
        help="a sentence added to the notes of the benchmarks run now (e.g. what else was loading the machine)",
    )
    args = parser.parse_args(argv)
    for name, value in {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}.items():
        os.environ.setdefault(name, value)  # before any benchmark imports TensorFlow
    unknown = sorted(set(args.names) - set(available()))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(available())}")
    results = {}
    names = args.names or available()
    if not args.names and not _gpu_visible():
        skipped = [
            name for name in names if getattr(importlib.import_module(f"benchmarks.bench_{name}"), "NEEDS_GPU", False)
        ]
        if skipped:
            print(f"no GPU visible: skipping {', '.join(skipped)} (their last figures stay)")
        names = [name for name in names if name not in skipped]
    for name in names:
        print(f"[{time.strftime('%H:%M:%S')}] running {name} ...", flush=True)
        started = time.perf_counter()
        results[name] = importlib.import_module(f"benchmarks.bench_{name}").run(quick=args.quick)
        if args.note:
            results[name]["notes"] = " ".join(filter(None, [results[name].get("notes"), args.note]))
        print(
            f"[{time.strftime('%H:%M:%S')}] {name}: {results[name]['summary']} ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    info = machine()
    for result in results.values():
        result["date"] = info["date"]
        result["machine"] = describe(info)
    saved = args.output / "results.json"
    if args.names and saved.is_file():  # keep the figures of the benchmarks not run now
        previous = json.loads(saved.read_text())
        for result in previous["results"].values():
            result.setdefault("date", previous["machine"]["date"])
        results = dict(sorted({**previous["results"], **results}.items()))
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "results.json").write_text(json.dumps({"machine": info, "results": results}, indent=2) + "\n")
    (args.output / "RESULTS.md").write_text(markdown(results, info))
    print(
        f"wrote {(args.output / 'RESULTS.md').relative_to(REPO) if args.output.is_relative_to(REPO) else args.output}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
