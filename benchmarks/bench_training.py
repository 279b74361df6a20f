"""Training throughput of the chapter's CNN: fit(NumPy arrays) as the chapter does vs a tf.data pipeline vs XLA.

The model is the ex03 solution's build_cnn + compile_cnn. Each variant trains one warm-up epoch (tracing and
compilation) and one timed epoch on the same seeded subset, batch size 100. Goal: >= 1.5x the plain baseline.
"""

from __future__ import annotations

import time

from benchmarks.common import solution_namespace

BATCH_SIZE = 100
GOAL_SPEEDUP = 1.5
#: Why the goal is not met on a CPU-only machine (measured: the pipeline and XLA were both slower).
NOTES = (
    "On two CPU cores each step is spent in the convolutions, so a faster input pipeline has nothing to "
    "hide, and XLA's CPU code was slower than TensorFlow's own kernels here; the pipeline pays off when an "
    "accelerator waits for data. The book keeps its tf.data pipeline (the same training) and quotes these figures."
)


def _timed_epoch(model, data, **fit_kwargs) -> float:
    """Seconds of the second epoch (the first pays for tracing and compilation)."""
    import keras

    durations = []

    class EpochClock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.begin = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            durations.append(time.perf_counter() - self.begin)

    model.fit(*data, epochs=2, verbose=0, callbacks=[EpochClock()], **fit_kwargs)
    return durations[-1]


def run(quick: bool = False) -> dict:
    import keras
    import tensorflow as tf

    from course_utils.data import load_cifar10, subset

    solution = solution_namespace("ex03_cnn")
    (x_train, y_train), _ = load_cifar10()
    x, y = subset(x_train, y_train, per_class=200 if quick else 1000, seed=0)
    x = x.astype("float32") / 255.0
    y = keras.utils.to_categorical(y, 10)
    steps = len(x) // BATCH_SIZE

    def fresh_model(jit_compile=False):
        keras.utils.set_random_seed(0)
        model = solution["compile_cnn"](solution["build_cnn"]())
        model.jit_compile = jit_compile
        return model

    def pipeline():
        dataset = tf.data.Dataset.from_tensor_slices((x, y)).cache().shuffle(len(x), seed=0)
        return (dataset.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE),)

    seconds = {
        "fit(NumPy arrays), as printed": _timed_epoch(fresh_model(), (x, y), batch_size=BATCH_SIZE, shuffle=True),
        "tf.data (cache, shuffle, batch, prefetch)": _timed_epoch(fresh_model(), pipeline()),
        "tf.data + jit_compile=True": _timed_epoch(fresh_model(jit_compile=True), pipeline()),
    }
    baseline = seconds["fit(NumPy arrays), as printed"]
    rows = [
        {
            "variant": name,
            "ms/step": round(1e3 * value / steps, 1),
            "images/s": round(len(x) / value),
            "speed-up": round(baseline / value, 2),
        }
        for name, value in seconds.items()
    ]
    best = max(row["speed-up"] for row in rows)
    return {
        "title": f"Training throughput, chapter CNN, batch {BATCH_SIZE}, {len(x)} images per epoch",
        "rows": rows,
        "goal": f">= {GOAL_SPEEDUP:g}x the plain fit(NumPy arrays) baseline",
        "met": bool(best >= GOAL_SPEEDUP),
        "summary": f"best speed-up {best:.2f}x",
        "notes": NOTES,
    }
