"""ui.resources: MNIST read once in the background, taken by mnist() and train_pixel_counts()."""

from __future__ import annotations

import numpy as np
import pytest

from core import data
from core.figures.mnist import pixel_value_counts
from ui import resources


@pytest.fixture
def fresh(monkeypatch):
    """No preload yet and empty caches; the caches are emptied again afterwards."""
    monkeypatch.setattr(resources, "_early", None)
    resources.mnist.clear()
    resources.train_pixel_counts.clear()
    yield
    resources.mnist.clear()
    resources.train_pixel_counts.clear()


def test_preload_reads_once_and_the_caches_take_its_result(fresh):
    resources.preload()
    early = resources._early
    resources.preload()  # once per process
    assert resources._early is early
    m = resources.mnist()
    assert m is early.mnist.result(timeout=60)
    counts = resources.train_pixel_counts()
    assert counts is early.counts.result(timeout=60)
    assert np.array_equal(counts, pixel_value_counts(m.x_train))
    assert counts.sum() == m.x_train.size and not counts.flags.writeable


def test_without_preload_the_caches_read_the_file_themselves(fresh):
    m = resources.mnist()
    assert resources._early is None
    assert np.array_equal(resources.train_pixel_counts(), pixel_value_counts(m.x_train))


def test_a_failed_preload_is_reported_by_mnist_and_not_kept(fresh, tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DATA_PATH", tmp_path / "missing.npz")
    resources.preload()
    with pytest.raises(FileNotFoundError, match="build_mnist.py"):
        resources.mnist()
    (tmp_path / "x.npz").write_bytes(b"not a zip file")
    monkeypatch.setattr(data, "DATA_PATH", tmp_path / "x.npz")
    with pytest.raises(ValueError, match="not a valid MNIST"):
        resources.mnist()  # another file than the preload's: read afresh, error not cached
    monkeypatch.undo()
    assert resources.mnist().x_train.shape == (60_000, 28, 28)  # the real file, read again
