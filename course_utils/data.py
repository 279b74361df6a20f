"""Loading CIFAR-10 the way ``keras.datasets.cifar10.load_data()`` does, from a local copy when there is one.

Source order: the ``path`` argument, else the ``COURSE_CIFAR10`` environment variable, else Keras' own download.
A local source may be

* a ``.npz`` file with the arrays ``x_train``, ``y_train``, ``x_test``, ``y_test``;
* the official ``cifar-10-batches-py`` folder (``data_batch_1`` … ``data_batch_5``, ``test_batch``), or a folder
  that contains it;
* the official ``cifar-10-python.tar.gz`` archive.

With a local source no network is attempted. Bad input raises :class:`CIFAR10Error` (or ``FileNotFoundError``)
naming the path and what was expected.
"""

from __future__ import annotations

import os
import pickle
import tarfile
import zipfile
from pathlib import Path

import numpy as np

ENV_VAR = "COURSE_CIFAR10"

CLASS_NAMES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
NUM_CLASSES = len(CLASS_NAMES)
IMAGE_SHAPE = (32, 32, 3)

_BATCH_FOLDER = "cifar-10-batches-py"
_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
_TEST_BATCH = "test_batch"

Split = tuple[np.ndarray, np.ndarray]


class CIFAR10Error(ValueError):
    """A local CIFAR-10 source exists but does not hold what the loader expects."""


def load_cifar10(path: str | os.PathLike | None = None) -> tuple[Split, Split]:
    """Return ``(x_train, y_train), (x_test, y_test)`` exactly as ``keras.datasets.cifar10.load_data()`` does.

    x : (N, 32, 32, 3) uint8 images, channels last.
    y : (N, 1) uint8 labels in 0..9 (see :data:`CLASS_NAMES`).
    """
    source = path if path is not None else os.environ.get(ENV_VAR) or None
    if source is None:
        import keras  # Only the download route needs Keras (and the network).

        try:
            return keras.datasets.cifar10.load_data()
        except Exception as error:  # Keras raises several types for a failed download.
            raise CIFAR10Error(
                f"CIFAR-10 download failed ({type(error).__name__}: {error}); without network access, set "
                f"{ENV_VAR} to a local .npz file, cifar-10-batches-py folder or cifar-10-python.tar.gz"
            ) from error

    source = Path(source).expanduser()
    origin = f"{source}" if path is not None else f"{source} (from ${ENV_VAR})"
    if not source.exists():
        raise FileNotFoundError(
            f"CIFAR-10 source {origin} does not exist; expected a .npz file, a cifar-10-batches-py folder "
            f"or cifar-10-python.tar.gz"
        )
    try:
        if source.is_dir():
            arrays = _read_batches_folder(source)
        elif source.name.endswith((".tar.gz", ".tgz", ".tar")):
            arrays = _read_tarball(source)
        elif source.suffix == ".npz":
            arrays = _read_npz(source)
        else:
            raise CIFAR10Error("expected a .npz file, a cifar-10-batches-py folder or cifar-10-python.tar.gz")
    except CIFAR10Error as error:
        raise CIFAR10Error(f"CIFAR-10 source {origin}: {error}") from None
    except (
        OSError,
        EOFError,
        ValueError,
        KeyError,
        pickle.UnpicklingError,
        tarfile.TarError,
        zipfile.BadZipFile,
    ) as error:
        raise CIFAR10Error(f"CIFAR-10 source {origin} could not be read ({type(error).__name__}: {error})") from error

    x_train, y_train, x_test, y_test = arrays
    try:
        train = _validated(x_train, y_train, "train")
        test = _validated(x_test, y_test, "test")
    except CIFAR10Error as error:
        raise CIFAR10Error(f"CIFAR-10 source {origin}: {error}") from None
    return train, test


def subset(x: np.ndarray, y: np.ndarray, per_class: int, seed: int = 0) -> Split:
    """A stratified, seeded subset: ``per_class`` examples of every class present, in their original order.

    x : (N, ...) any array; y : (N,) or (N, 1) integer labels. Returns ``(x[idx], y[idx])``.
    """
    labels = np.asarray(y).reshape(len(y), -1)
    if labels.shape[1] != 1:
        raise ValueError(f"subset expects integer labels of shape (N,) or (N, 1), got shape {np.shape(y)}")
    labels = labels[:, 0]
    if len(x) != len(labels):
        raise ValueError(f"subset got {len(x)} examples but {len(labels)} labels")
    if per_class < 1:
        raise ValueError(f"per_class must be at least 1, got {per_class}")
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < per_class:
            raise ValueError(f"class {label} has only {len(members)} examples, fewer than per_class={per_class}")
        chosen.append(rng.choice(members, size=per_class, replace=False))
    index = np.sort(np.concatenate(chosen))
    return x[index], y[index]


