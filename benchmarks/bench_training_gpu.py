"""Training throughput of the chapter's CNN on a GPU: plain fit, as the chapter trains, against the ways to keep a
GPU busy (XLA, an input pipeline, mixed precision, several steps per call).

The model is the ex03 solution's build_cnn + compile_cnn, batch size 100, on a seeded CIFAR-10 subset. Each variant
trains a warm-up epoch (tracing, compilation) and two timed epochs; a row is the faster timed epoch. Which variants
run depends on Keras's backend: the tf.data pipeline needs TensorFlow; with JAX every fit is compiled by XLA, so
"without XLA" is the op-by-op baseline. Needs a GPU (skipped by `make benchmarks` on machines without one).
Goals: the best variant >= 3x plain fit, and an epoch of the 50,000 training images in under a second.
"""

from __future__ import annotations

import time

from benchmarks.common import solution_namespace

NEEDS_GPU = True
BATCH_SIZE = 100
GOAL_SPEEDUP = 3.0
GOAL_EPOCH_S = 1.0
TRAIN_IMAGES = 50_000
#: Steps per call into the compiled training function in the "steps_per_execution" variants.
STEPS_PER_EXECUTION = 50
BASELINE = "fit(NumPy arrays), as the chapter trains"


def _epoch_seconds(model, data, *, epochs: int = 3, **fit_kwargs) -> float:
    """The fastest epoch after the first (which pays for tracing and compilation), in seconds."""
    import keras

    durations = []

    class EpochClock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.begin = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            durations.append(time.perf_counter() - self.begin)

    model.fit(*data, epochs=epochs, verbose=0, callbacks=[EpochClock()], **fit_kwargs)
    return min(durations[1:])


def variants(backend: str) -> dict[str, dict]:
    """name -> settings: ``jit`` (jit_compile), ``policy`` (dtype policy), ``spe`` (steps_per_execution),
    ``pipeline`` (tf.data), ``share`` (fraction of the images per epoch: the slow op-by-op variant runs fewer)."""
    table = {
        BASELINE: {},
        "without XLA (jit_compile=False)": {"jit": False, "share": 0.1},
        "mixed precision (mixed_bfloat16)": {"policy": "mixed_bfloat16"},
        f"steps_per_execution={STEPS_PER_EXECUTION}": {"spe": STEPS_PER_EXECUTION},
        f"mixed_bfloat16 + steps_per_execution={STEPS_PER_EXECUTION}": {
            "policy": "mixed_bfloat16",
            "spe": STEPS_PER_EXECUTION,
        },
    }
    if backend == "tensorflow":
        table["tf.data (cache, shuffle, batch, prefetch)"] = {"pipeline": True}
        table[f"tf.data + XLA + mixed_bfloat16 + steps_per_execution={STEPS_PER_EXECUTION}"] = {
            "pipeline": True,
            "jit": True,
            "policy": "mixed_bfloat16",
            "spe": STEPS_PER_EXECUTION,
        }
    return table


def run(quick: bool = False) -> dict:
    import keras

    from course_utils.data import load_cifar10, subset
    from course_utils.training import gpu_names

    backend = keras.backend.backend()
    gpus = gpu_names()
    solution = solution_namespace("ex03_cnn")
    (x_train, y_train), _ = load_cifar10()
    x, y = subset(x_train, y_train, per_class=50 if quick else 2000, seed=0)
    x = x.astype("float32") / 255.0
    y = keras.utils.to_categorical(y, 10)

    def measure(settings: dict) -> tuple[float, int]:
        """(seconds of one epoch, images in it) for one variant."""
        count = max(BATCH_SIZE, int(len(x) * settings.get("share", 1.0)) // BATCH_SIZE * BATCH_SIZE)
        images, labels = x[:count], y[:count]
        keras.config.set_dtype_policy(settings.get("policy", "float32"))
        try:
            keras.utils.set_random_seed(0)
            model = solution["compile_cnn"](solution["build_cnn"]())
        finally:
            keras.config.set_dtype_policy("float32")
        if "jit" in settings:
            model.jit_compile = settings["jit"]
        model.steps_per_execution = settings.get("spe", 1)
        if settings.get("pipeline"):
            import tensorflow as tf

            dataset = tf.data.Dataset.from_tensor_slices((images, labels)).cache().shuffle(count, seed=0)
            return _epoch_seconds(model, (dataset.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE),)), count
        return _epoch_seconds(model, (images, labels), batch_size=BATCH_SIZE, shuffle=True), count

    measured = {name: measure(settings) for name, settings in variants(backend).items()}
    per_step = {name: seconds / (count // BATCH_SIZE) for name, (seconds, count) in measured.items()}
    baseline = per_step[BASELINE]
    rows = [
        {
            "variant": name,
            "ms/step": round(1e3 * value, 2),
            "images/s": round(BATCH_SIZE / value),
            "epoch of 50,000 images (s)": round(value * TRAIN_IMAGES / BATCH_SIZE, 2),
            "speed-up": round(baseline / value, 2),
        }
        for name, value in per_step.items()
    ]
    best = max(rows, key=lambda row: row["speed-up"])
    device = ", ".join(gpus) or "no GPU (CPU only)"
    return {
        "title": f"Training throughput on a GPU ({device}), chapter CNN, batch {BATCH_SIZE}",
        "rows": rows,
        "goal": f">= {GOAL_SPEEDUP:g}x plain fit and an epoch of 50,000 images under {GOAL_EPOCH_S:g} s",
        "met": bool(best["speed-up"] >= GOAL_SPEEDUP and best["epoch of 50,000 images (s)"] < GOAL_EPOCH_S),
        "summary": f"best: {best['variant']}, {best['speed-up']:.2f}x, "
        f"{best['epoch of 50,000 images (s)']:.2f} s per epoch of 50,000 images",
        "notes": f"Keras {keras.__version__} on its {backend} backend. {len(x):,} images per timed epoch (the "
        f"op-by-op variant a tenth of them); a row is the faster of two timed epochs after a warm-up epoch. "
        f"With steps_per_execution={STEPS_PER_EXECUTION} the training is the same (the same batches in "
        f"the same order); the callbacks see every {STEPS_PER_EXECUTION}th batch.",
    }


if __name__ == "__main__":
    print(run(quick=True)["summary"])
