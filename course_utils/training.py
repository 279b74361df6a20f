"""The grader's training harness for exercise 3 (the CIFAR-10 CNN): fixed data, seed, batch size and budget.

The grader never trusts numbers a notebook printed. A hidden test hands the student's ``build_cnn`` and
``compile_cnn`` to :func:`check_training`, which builds and compiles a fresh model, trains it here under a named
*profile* (the budget), predicts the test set and grades the balanced accuracy against a threshold set from
reference runs of the solution at the same budget (``course_utils/thresholds/thresholds.json``).

Profiles (chosen by :data:`PROFILE_ENV`; default ``gpu`` where Keras's backend sees a GPU, else ``cpu``):

* ``cpu``   a seeded stratified subset and a few epochs; about a minute on two cores.
* ``gpu``   all 50,000 training images, validation on the test set with the book's callbacks, an epoch cap.
* ``smoke`` a few hundred images for one epoch: checks that the grading runs, grades no accuracy (for CI).

Set :data:`DETERMINISM_ENV` to ``1`` to switch on TensorFlow's op determinism as well (slower on GPUs).

Any Keras 3 backend trains: TensorFlow by default, or JAX or PyTorch with ``KERAS_BACKEND`` (GPU runners without a
CUDA build of TensorFlow use ``KERAS_BACKEND=jax``). Records name the backend and its version.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass, field
from importlib import resources

import numpy as np

from course_utils.checks import CheckError
from course_utils.data import NUM_CLASSES, load_cifar10, subset
from course_utils.reference import CNN_TOTAL_PARAMS

PROFILE_ENV = "COURSE_GRADING_PROFILE"
#: ``1`` in the notebook kernel that `course autograde` starts: the grader trains the student's network itself,
#: outside the student's process (:mod:`course_utils.grading.trusted`), so :func:`check_training` does not train
#: it a second time in the kernel.
TRAINED_OUTSIDE_ENV = "COURSE_GRADER_TRAINS_OUTSIDE"
DETERMINISM_ENV = "COURSE_GRADING_DETERMINISTIC"
#: Environment that hides every GPU from TensorFlow, JAX and PyTorch: for the processes that never train (the
#: grading sandbox, the notebook kernels of `course autograde`) and for the cpu profile.
NO_GPU_ENV = {"CUDA_VISIBLE_DEVICES": "", "JAX_PLATFORMS": "cpu"}
#: Environment that lets several training processes share one GPU: each takes memory as it needs it, instead of
#: JAX's 75 % or TensorFlow's all at start-up.
SHARED_GPU_ENV = {"XLA_PYTHON_CLIENT_PREALLOCATE": "false", "TF_FORCE_GPU_ALLOW_GROWTH": "true"}
#: The book trains with mini-batches of 100 (500 steps per epoch on the full training set).
BATCH_SIZE = 100
#: The seed of every graded run (weights, dropout, shuffling); reference runs vary it to measure the spread.
GRADING_SEED = 0
#: A passing threshold is this many standard deviations below the reference runs' mean.
THRESHOLD_SDS = 3
#: The smallest spread a threshold assumes. Five seeds on one machine can agree closely (sd 0.0018 for the gpu
#: profile), but the same seed on the same GPU ended 0.004 apart in two runs (GPU sums are not ordered), and other
#: GPUs or Keras backends shift the mean further: a correct network must not fail on that.
MIN_THRESHOLD_SD = 0.005
#: At least this many reference runs back a threshold that is not provisional.
MIN_REFERENCE_RUNS = 5
ASSIGNMENT = "ex03_cnn"


class TrainingError(RuntimeError):
    """Grading cannot run as asked (unknown profile, no GPU for the gpu profile, a model that cannot train)."""


@dataclass(frozen=True)
class Profile:
    """A grading budget. ``None`` for a per-class count means the whole split."""

    name: str
    train_per_class: int | None
    test_per_class: int | None
    epochs: int
    with_callbacks: bool
    needs_gpu: bool
    time_cap_s: float
    data_seed: int = 0
    batch_size: int = BATCH_SIZE
    description: str = ""

    def budget(self) -> dict:
        """The settings a threshold depends on (stored with every reference record)."""
        return {key: value for key, value in asdict(self).items() if key not in ("description", "time_cap_s")}


PROFILES = {
    "cpu": Profile(
        "cpu",
        train_per_class=1000,
        test_per_class=None,
        epochs=3,
        with_callbacks=False,
        needs_gpu=False,
        time_cap_s=180,
        description="10,000 training images (1,000 per class), 3 epochs, the whole test set",
    ),
    "gpu": Profile(
        "gpu",
        train_per_class=None,
        test_per_class=None,
        epochs=150,
        with_callbacks=True,
        needs_gpu=True,
        time_cap_s=1200,
        description="all 50,000 training images, the book's callbacks, at most 150 epochs",
    ),
    "smoke": Profile(
        "smoke",
        train_per_class=30,
        test_per_class=30,
        epochs=1,
        with_callbacks=False,
        needs_gpu=False,
        time_cap_s=60,
        description="300 training images, 1 epoch: checks that grading runs, grades no accuracy",
    ),
}


@dataclass
class TrainingRun:
    """What one training run under a profile produced; :meth:`record` is its JSON form."""

    profile: Profile
    seed: int
    history: dict[str, list[float]]
    balanced_accuracy: float
    accuracy: float
    wall_time_s: float
    cpu_time_s: float
    stopped_by_time_cap: bool
    deterministic: bool
    model: object = field(repr=False, default=None)

    @property
    def epochs_run(self) -> int:
        return len(self.history.get("loss", []))

    def record(self) -> dict:
        """A JSON-ready record: seed, profile and budget, per-epoch history, final metrics, versions, hardware."""
        return {
            "assignment": ASSIGNMENT,
            "profile": self.profile.name,
            "budget": self.profile.budget(),
            "seed": self.seed,
            "deterministic": self.deterministic,
            "epochs_run": self.epochs_run,
            "history": self.history,
            "balanced_accuracy": round(self.balanced_accuracy, 6),
            "accuracy": round(self.accuracy, 6),
            "wall_time_s": round(self.wall_time_s, 1),
            "cpu_time_s": round(self.cpu_time_s, 1),
            "stopped_by_time_cap": self.stopped_by_time_cap,
            "versions": library_versions(),
            "hardware": hardware(),
        }


def gpu_names() -> list[str]:
    """The names of the GPUs that Keras's backend (TensorFlow, JAX or PyTorch) sees; [] where it sees none."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return [
            tf.config.experimental.get_device_details(device).get("device_name", device.name)
            for device in tf.config.list_physical_devices("GPU")
        ]
    if backend == "jax":
        import jax

        return [device.device_kind for device in jax.devices() if device.platform in ("gpu", "cuda", "rocm")]
    if backend == "torch":
        import torch

        return [torch.cuda.get_device_name(index) for index in range(torch.cuda.device_count())]
    return []


