"""Does the grader's training harness pick its profile, train reproducibly, and grade against its thresholds?"""

from __future__ import annotations

import fnmatch
import json
import statistics
import tomllib
from dataclasses import replace

import numpy as np
import pytest
from conftest import REPO

from course_utils import reference, training
from course_utils.checks import CheckError
from course_utils.data import CLASS_NAMES

TINY = replace(training.PROFILES["smoke"], name="tiny", train_per_class=8, test_per_class=4, epochs=2)
THRESHOLDS = REPO / "course_utils" / "thresholds"


def small_cnn(input_shape=(32, 32, 3), num_classes=10):
    """A small stand-in network (not the exercise's): a convolution, dropout and sigmoid outputs."""
    import keras

    return keras.Sequential(
        [
            keras.Input(input_shape),
            keras.layers.Conv2D(4, 5, strides=3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(num_classes, activation="sigmoid"),
        ]
    )


def compile_rmsprop(model, learning_rate=1e-3):
    import keras

    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate),
        loss="binary_crossentropy",
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    return model


def random_data(seed=0):
    """Synthetic data shaped like load_data's: images, one-hot labels, test images, test labels."""
    rng = np.random.default_rng(seed)
    labels = np.arange(40) % 10
    return (
        rng.random((40, 32, 32, 3), dtype=np.float32),
        np.eye(10, dtype=np.float32)[labels],
        rng.random((20, 32, 32, 3), dtype=np.float32),
        np.arange(20) % 10,
    )


def test_does_the_environment_variable_choose_the_profile(monkeypatch):
    monkeypatch.setenv(training.PROFILE_ENV, "smoke")
    assert training.select_profile().name == "smoke"
    assert training.select_profile("cpu").name == "cpu"


def test_is_cpu_the_default_where_no_gpu_is_visible(monkeypatch):
    monkeypatch.delenv(training.PROFILE_ENV, raising=False)
    assert training.select_profile().name == ("gpu" if training.gpu_visible() else "cpu")


def test_does_an_unknown_profile_list_the_known_ones(monkeypatch):
    monkeypatch.setenv(training.PROFILE_ENV, "tpu")
    with pytest.raises(
        training.TrainingError,
        match=r"unknown grading profile 'tpu' \(from \$COURSE_GRADING_PROFILE\)"
        r".*cpu, gpu, smoke",
    ):
        training.select_profile()


def test_does_asking_for_gpu_without_a_gpu_fail_with_a_clear_message(monkeypatch):
    if training.gpu_visible():
        pytest.skip("a GPU is visible here")
    monkeypatch.setenv(training.PROFILE_ENV, "gpu")
    with pytest.raises(
        training.TrainingError,
        match=r"needs a GPU, but Keras.s \w+ backend sees none.*\[gpu\].*"
        r"COURSE_GRADING_PROFILE=cpu",
    ):
        training.select_profile()


def test_do_two_runs_with_the_same_seed_give_the_same_metrics():
    data = random_data()
    first, second = (
        training.train(small_cnn, compile_rmsprop, TINY, seed=7, data=data, deterministic=True) for _ in range(2)
    )
    other = training.train(small_cnn, compile_rmsprop, TINY, seed=8, data=data, deterministic=True)
    assert first.history == second.history and first.balanced_accuracy == second.balanced_accuracy
    assert other.history["loss"] != first.history["loss"]
    assert first.epochs_run == TINY.epochs and set(first.history) == {"loss", "accuracy"}


def test_does_a_run_record_say_what_a_reference_needs():
    run = training.train(small_cnn, compile_rmsprop, TINY, data=random_data())
    record = json.loads(json.dumps(run.record()))
    assert {
        "seed",
        "profile",
        "budget",
        "history",
        "balanced_accuracy",
        "accuracy",
        "versions",
        "hardware",
        "wall_time_s",
        "cpu_time_s",
        "epochs_run",
    } <= set(record)
    assert record["budget"]["batch_size"] == reference.BATCH_SIZE == 100
    assert record["versions"]["keras"] and record["hardware"]["cpu_count"] >= 1


def test_does_the_time_cap_stop_training():
    capped = replace(TINY, epochs=50, time_cap_s=0)
    run = training.train(small_cnn, compile_rmsprop, capped, data=random_data())
    assert run.stopped_by_time_cap and run.epochs_run == 1


def test_does_a_model_with_the_wrong_number_of_outputs_fail_clearly():
    with pytest.raises(training.TrainingError, match=r"predicts shape \(20, 3\).*expected \(20, 10\)"):
        training.train(
            lambda: small_cnn(num_classes=3),
            compile_rmsprop,
            TINY,
            data=(*random_data()[:1], np.eye(3, dtype=np.float32)[np.arange(40) % 3], *random_data()[2:]),
        )


def test_does_an_uncompiled_model_fail_clearly():
    with pytest.raises(training.TrainingError, match="not compiled"):
        training.train(small_cnn, lambda model: model, TINY, data=random_data())


