"""Training recipes beyond the chapter (page "Doing better than the chapter"): the chapter's CNN changed one thing
at a time, every run on the same data and the same wall-clock budget.

Each entry of :data:`STEPS` keeps the changes of the steps before it and adds one:

==============  ===========================================================================================
``chapter``     the chapter's network: ten sigmoids, binary cross-entropy, RMSprop at 0.001, batches of 100 (the
                budget ends the run, not the chapter's callbacks)
``softmax``     a softmax output with categorical cross-entropy
``augment``     random horizontal flips and translations of up to 2 pixels (reflected borders), every epoch
``deeper``      a VGG-style network: seven 3×3 convolutions with batch normalisation, GELU and max pooling, in
                batches of 256
``schedule``    AdamW with a one-cycle learning rate that follows the elapsed share of the time budget
``smoothing``   label smoothing of 0.2
==============  ===========================================================================================

One variant runs beside the chain (:data:`VARIANTS`): ``deeper-unaugmented``, the step ``deeper`` without the
augmentation, which weighs the augmentation on the network that can use it.

:func:`train_step` trains one step for ``budget_s`` seconds of training (the time inside ``fit``: the work between
epochs, augmentation above all, and the test-set evaluation after each epoch are not counted; the record's
``wall_seconds`` counts everything and its ``eval_seconds`` the evaluations) and returns its record: the balanced
accuracy on all 10,000 test images after every epoch, the epochs, wall time, parameters, images per second, and the
machine and library versions.

The chapter's network itself is not in this package (students install it, and Exercise 3 asks them to build that
network): the steps on it take a function that builds it. ``python -m benchmarks.recipe_runs`` (``make recipes``)
trains the steps with the book's solution and writes the records the page loads; it switches on TensorFlow's oneDNN
kernels (``TF_ENABLE_ONEDNN_OPTS=1``), and every record says whether they were on.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from course_utils.data import NUM_CLASSES, load_cifar10


@dataclass(frozen=True)
class Step:
    """One row of the ablation: a network, a loss, an optimiser, a schedule and the data it sees."""

    name: str
    change: str
    network: str = "chapter"  # "chapter" or "vgg"
    output: str = "sigmoid"  # "sigmoid" (binary cross-entropy) or "softmax" (categorical cross-entropy)
    augment: bool = False
    optimizer: str = "rmsprop"  # "rmsprop" at a constant rate, or "adamw" with a one-cycle rate
    learning_rate: float = 0.001
    weight_decay: float = 0.0
    label_smoothing: float = 0.0
    batch_size: int = 100


def _steps() -> list[Step]:
    chapter = Step("chapter", "the chapter's network, loss, optimiser and batch size")
    softmax = replace(chapter, name="softmax", change="softmax output, categorical cross-entropy", output="softmax")
    augment = replace(softmax, name="augment", change="random flips and 2-pixel translations", augment=True)
    deeper = replace(
        augment,
        name="deeper",
        change="VGG-style network with batch normalisation (7 convolutions), batches of 256",
        network="vgg",
        batch_size=256,
    )
    schedule = replace(
        deeper,
        name="schedule",
        change="AdamW, one-cycle learning rate over the budget",
        optimizer="adamw",
        learning_rate=0.003,
        weight_decay=0.05,
    )
    smoothing = replace(schedule, name="smoothing", change="label smoothing 0.2", label_smoothing=0.2)
    return [chapter, softmax, augment, deeper, schedule, smoothing]


STEPS = {step.name: step for step in _steps()}
#: Runs beside the chain, each one step with one of its changes taken back, to weigh that change where it matters.
VARIANTS = {
    "deeper-unaugmented": replace(
        STEPS["deeper"], name="deeper-unaugmented", change="the step deeper without the augmentation", augment=False
    ),
}
#: Every named run: the steps in order, then the variants.
RUNS = {**STEPS, **VARIANTS}
#: The recipe the page recommends: every change of the ablation.
RECIPE = "smoothing"
#: Share of the budget spent warming the learning rate up from a tenth of its peak, before the linear decay to 0.
WARMUP_SHARE = 0.2
#: Channel means and standard deviations of the CIFAR-10 training images (pixels in [0, 1]).
CIFAR10_MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32)
CIFAR10_STD = np.array([0.2470, 0.2435, 0.2616], dtype=np.float32)
#: Largest translation of the augmentation, in pixels.
MAX_SHIFT = 2


def build_vgg():
    """The VGG-style network of the step ``deeper`` (uncompiled): images (N, 32, 32, 3), standardised per channel,
    -> logits (N, 10). A 3×3 convolution to 24 channels, then three blocks of two 3×3 convolutions (32, 128 and 128
    channels) with batch normalisation and GELU, the first of each followed by 2×2 max pooling; a global max pool
    and one dense layer."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Conv2D(24, 3, padding="same")(inputs)
    x = layers.Activation("gelu")(x)
    for width in (32, 128, 128):
        # Convolution, pooling, then normalisation: the pooled map is four times smaller to normalise.
        x = layers.Conv2D(width, 3, padding="same", use_bias=False)(x)
        x = layers.MaxPooling2D()(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("gelu")(x)
        x = layers.Conv2D(width, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("gelu")(x)
    x = layers.GlobalMaxPooling2D()(x)
    outputs = layers.Dense(NUM_CLASSES)(x)
    return keras.Model(inputs, outputs, name="vgg_bn")


def build_network(step: Step, chapter_network=None):
    """The step's uncompiled model. ``chapter_network()`` builds the chapter's CNN (Exercise 3's ``build_cnn``,
    ten sigmoid outputs); the steps on it need it, and ``softmax`` swaps its output activation for a softmax."""
    import keras

    if step.network == "vgg":
        return build_vgg()
    if step.network != "chapter":
        raise ValueError(f"unknown network {step.network!r}; expected 'chapter' or 'vgg'")
    if chapter_network is None:
        raise ValueError(
            f"the step {step.name!r} trains the chapter's network: pass chapter_network, a function that builds it "
            f"(the book's build_cnn)"
        )
    model = chapter_network()
    if step.output == "softmax":
        model.layers[-1].activation = keras.activations.softmax
    return model


def compile_network(model, step: Step):
    """Compile ``model`` with the step's loss and optimiser; returns it."""
    import keras

    if step.output == "sigmoid":
        loss = keras.losses.BinaryCrossentropy(label_smoothing=step.label_smoothing)
    else:
        loss = keras.losses.CategoricalCrossentropy(
            from_logits=step.network == "vgg", label_smoothing=step.label_smoothing
        )
    if step.optimizer == "rmsprop":
        optimizer = keras.optimizers.RMSprop(learning_rate=step.learning_rate)
    elif step.optimizer == "adamw":
        optimizer = keras.optimizers.AdamW(learning_rate=step.learning_rate, weight_decay=step.weight_decay)
    else:
        raise ValueError(f"unknown optimizer {step.optimizer!r}; expected 'rmsprop' or 'adamw'")
    model.compile(optimizer=optimizer, loss=loss, metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")])
    return model


def one_cycle(progress: float, peak: float) -> float:
    """The learning rate at ``progress`` (the elapsed share of the budget, 0 to 1): a linear rise from peak/10 to
    ``peak`` over the first :data:`WARMUP_SHARE`, then a linear fall to 0 at the end of the budget."""
    progress = min(max(progress, 0.0), 1.0)
    if progress < WARMUP_SHARE:
        return peak * (0.1 + 0.9 * progress / WARMUP_SHARE)
    return peak * (1.0 - progress) / (1.0 - WARMUP_SHARE)


def augment(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random horizontal flips (half the images) and translations by up to :data:`MAX_SHIFT` pixels in each
    direction, the uncovered border filled by reflection. images : (N, H, W, C) -> (N, H, W, C), same dtype."""
    count, height, width = images.shape[:3]
    flipped = np.where(rng.random(count)[:, None, None, None] < 0.5, images[:, :, ::-1], images)
    padded = np.pad(flipped, ((0, 0), (MAX_SHIFT, MAX_SHIFT), (MAX_SHIFT, MAX_SHIFT), (0, 0)), mode="reflect")
    shifts = rng.integers(0, 2 * MAX_SHIFT + 1, size=(count, 2))
    out = np.empty_like(images)
    # One slice per distinct shift (25 of them), not one per image.
    for dy, dx in np.unique(shifts, axis=0):
        chosen = np.flatnonzero((shifts[:, 0] == dy) & (shifts[:, 1] == dx))
        out[chosen] = padded[chosen, dy : dy + height, dx : dx + width]
    return out


def prepare(images: np.ndarray, step: Step) -> np.ndarray:
    """uint8 images (N, 32, 32, 3) -> float32 inputs: pixels in [0, 1] for the chapter's network (as the chapter
    scales them), standardised per channel for the VGG-style one."""
    scaled = images.astype(np.float32) / 255.0
    if step.network == "vgg":
        scaled = (scaled - CIFAR10_MEAN) / CIFAR10_STD
    return scaled


class _BudgetClock:
    """Seconds spent training (inside ``fit``), summed over epochs; the work between epochs and the evaluations are
    left out."""

    def __init__(self, budget_s: float):
        self.budget_s = budget_s
        self.used_s = 0.0
        self._since: float | None = None

    def start(self) -> None:
        self._since = time.perf_counter()

    def stop(self) -> None:
        self.used_s = self.elapsed()
        self._since = None

    def elapsed(self) -> float:
        return self.used_s + (time.perf_counter() - self._since if self._since is not None else 0.0)

    def progress(self) -> float:
        return self.elapsed() / self.budget_s


def _budget_callback(clock: _BudgetClock, step: Step):
    """A Keras callback that sets the one-cycle learning rate from the clock (AdamW steps) before each batch and
    stops training once the budget is spent."""
    import keras

    class Budget(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if step.optimizer == "adamw":
                self.model.optimizer.learning_rate.assign(one_cycle(clock.progress(), step.learning_rate))

        def on_train_batch_end(self, batch, logs=None):
            if clock.elapsed() >= clock.budget_s:
                self.model.stop_training = True

    return Budget()


def train_step(
    step: Step | str,
    budget_s: float,
    *,
    seed: int = 0,
    data=None,
    chapter_network=None,
    log=print,
) -> dict:
    """Train ``step`` (a :class:`Step`, or the name of one of :data:`RUNS`) for ``budget_s`` seconds of training and
    return its record (see the module docstring).

    data : ``(x_train, y_train), (x_test, y_test)`` as :func:`course_utils.data.load_cifar10` returns them (uint8
           images, (N, 1) labels); loaded when None.
    chapter_network : builds the chapter's CNN, for the steps that train it (see :func:`build_network`).
    log  : called with one line per epoch (progress on long runs); ``None`` for silence.
    """
    import keras
    from sklearn.metrics import balanced_accuracy_score

    from course_utils.runs import environment

    step = RUNS[step] if isinstance(step, str) else step
    if budget_s <= 0:
        raise ValueError(f"the budget must be a positive number of seconds, got {budget_s}")
    (x_train, y_train), (x_test, y_test) = load_cifar10() if data is None else data
    labels_train, labels_test = np.asarray(y_train).reshape(-1), np.asarray(y_test).reshape(-1)
    targets = np.eye(NUM_CLASSES, dtype=np.float32)[labels_train]
    inputs_test = prepare(x_test, step)
    load_before = os.getloadavg()[0]
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    model = compile_network(build_network(step, chapter_network), step)
    clock = _BudgetClock(budget_s)
    callback = _budget_callback(clock, step)
    history: list[dict] = []
    started = time.perf_counter()
    eval_s = 0.0
    seen = 0
    inputs = None if step.augment else prepare(x_train, step)  # the same inputs every epoch without augmentation
    while clock.elapsed() < budget_s:
        if step.augment:
            inputs = prepare(augment(x_train, rng), step)
        steps_before = _steps_taken(model)
        clock.start()
        fitted = model.fit(
            inputs, targets, batch_size=step.batch_size, epochs=1, shuffle=True, callbacks=[callback], verbose=0
        )
        clock.stop()
        seen += min((_steps_taken(model) - steps_before) * step.batch_size, len(inputs))
        evaluated = time.perf_counter()
        predicted = model.predict(inputs_test, batch_size=1000, verbose=0).argmax(axis=1)
        eval_s += time.perf_counter() - evaluated
        row = {
            "epoch": len(history) + 1,
            "train_seconds": round(clock.used_s, 2),
            "images_seen": seen,
            "loss": float(fitted.history["loss"][-1]),
            "train_accuracy": float(fitted.history["accuracy"][-1]),
            "test_balanced_accuracy": float(balanced_accuracy_score(labels_test, predicted)),
            "learning_rate": float(model.optimizer.learning_rate.numpy()),
        }
        history.append(row)
        if log is not None:
            log(
                f"{step.name} seed {seed}: epoch {row['epoch']}, {row['train_seconds']:.0f}/{budget_s:.0f} s, "
                f"loss {row['loss']:.4f}, test balanced accuracy {row['test_balanced_accuracy']:.4f}"
            )
    final = history[-1]
    return {
        "step": step.name,
        "change": step.change,
        "settings": asdict(step),
        "seed": seed,
        "budget_seconds": budget_s,
        "train_seconds": round(clock.used_s, 2),
        "eval_seconds": round(eval_s, 2),
        "wall_seconds": round(time.perf_counter() - started, 2),
        "epochs": round(seen / len(x_train), 3),
        "images_per_second": round(seen / clock.used_s, 1),
        "parameters": int(model.count_params()),
        "balanced_accuracy": final["test_balanced_accuracy"],
        "history": history,
        "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default"),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        **environment(),
    }


def _steps_taken(model) -> int:
    """The optimiser's step count, on any Keras backend."""
    return int(model.optimizer.iterations.numpy())


def write_record(record: dict, folder: str | os.PathLike) -> Path:
    """Write ``record`` to ``folder/<step>-seed<seed>.json``; returns the path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record['step']}-seed{record['seed']}.json"
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return path


def load_records(folder: str | os.PathLike) -> list[dict]:
    """Every record in ``folder``, in the order of :data:`RUNS`, then by seed."""
    order = list(RUNS)
    records = [json.loads(path.read_text(encoding="utf-8")) for path in Path(folder).glob("*-seed*.json")]
    return sorted(records, key=lambda record: (order.index(record["step"]), record["seed"]))


def spread(records: list[dict], step: str = RECIPE) -> dict:
    """The balanced accuracies of ``step``'s runs in ``records`` (one per seed, same budget): their count, mean,
    sample standard deviation, minimum and maximum, and the interval a re-run should land in, the mean ± 3 standard
    deviations (at least 0.005 each), the rule the grader sets its thresholds by (:mod:`course_utils.training`)."""
    from course_utils.training import MIN_THRESHOLD_SD, THRESHOLD_SDS

    values = [record["balanced_accuracy"] for record in records if record["step"] == step]
    if len(values) < 2:
        raise ValueError(f"a spread needs at least 2 runs of {step!r}, got {len(values)}")
    budgets = {record["budget_seconds"] for record in records if record["step"] == step}
    if len(budgets) != 1:
        raise ValueError(f"the runs of {step!r} have different budgets: {sorted(budgets)} seconds")
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    margin = THRESHOLD_SDS * max(sd, MIN_THRESHOLD_SD)
    return {
        "runs": len(values),
        "budget_seconds": budgets.pop(),
        "mean": mean,
        "sd": sd,
        "min": min(values),
        "max": max(values),
        "low": mean - margin,
        "high": mean + margin,
    }


def forward_multiply_adds(model) -> int:
    """Multiply-adds of one image's forward pass through the Conv2D and Dense layers of ``model`` (the layers that
    hold nearly all the arithmetic; normalisation, activations and pooling are left out)."""
    import keras

    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            height, width, filters = layer.output.shape[1:]
            kernel_h, kernel_w, channels, _ = layer.kernel.shape
            total += height * width * filters * kernel_h * kernel_w * channels
        elif isinstance(layer, keras.layers.Dense):
            total += int(np.prod(layer.kernel.shape))
    return int(total)


def training_flops(model, images: float) -> float:
    """Floating-point operations to train ``model`` on ``images`` images, by the usual estimate: 2 per multiply-add,
    and the backward pass twice the forward one (6 × multiply-adds per image)."""
    return 6.0 * forward_multiply_adds(model) * images