def gpu_visible() -> bool:
    """Does Keras's backend see at least one GPU?"""
    return bool(gpu_names())


def select_profile(name: str | None = None) -> Profile:
    """The profile called ``name``, else the one :data:`PROFILE_ENV` names, else ``gpu`` with a GPU and ``cpu``
    without. Raises :class:`TrainingError` for an unknown name, or for ``gpu`` when no GPU is visible."""
    chosen = name or os.environ.get(PROFILE_ENV) or None
    if chosen is None:
        chosen = "gpu" if gpu_visible() else "cpu"
    if chosen not in PROFILES:
        raise TrainingError(
            f"unknown grading profile {chosen!r} (from {_origin(name)}); choose one of {', '.join(sorted(PROFILES))}"
        )
    profile = PROFILES[chosen]
    if profile.needs_gpu and not gpu_visible():
        raise TrainingError(
            f"the {chosen!r} grading profile (from {_origin(name)}) needs a GPU, but Keras's {_backend()} backend "
            f"sees none. Run it on a machine with an NVIDIA GPU and the gpu extra installed (pip install -e '.[gpu]'), "
            f"or a CUDA build of JAX with KERAS_BACKEND=jax, or grade with {PROFILE_ENV}=cpu."
        )
    return profile


def _backend() -> str:
    import keras

    return keras.backend.backend()


def _origin(name: str | None) -> str:
    if name:
        return "the profile argument"
    if os.environ.get(PROFILE_ENV):
        return f"${PROFILE_ENV}"
    return "the default"


def load_data(profile: Profile, path: str | os.PathLike | None = None):
    """The profile's data, prepared as the book does (pixels scaled to [0, 1], one-hot labels).

    Returns ``x_train (N, 32, 32, 3) float32, y_train (N, 10) float32, x_test (M, 32, 32, 3) float32,
    labels_test (M,) int``. Subsets are stratified and seeded by ``profile.data_seed``.
    """
    (x_train, y_train), (x_test, y_test) = load_cifar10(path)
    if profile.train_per_class is not None:
        x_train, y_train = subset(x_train, y_train, profile.train_per_class, profile.data_seed)
    if profile.test_per_class is not None:
        x_test, y_test = subset(x_test, y_test, profile.test_per_class, profile.data_seed)
    one_hot = np.eye(NUM_CLASSES, dtype=np.float32)
    return (
        x_train.astype(np.float32) / 255.0,
        one_hot[y_train.reshape(-1)],
        x_test.astype(np.float32) / 255.0,
        y_test.reshape(-1).astype(int),
    )


