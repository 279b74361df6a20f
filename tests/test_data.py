"""Does load_cifar10 read every local format exactly as Keras would, and explain every bad input?"""

import io
import pickle
import socket
import tarfile

import numpy as np
import pytest

from course_utils import data
from course_utils.data import CIFAR10Error, load_cifar10, subset

TRAIN_PER_BATCH = 4
N_TEST = 6


@pytest.fixture(scope="module")
def arrays():
    """A tiny CIFAR-10-shaped set: 5 batches of 4 training images, 6 test images, labels as Keras returns them."""
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, size=(5 * TRAIN_PER_BATCH, 32, 32, 3), dtype=np.uint8)
    x_test = rng.integers(0, 256, size=(N_TEST, 32, 32, 3), dtype=np.uint8)
    y_train = rng.integers(0, 10, size=(5 * TRAIN_PER_BATCH, 1), dtype=np.uint8)
    y_test = rng.integers(0, 10, size=(N_TEST, 1), dtype=np.uint8)
    return x_train, y_train, x_test, y_test


def _batch_bytes(x, y):
    """One batch in the official pickle format: rows of 3072 bytes, the R, G and B planes one after another."""
    rows = x.transpose(0, 3, 1, 2).reshape(len(x), 3072)
    return pickle.dumps({b"batch_label": b"fixture", b"labels": [int(v) for v in y.ravel()], b"data": rows})


def _official_files(arrays):
    x_train, y_train, x_test, y_test = arrays
    files = {}
    for i in range(5):
        part = slice(i * TRAIN_PER_BATCH, (i + 1) * TRAIN_PER_BATCH)
        files[f"data_batch_{i + 1}"] = _batch_bytes(x_train[part], y_train[part])
    files["test_batch"] = _batch_bytes(x_test, y_test)
    return files


@pytest.fixture
def npz_file(tmp_path, arrays):
    path = tmp_path / "cifar10.npz"
    x_train, y_train, x_test, y_test = arrays
    np.savez(path, x_train=x_train, y_train=y_train.ravel(), x_test=x_test, y_test=y_test.ravel())
    return path


@pytest.fixture
def batches_folder(tmp_path, arrays):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name, payload in _official_files(arrays).items():
        (folder / name).write_bytes(payload)
    return folder


@pytest.fixture
def tarball(tmp_path, arrays):
    path = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, payload in _official_files(arrays).items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return path


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("load_cifar10 tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("source", ["npz_file", "batches_folder", "tarball"])
def test_does_every_local_format_give_keras_shapes_dtypes_and_values(request, arrays, source, no_network):
    (x_train, y_train), (x_test, y_test) = load_cifar10(request.getfixturevalue(source))
    for got, expected in zip((x_train, y_train, x_test, y_test), arrays):
        assert got.dtype == np.uint8
        assert got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)


def test_is_the_folder_that_contains_the_batches_folder_accepted(batches_folder, arrays):
    (x_train, _), _ = load_cifar10(batches_folder.parent)
    np.testing.assert_array_equal(x_train, arrays[0])


def test_does_the_environment_variable_name_the_source(monkeypatch, npz_file, arrays, no_network):
    monkeypatch.setenv(data.ENV_VAR, str(npz_file))
    (_, _), (x_test, _) = load_cifar10()
    np.testing.assert_array_equal(x_test, arrays[2])


def test_does_the_path_argument_win_over_the_environment_variable(monkeypatch, npz_file, arrays, tmp_path):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "elsewhere.npz"))  # missing: loading it would raise
    (x_train, _), (x_test, _) = load_cifar10(npz_file)
    np.testing.assert_array_equal(x_train, arrays[0])
    np.testing.assert_array_equal(x_test, arrays[2])


def test_does_a_missing_path_name_itself_and_the_variable(monkeypatch, tmp_path):
    missing = tmp_path / "nowhere.npz"
    monkeypatch.setenv(data.ENV_VAR, str(missing))
    with pytest.raises(FileNotFoundError, match=rf"{missing}.*\${data.ENV_VAR}.*expected a \.npz file"):
        load_cifar10()


def test_does_a_failed_download_point_to_the_offline_route(monkeypatch, tmp_path):
    """Without a local source the loader asks Keras to download; offline, the error says how to avoid that."""
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))

    def refuse(*args, **kwargs):
        raise OSError("network unreachable")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(CIFAR10Error, match=rf"download failed.*{data.ENV_VAR}"):
        load_cifar10()


