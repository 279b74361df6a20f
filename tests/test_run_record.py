"""The committed record of the full CIFAR-10 run (book/runs/cifar10-full/): complete, self-consistent, loadable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import pytest

from course_utils import reference
from course_utils.data import CLASS_NAMES

RECORD = "book/runs/cifar10-full"


@pytest.fixture(scope="module")
def record(repo):
    return json.loads((repo / RECORD / "record.json").read_text())


@pytest.fixture(scope="module")
def history(repo):
    return json.loads((repo / RECORD / "history.json").read_text())


@pytest.fixture(scope="module")
def matrix(record):
    return np.array(record["metrics"]["confusion_matrix"])


def chapter_model(keras):
    """The chapter's CNN, built here from its description (not from the page), to receive the recorded weights."""
    layers = keras.layers
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Conv2D(64, (9, 9), strides=(2, 2), activation="relu")(inputs)
    x = layers.BatchNormalization()(layers.MaxPooling2D((2, 2))(x))
    x = layers.Conv2D(128, (3, 3), activation="relu")(x)
    x = layers.BatchNormalization()(layers.MaxPooling2D((2, 2))(x))
    x = layers.Dropout(0.5)(layers.Flatten()(x))
    x = layers.Dropout(0.2)(layers.Dense(256, activation="relu")(x))
    x = layers.Dropout(0.1)(layers.Dense(64, activation="relu")(x))
    return keras.Model(inputs, layers.Dense(10, activation="sigmoid")(x))


def test_does_the_record_say_what_was_run(record, repo):
    """Does the record state its status, seed, settings, versions, hardware and timings, and name a weights file?"""
    assert record["status"] in {"complete", "partial"}
    assert isinstance(record["seed"], int)
    assert (record["batch_size"], record["max_epochs"], record["train_images"]) == (reference.BATCH_SIZE, 1000, 50_000)
    assert {"python", "keras", "tensorflow", "numpy", "scikit-learn"} <= set(record["versions"])
    assert record["hardware"]["cpu_cores_usable"] >= 1
    assert record["wall_seconds"] > record["median_epoch_seconds"] > 0
    assert record["weights"].endswith(".weights.h5")
    weights = repo / RECORD / record["weights"]
    assert weights.is_file() and weights.stat().st_size < 5_000_000