def train(
    build_cnn,
    compile_cnn,
    profile: Profile,
    *,
    seed: int = GRADING_SEED,
    callbacks=None,
    data=None,
    deterministic: bool | None = None,
    verbose: int = 0,
) -> TrainingRun:
    """Build, compile and train a fresh model under ``profile``; predict the test set and measure it.

    build_cnn   : ``build_cnn()`` returns an uncompiled keras.Model for (32, 32, 3) images and 10 classes.
    compile_cnn : ``compile_cnn(model)`` returns the model compiled.
    callbacks   : a function returning the Keras callbacks, used by profiles with callbacks (validation on the
                  test set, as the book does). The grader passes its own, never the student's.
    data        : the tuple :func:`load_data` returns (loaded here when None).
    """
    import keras
    from sklearn.metrics import accuracy_score, balanced_accuracy_score

    deterministic = os.environ.get(DETERMINISM_ENV) == "1" if deterministic is None else deterministic
    if deterministic:
        if _backend() != "tensorflow":
            raise TrainingError(
                f"{DETERMINISM_ENV}=1 switches on TensorFlow's op determinism; Keras runs on "
                f"{_backend()} here (KERAS_BACKEND): unset one of the two"
            )
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    x_train, y_train, x_test, labels_test = load_data(profile) if data is None else data
    started, cpu_started = time.perf_counter(), time.process_time()
    keras.utils.set_random_seed(seed)
    model = _compiled_model(build_cnn, compile_cnn)
    cap = _time_cap(profile)
    fit_callbacks = [cap]
    validation = None
    if profile.with_callbacks:
        if callbacks is None:
            raise TrainingError(
                f"the {profile.name!r} profile trains with callbacks; pass the function that makes them"
            )
        fit_callbacks = [*callbacks(), cap]
        validation = (x_test, np.eye(NUM_CLASSES, dtype=np.float32)[labels_test])
    try:
        history = model.fit(
            x_train,
            y_train,
            batch_size=profile.batch_size,
            epochs=profile.epochs,
            shuffle=True,
            validation_data=validation,
            callbacks=fit_callbacks,
            verbose=verbose,
        )
        scores = model.predict(x_test, batch_size=1000, verbose=0)
    except (ValueError, TypeError) as error:
        raise TrainingError(f"training the model failed: {type(error).__name__}: {error}") from error
    scores = np.asarray(scores)
    if scores.shape != (len(x_test), NUM_CLASSES):
        raise TrainingError(
            f"the trained model predicts shape {scores.shape} for {len(x_test)} test images; "
            f"expected ({len(x_test)}, {NUM_CLASSES}), one score per class"
        )
    if not np.isfinite(scores).all():
        raise TrainingError("the trained model predicts NaN or infinite scores; the training diverged")
    predicted = scores.argmax(axis=1)
    return TrainingRun(
        profile=profile,
        seed=seed,
        history={key: [float(v) for v in values] for key, values in history.history.items()},
        balanced_accuracy=float(balanced_accuracy_score(labels_test, predicted)),
        accuracy=float(accuracy_score(labels_test, predicted)),
        wall_time_s=time.perf_counter() - started,
        cpu_time_s=time.process_time() - cpu_started,
        stopped_by_time_cap=cap.fired,
        deterministic=deterministic,
        model=model,
    )


def _compiled_model(build_cnn, compile_cnn):
    import keras

    model = build_cnn()
    if not isinstance(model, keras.Model):
        raise TrainingError(f"build_cnn() returned {type(model).__name__}, expected a keras.Model")
    compiled = compile_cnn(model)
    if not isinstance(compiled, keras.Model):
        raise TrainingError(f"compile_cnn(model) returned {type(compiled).__name__}, expected the compiled keras.Model")
    if not getattr(compiled, "compiled", False):
        raise TrainingError("compile_cnn(model) returned a model that is not compiled; call model.compile(...)")
    return compiled