def _read_npz(path: Path) -> tuple[np.ndarray, ...]:
    with np.load(path, allow_pickle=False) as archive:
        missing = [key for key in ("x_train", "y_train", "x_test", "y_test") if key not in archive.files]
        if missing:
            raise CIFAR10Error(
                f"the .npz file lacks {', '.join(missing)}; it holds {', '.join(archive.files) or 'nothing'}"
            )
        return tuple(archive[key] for key in ("x_train", "y_train", "x_test", "y_test"))


def _read_batches_folder(folder: Path) -> tuple[np.ndarray, ...]:
    if (folder / _BATCH_FOLDER).is_dir():
        folder = folder / _BATCH_FOLDER
    missing = [name for name in (*_TRAIN_BATCHES, _TEST_BATCH) if not (folder / name).is_file()]
    if missing:
        raise CIFAR10Error(f"the folder lacks the batch files {', '.join(missing)}")
    batches = {name: _unpickle_batch((folder / name).read_bytes(), name) for name in (*_TRAIN_BATCHES, _TEST_BATCH)}
    return _join_batches(batches)


def _read_tarball(path: Path) -> tuple[np.ndarray, ...]:
    batches = {}
    with tarfile.open(path, "r:*") as archive:
        for member in archive.getmembers():
            name = member.name.rsplit("/", 1)[-1]
            if member.isfile() and name in (*_TRAIN_BATCHES, _TEST_BATCH):
                batches[name] = _unpickle_batch(archive.extractfile(member).read(), name)
    missing = [name for name in (*_TRAIN_BATCHES, _TEST_BATCH) if name not in batches]
    if missing:
        raise CIFAR10Error(f"the archive lacks the batch files {', '.join(missing)}")
    return _join_batches(batches)


def _unpickle_batch(payload: bytes, name: str) -> tuple[np.ndarray, np.ndarray]:
    """One official batch file: a pickled dict with b'data' (N, 3072) uint8 rows (R, G, B planes) and b'labels'."""
    batch = pickle.loads(payload, encoding="bytes")
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise CIFAR10Error(f"batch {name} is not a dict with b'data' and b'labels'")
    data = np.asarray(batch[b"data"])
    if data.ndim != 2 or data.shape[1] != 3072:
        raise CIFAR10Error(f"batch {name} holds data of shape {data.shape}, expected (N, 3072)")
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return images, np.asarray(batch[b"labels"])


def _join_batches(batches: dict[str, tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, ...]:
    x_train = np.concatenate([batches[name][0] for name in _TRAIN_BATCHES])
    y_train = np.concatenate([batches[name][1] for name in _TRAIN_BATCHES])
    x_test, y_test = batches[_TEST_BATCH]
    return x_train, y_train, x_test, y_test


def _validated(x: np.ndarray, y: np.ndarray, split: str) -> Split:
    if x.ndim != 4 or x.shape[1:] != IMAGE_SHAPE:
        raise CIFAR10Error(f"x_{split} has shape {x.shape}, expected (N, 32, 32, 3)")
    if x.dtype != np.uint8:
        raise CIFAR10Error(f"x_{split} has dtype {x.dtype}, expected uint8")
    if y.ndim not in (1, 2) or (y.ndim == 2 and y.shape[1] != 1) or len(y) != len(x):
        raise CIFAR10Error(f"y_{split} has shape {y.shape}, expected ({len(x)},) or ({len(x)}, 1)")
    if y.dtype.kind not in "iu":
        raise CIFAR10Error(f"y_{split} has dtype {y.dtype}, expected integer labels")
    if len(y) and (y.min() < 0 or y.max() >= NUM_CLASSES):
        raise CIFAR10Error(f"y_{split} has labels outside 0..{NUM_CLASSES - 1} (min {y.min()}, max {y.max()})")
    return np.ascontiguousarray(x), y.astype(np.uint8).reshape(-1, 1)