def test_does_the_history_have_one_row_per_epoch_with_the_logged_values(history, record):
    """Does history.json hold epochs 1, 2, ... with loss, accuracy, val_loss, val_accuracy, learning rate, seconds?"""
    assert [row["epoch"] for row in history] == list(range(1, len(history) + 1))
    for row in history:
        assert {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds"} <= set(row)
        assert 0 <= row["accuracy"] <= 1 and 0 <= row["val_accuracy"] <= 1 and row["loss"] > 0
    assert len(history) >= record["epochs_run"] >= record["best_epoch"]
    if record["status"] == "complete":
        assert record["epochs_run"] == len(history)


def test_is_the_best_epoch_the_one_with_the_lowest_validation_loss(history, record):
    """Are the recorded weights those of the epoch with the lowest val_loss, as EarlyStopping restores them?"""
    val_loss = [row["val_loss"] for row in history]
    assert record["best_epoch"] == record["weights_from_epoch"] == int(np.argmin(val_loss)) + 1


def test_does_the_learning_rate_only_ever_halve(history):
    """Does the logged learning rate start at 0.001 and change only by ReduceLROnPlateau's factor 0.5?"""
    rates = np.array([row["learning_rate"] for row in history])
    assert rates[0] == pytest.approx(0.001)
    steps = rates[1:] / rates[:-1]
    assert np.all(np.isclose(steps, 1.0) | np.isclose(steps, 0.5, rtol=1e-5))


def test_do_the_accuracies_follow_from_the_confusion_matrix(record, matrix):
    """Are test accuracy, balanced accuracy and BER what the recorded confusion matrix implies?"""
    metrics = record["metrics"]
    assert matrix.shape == (10, 10) and matrix.sum() == 10_000
    assert (matrix.sum(axis=1) == 1000).all()
    assert metrics["test_accuracy"] == pytest.approx(np.trace(matrix) / matrix.sum())
    recall = np.diag(matrix) / matrix.sum(axis=1)
    assert metrics["balanced_accuracy"] == pytest.approx(recall.mean())
    assert metrics["ber"] == pytest.approx(1 - recall.mean())
    assert 0 <= metrics["test_accuracy_lossless"] <= 1 and metrics["lossless_count"] == 1000


@pytest.mark.parametrize("k", range(10), ids=CLASS_NAMES)
def test_does_the_classification_report_match_the_confusion_matrix(record, matrix, k):
    """Are each class's precision, recall, f1-score and support those computed from the confusion matrix?"""
    row = record["metrics"]["classification_report"][str(k)]
    precision = matrix[k, k] / matrix[:, k].sum()
    recall = matrix[k, k] / matrix[k].sum()
    assert row["precision"] == pytest.approx(precision)
    assert row["recall"] == pytest.approx(recall)
    assert row["f1-score"] == pytest.approx(2 * precision * recall / (precision + recall))
    assert row["support"] == matrix[k].sum()


def test_do_the_weights_load_into_the_chapters_architecture(repo, record):
    """Do the recorded weights fit the chapter's model exactly, with a (9, 9, 3, 64) first-layer kernel?"""
    import keras

    model = chapter_model(keras)
    assert model.count_params() == reference.CNN_TOTAL_PARAMS
    model.load_weights(repo / RECORD / record["weights"])
    kernel = model.layers[1].get_weights()[0]
    assert kernel.shape == (*reference.FILTER_SHAPE, 64)
    assert np.isfinite(kernel).all() and kernel.std() > 0


@pytest.mark.slow
def test_do_the_weights_reproduce_the_recorded_test_accuracy(repo, record, cifar10_path):
    """Does predicting the test set with the recorded weights give the recorded accuracy (to 10 images in 10,000)?"""
    import keras

    from course_utils.data import load_cifar10

    _, (x_test, labels_test) = load_cifar10(cifar10_path)
    model = chapter_model(keras)
    model.load_weights(repo / RECORD / record["weights"])
    predicted = np.argmax(model.predict(x_test.astype("float32") / 255.0, batch_size=500, verbose=0), axis=1)
    accuracy = float(np.mean(predicted == labels_test.reshape(-1)))
    assert accuracy == pytest.approx(record["metrics"]["test_accuracy"], abs=0.001)


PAGE = """---
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A page

```{code-cell} ipython3
import os
from pathlib import Path

print("mode", os.environ.get("COURSE_FULL_RUN"), "in", Path.cwd().name)
```

```{code-cell} ipython3
raise RuntimeError("cell {n} fails")
```
"""


@pytest.mark.slow
@pytest.mark.parametrize("failing", [False, True])
def test_does_the_reproduce_executor_run_a_page_in_its_folder_and_stop_on_errors(repo, tmp_path, failing):
    """Does scripts/execute_page.py run a page's cells in the page's folder, echo their output, pass the
    environment switch on, and exit non-zero when a cell fails?"""
    folder = tmp_path / "pages"
    folder.mkdir()
    text = PAGE.replace("{n}", "2")
    if not failing:
        text = text[: text.index("```{code-cell} ipython3\nraise")]
    (folder / "page.md").write_text(text)
    result = subprocess.run(
        [sys.executable, str(repo / "scripts" / "execute_page.py"), str(folder / "page.md")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COURSE_FULL_RUN": "1"},
    )
    assert "mode 1 in pages" in result.stdout
    assert result.returncode == (1 if failing else 0)
    assert ("cell 2 fails" in result.stderr) == failing


class _TextAndImages(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.images = [], 0

    def handle_data(self, data):
        self.text.append(data)

    def handle_starttag(self, tag, attrs):
        self.images += tag == "img"


@pytest.mark.parametrize(("page", "figures"), [("cifar10-cnn", 5), ("learned-filters", 2), ("errata-keras3", 0)])
def test_do_the_built_pages_show_their_figures_without_errors(built_site, page, figures):
    """Does each page of this part build, with its figures and without a Python traceback in its output?"""
    parser = _TextAndImages()
    parser.feed((built_site / "book" / f"{page}.html").read_text(encoding="utf-8"))
    text = "".join(parser.text)
    assert parser.images >= figures
    assert "Traceback" not in text


def test_does_the_built_cifar_page_show_the_recorded_metrics(built_site, record):
    """Does the built CIFAR-10 page print the record's BER and the chapter's BER beside it?"""
    parser = _TextAndImages()
    parser.feed((built_site / "book" / "cifar10-cnn.html").read_text(encoding="utf-8"))
    text = "".join(parser.text)
    assert f"BER {record['metrics']['ber']:.4f}" in text
    assert f"{reference.BER:8.4g}" in text
    stopped = f"PARTIAL RECORD: the run was stopped after {record['epochs_run']} epochs"  # printed, not the code
    assert (stopped in text) == (record["status"] != "complete")