def _time_cap(profile: Profile):
    """A Keras callback that stops training once it has used ``profile.time_cap_s`` seconds: CPU seconds of this
    process on CPU profiles (so a busy shared machine does not stop a normal model), wall seconds on the GPU."""
    import keras

    clock = time.perf_counter if profile.needs_gpu else time.process_time
    started = clock()

    class TimeCap(keras.callbacks.Callback):
        fired = False

        def on_train_batch_end(self, batch, logs=None):
            if clock() - started > profile.time_cap_s:
                self.fired = True
                self.model.stop_training = True

    return TimeCap()


def load_thresholds() -> dict:
    """The committed thresholds (``course_utils/thresholds/thresholds.json``)."""
    text = resources.files("course_utils").joinpath("thresholds", "thresholds.json").read_text(encoding="utf-8")
    return json.loads(text)


def threshold_from_runs(values: list[float]) -> dict:
    """Mean, sample standard deviation and ``mean − THRESHOLD_SDS · max(sd, MIN_THRESHOLD_SD)`` of reference
    balanced accuracies."""
    if len(values) < 2:
        raise ValueError(f"a threshold needs at least 2 reference runs, got {len(values)}")
    mean = statistics.fmean(values)
    sd = statistics.stdev(values)
    return {
        "mean": round(mean, 4),
        "sd": round(sd, 4),
        "threshold": round(mean - THRESHOLD_SDS * max(sd, MIN_THRESHOLD_SD), 4),
        "runs": len(values),
    }


def check_training(build_cnn, compile_cnn, *, callbacks=None, profile: str | None = None) -> TrainingRun | None:
    """Train the student's model under the selected profile and grade its balanced accuracy on the test set.

    Raises :class:`CheckError` with an actionable message when the model stays below the profile's threshold,
    or when training hit the profile's time cap. Prints the result and whether the threshold is provisional.
    Where :data:`TRAINED_OUTSIDE_ENV` is ``1`` (the kernels of `course autograde`) it only says so and returns None.
    """
    if os.environ.get(TRAINED_OUTSIDE_ENV) == "1":
        print(
            "The grader trains your network outside this notebook, from your build_cnn and compile_cnn; "
            "that run's result is your score for this test."
        )
        return None
    chosen = select_profile(profile)
    run = train(build_cnn, compile_cnn, chosen, callbacks=callbacks)
    budget = f"the grader's {chosen.name} budget ({chosen.description}, seed {run.seed})"
    print(
        f"Trained under {budget} in {run.wall_time_s:.0f} s ({run.epochs_run} epochs): "
        f"balanced accuracy on the test set {run.balanced_accuracy:.4f}"
    )
    if run.stopped_by_time_cap:
        clock = "seconds" if chosen.needs_gpu else "CPU seconds"
        raise CheckError(
            f"training under {budget} passed the time cap of {chosen.time_cap_s:.0f} {clock} and was "
            f"stopped; is your network much larger than the book's ({CNN_TOTAL_PARAMS:,} parameters)?"
        )
    entry = load_thresholds()["profiles"].get(chosen.name)
    if entry is None or entry.get("threshold") is None:
        print(f"The {chosen.name} profile grades no accuracy: training ran and the predictions are valid.")
        return run
    if entry.get("provisional"):
        print(f"Note: the {chosen.name} threshold {entry['threshold']:.4f} is provisional: {entry['reason']}")
    if entry.get("budget") not in (None, chosen.budget()):
        raise TrainingError(f"the {chosen.name} threshold was set for another budget; rerun the reference runs")
    if run.balanced_accuracy < entry["threshold"]:
        raise CheckError(
            f"after training under {budget}, your model reaches a balanced accuracy of {run.balanced_accuracy:.4f} "
            f"on the test set; passing needs {entry['threshold']:.4f} (the solution reaches "
            f"{entry['mean']:.4f} on average with the same budget). Check that the model learns: the output "
            f"layer's activation, the optimizer and learning rate, and the loss."
        )
    return run


def library_versions() -> dict:
    """Versions of the libraries a reference run depends on, Keras's backend named and versioned."""
    import importlib

    import keras
    import sklearn

    backend = keras.backend.backend()
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "keras": keras.__version__,
        "keras_backend": backend,
        backend: importlib.import_module(backend).__version__,
        "scikit-learn": sklearn.__version__,
    }


def hardware() -> dict:
    """The machine a run used: CPU model and count, the GPUs Keras's backend sees."""
    return {"machine": platform.machine(), "processor": cpu_model(), "cpu_count": os.cpu_count(), "gpus": gpu_names()}


def cpu_model() -> str:
    """The processor's model name (from /proc/cpuinfo on Linux), for run records and benchmark tables."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
