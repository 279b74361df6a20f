"""Records of full training runs of the chapter's CNN (section "A CNN for CIFAR-10"): test metrics, the run's
environment, and a Keras callback that keeps ``record.json``, ``history.json`` and the best weights up to date.

The CIFAR-10 page writes ``book/runs/cifar10-full/`` with these (``make reproduce``), and the GPU checks write
``book/runs/cifar10-full-gpu/`` (``scripts/gpu_checks.sh``); the page loads both.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import numpy as np


def evaluate_on_test(model, x, labels, lossless=None) -> dict:
    """Test-set metrics of ``model`` on x : (N, 32, 32, 3) with integer labels : (N,) or (N, 1), as plain numbers.

    lossless : an optional (N,) bool mask of the pixel-exact test images; adds their accuracy and count.
    """
    from sklearn.metrics import balanced_accuracy_score, classification_report, confusion_matrix

    labels = np.asarray(labels).reshape(-1)
    predicted = np.argmax(model.predict(x, batch_size=500, verbose=0), axis=1)
    metrics = {
        "test_accuracy": float(np.mean(predicted == labels)),
        "balanced_accuracy": float(balanced_accuracy_score(labels, predicted)),
        "confusion_matrix": confusion_matrix(labels, predicted, labels=range(10)).tolist(),
        "classification_report": classification_report(
            labels, predicted, labels=range(10), output_dict=True, zero_division=0
        ),
    }
    metrics["ber"] = 1.0 - metrics["balanced_accuracy"]
    if lossless is not None:
        metrics["test_accuracy_lossless"] = float(np.mean(predicted[lossless] == labels[lossless]))
        metrics["lossless_count"] = int(np.sum(lossless))
    return metrics


def environment() -> dict:
    """Library versions (Keras's backend named) and the hardware a run used."""
    from course_utils.training import cpu_model, gpu_names, library_versions

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    gpus = gpu_names()
    return {
        "versions": library_versions(),
        "hardware": {
            "platform": platform.platform(terse=True),
            "cpu": cpu_model(),
            "cpu_cores_usable": usable,
            "gpus": len(gpus),
            "gpu_names": gpus,
        },
    }


def run_recorder(folder, evaluate, settings: dict, seed: int):
    """A Keras callback that keeps the run record in ``folder``: ``history.json`` after every epoch; on each new
    best ``val_loss``, the weights (``cnn.weights.h5``) and ``record.json`` with that epoch's test metrics
    (``evaluate(model) -> dict``), labelled ``partial``. Call its ``write("complete", metrics)`` at the end."""
    import keras

    class RunRecorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.folder = Path(folder)
            self.history: list[dict] = []
            self.best: dict | None = None
            self.started = time.time()
            self.environment = environment()

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch_started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            row = {"epoch": epoch + 1, **{key: float(value) for key, value in logs.items()}}
            row["seconds"] = time.perf_counter() - self.epoch_started
            self.history.append(row)
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / "history.json").write_text(json.dumps(self.history, indent=1) + "\n")
            if self.best is None or row["val_loss"] < self.best["val_loss"]:
                self.best = row
                self.model.save_weights(self.folder / "cnn.weights.h5")
                self.write("partial", {**evaluate(self.model), "train_accuracy": row["accuracy"]})

        def write(self, status: str, metrics: dict) -> None:
            record = {
                "status": status,
                "seed": seed,
                **settings,
                "epochs_run": len(self.history),
                "best_epoch": self.best["epoch"],
                "weights": "cnn.weights.h5",
                "weights_from_epoch": self.best["epoch"],
                "median_epoch_seconds": float(np.median([row["seconds"] for row in self.history])),
                "wall_seconds": time.time() - self.started,
                "metrics": metrics,
                **self.environment,
            }
            (self.folder / "record.json").write_text(json.dumps(record, indent=1) + "\n")

    return RunRecorder()