def test_does_a_profile_with_callbacks_insist_on_them():
    with pytest.raises(training.TrainingError, match="pass the function that makes them"):
        training.train(small_cnn, compile_rmsprop, replace(TINY, with_callbacks=True), data=random_data())


def test_is_the_profile_data_a_stratified_scaled_subset(cifar10_path):
    x_train, y_train, x_test, labels_test = training.load_data(TINY, cifar10_path)
    assert x_train.shape == (80, 32, 32, 3) and x_train.dtype == np.float32
    assert 0.0 <= x_train.min() and x_train.max() <= 1.0
    assert (y_train.sum(axis=0) == 8).all() and y_train.shape == (80, len(CLASS_NAMES))
    assert x_test.shape == (40, 32, 32, 3) and np.bincount(labels_test).tolist() == [4] * 10


@pytest.mark.slow
def test_does_a_model_that_learns_nothing_fail_the_cpu_tier(cifar10_path, monkeypatch):
    monkeypatch.setenv("COURSE_CIFAR10", str(cifar10_path))
    import keras

    def frozen(input_shape=(32, 32, 3), num_classes=10):
        return keras.Sequential(
            [
                keras.Input(input_shape),
                keras.layers.Flatten(),
                keras.layers.Dense(num_classes, activation="sigmoid", kernel_initializer="zeros"),
            ]
        )

    with pytest.raises(CheckError, match=r"balanced accuracy of 0\.1000 on the test set; passing needs 0\.\d{4}"):
        training.check_training(frozen, lambda model: compile_rmsprop(model, learning_rate=0.0), profile="cpu")


def test_does_the_smoke_profile_pass_any_model_that_trains(cifar10_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_CIFAR10", str(cifar10_path))
    run = training.check_training(small_cnn, compile_rmsprop, profile="smoke")
    assert run.profile.name == "smoke" and "grades no accuracy" in capsys.readouterr().out


def test_do_the_thresholds_cover_every_profile_at_its_current_budget():
    content = training.load_thresholds()
    assert content["assignment"] == training.ASSIGNMENT and content["grading_seed"] == training.GRADING_SEED
    assert set(content["profiles"]) == set(training.PROFILES)
    for name, entry in content["profiles"].items():
        assert entry["budget"] == training.PROFILES[name].budget(), f"{name}: rerun the reference runs"
    assert content["profiles"]["smoke"]["threshold"] is None


def test_is_the_cpu_threshold_the_mean_minus_three_sd_of_the_committed_runs():
    entry = training.load_thresholds()["profiles"]["cpu"]
    records = [json.loads(path.read_text()) for path in sorted(THRESHOLDS.glob("ex03_cnn-cpu-seed*.json"))]
    values = [record["balanced_accuracy"] for record in records if record["budget"] == entry["budget"]]
    assert len(values) >= training.MIN_REFERENCE_RUNS and not entry["provisional"]
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    assert entry["threshold"] == pytest.approx(mean - 3 * sd, abs=1e-4)
    assert 0.1 < entry["threshold"] < entry["mean"], "the threshold must sit above chance (0.1)"


def test_is_the_gpu_threshold_set_by_five_gpu_runs_with_the_smallest_spread_assumed():
    entry = training.load_thresholds()["profiles"]["gpu"]
    records = [json.loads(path.read_text()) for path in sorted(THRESHOLDS.glob("ex03_cnn-gpu-seed*.json"))]
    current = [record for record in records if record["budget"] == entry["budget"]]
    assert len(current) >= training.MIN_REFERENCE_RUNS and not entry["provisional"]
    assert all(record["hardware"]["gpus"] and not record["stopped_by_time_cap"] for record in current)
    values = [record["balanced_accuracy"] for record in current]
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    assert (entry["mean"], entry["sd"]) == (round(mean, 4), round(sd, 4))
    assert entry["threshold"] == pytest.approx(mean - 3 * max(sd, training.MIN_THRESHOLD_SD), abs=1e-4)
    assert entry["threshold"] < min(values), "every reference run of the solution passes"


def test_does_a_tight_spread_still_leave_the_assumed_margin():
    """Do five runs that agree to the third decimal get the margin of MIN_THRESHOLD_SD, not a needle's eye?"""
    tight = training.threshold_from_runs([0.750, 0.751, 0.752, 0.751, 0.750])
    assert tight["sd"] < training.MIN_THRESHOLD_SD
    assert tight["threshold"] == pytest.approx(0.7508 - 3 * training.MIN_THRESHOLD_SD, abs=1e-4)
    wide = training.threshold_from_runs([0.30, 0.35, 0.40, 0.33, 0.38])
    assert wide["threshold"] == pytest.approx(wide["mean"] - 3 * wide["sd"], abs=1e-3)


def test_does_the_package_ship_the_thresholds():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["course_utils"]
    names = [path.relative_to(REPO / "course_utils").as_posix() for path in THRESHOLDS.glob("*.json")]
    assert "thresholds.json" in [name.split("/")[-1] for name in names]
    assert all(any(fnmatch.fnmatch(name, pattern) for pattern in patterns) for name in names)