def _write_npz(path, **arrays):
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"x_train": None}, "lacks x_train"),
        ({"x_train": np.zeros((2, 32, 32), np.uint8)}, r"x_train has shape \(2, 32, 32\), expected \(N, 32, 32, 3\)"),
        ({"x_test": np.zeros((6, 32, 32, 3), np.float32)}, "x_test has dtype float32, expected uint8"),
        ({"y_train": np.zeros((3,), np.uint8)}, r"y_train has shape \(3,\), expected \(20,\)"),
        ({"y_test": np.full((6,), 10, np.uint8)}, r"labels outside 0\.\.9"),
        ({"y_test": np.zeros((6,), np.float64)}, "expected integer labels"),
    ],
)
def test_does_a_malformed_npz_say_what_is_wrong(tmp_path, arrays, change, message):
    content = dict(zip(("x_train", "y_train", "x_test", "y_test"), arrays))
    content.update(change)
    path = _write_npz(tmp_path / "bad.npz", **{k: v for k, v in content.items() if v is not None})
    with pytest.raises(CIFAR10Error, match=message) as info:
        load_cifar10(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("name", ["corrupt.npz", "cifar-10-python.tar.gz"])
def test_is_a_corrupt_file_reported_with_its_path(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"this is not an archive" * 10)
    with pytest.raises(CIFAR10Error, match="could not be read") as info:
        load_cifar10(path)
    assert str(path) in str(info.value)


def test_does_a_folder_missing_a_batch_name_it(batches_folder):
    (batches_folder / "data_batch_3").unlink()
    with pytest.raises(CIFAR10Error, match="lacks the batch files data_batch_3"):
        load_cifar10(batches_folder)


def test_is_a_batch_of_the_wrong_kind_rejected(batches_folder):
    (batches_folder / "test_batch").write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(CIFAR10Error, match="test_batch is not a dict"):
        load_cifar10(batches_folder)


def test_is_an_unknown_file_type_rejected(tmp_path):
    path = tmp_path / "cifar.csv"
    path.write_text("1,2,3")
    with pytest.raises(CIFAR10Error, match="expected a .npz file"):
        load_cifar10(path)


def test_is_the_subset_stratified_seeded_and_in_order(arrays):
    x = np.arange(100).reshape(100, 1)
    y = np.repeat(np.arange(10), 10).reshape(100, 1).astype(np.uint8)
    x_a, y_a = subset(x, y, per_class=3, seed=7)
    x_b, _ = subset(x, y, per_class=3, seed=7)
    x_c, _ = subset(x, y, per_class=3, seed=8)
    assert np.bincount(y_a.ravel()).tolist() == [3] * 10
    assert np.array_equal(x_a, x_b) and not np.array_equal(x_a, x_c)
    assert np.all(np.diff(x_a.ravel()) > 0)
    np.testing.assert_array_equal(y_a.ravel(), x_a.ravel() // 10)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"per_class": 11}, "class 0 has only 10 examples"),
        ({"per_class": 0}, "at least 1"),
    ],
)
def test_does_an_impossible_subset_explain_itself(kwargs, message):
    x = np.zeros((100, 2))
    y = np.repeat(np.arange(10), 10)
    with pytest.raises(ValueError, match=message):
        subset(x, y, **kwargs)


@pytest.fixture(scope="module")
def real_cifar10(cifar10_path):
    return load_cifar10(cifar10_path)


def test_does_the_real_copy_match_the_official_set(real_cifar10):
    (x_train, y_train), (x_test, y_test) = real_cifar10
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == (
        (50000, 32, 32, 3),
        (50000, 1),
        (10000, 32, 32, 3),
        (10000, 1),
    )
    assert x_train.dtype == y_train.dtype == np.uint8
    assert y_train[:5].ravel().tolist() == [6, 9, 9, 4, 1] and y_test[:4].ravel().tolist() == [3, 8, 8, 0]
    assert np.bincount(y_train.ravel()).tolist() == [5000] * 10
    means = (x_train / 255.0).mean(axis=(0, 1, 2))
    np.testing.assert_allclose(means, [0.4914, 0.4822, 0.4465], atol=5e-4)


def test_do_the_chapters_sample_indices_show_one_image_per_class(real_cifar10):
    from course_utils.reference import SAMPLE_TEST_INDICES

    _, (_, y_test) = real_cifar10
    assert y_test[list(SAMPLE_TEST_INDICES)].ravel().tolist() == list(range(data.NUM_CLASSES))
    assert len(data.CLASS_NAMES) == data.NUM_CLASSES
