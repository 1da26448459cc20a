"""core.ablation against Keras: filters switched off by a mask are the filters' weights zeroed.

The oracle is Keras itself: a clone of the model with the chosen filters' kernel and bias set to
zero. The shipped pretrained model is only ever read: its weights stay byte-identical.
"""

from __future__ import annotations

import hashlib

import keras
import numpy as np
import pytest

from core import ablation
from core.data import load_mnist
from core.evaluation import confusion_matrix, per_class_accuracy
from core.keras_model import build_model
from core.predict import load_pretrained
from core.presets import WORKSHOP_CNN

CONVS = (2, 4, 7, 9)  # the notebook CNN's Conv2D layers


@pytest.fixture(scope="module")
def pretrained():
    return load_pretrained().built.model


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    m = load_mnist()
    return m.x_test[:64], m.y_test[:64]


def weights_digest(model) -> str:
    h = hashlib.sha256()
    for w in model.get_weights():
        h.update(np.ascontiguousarray(w).tobytes())
    return h.hexdigest()


def zeroed_clone(model, index: int, off) -> keras.Model:
    """The Keras oracle: a clone with filters ``off`` of layer ``index`` (kernel and bias) at zero."""
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    kernel, bias = (np.array(w) for w in clone.layers[index].get_weights())
    kernel[..., list(off)] = 0.0
    bias[list(off)] = 0.0
    clone.layers[index].set_weights([kernel, bias])
    return clone


def keras_outputs(model, images: np.ndarray) -> np.ndarray:
    x = images.astype(np.float32)[..., np.newaxis]
    return np.asarray(model(x, training=False))


def test_switching_off_nothing_changes_nothing(pretrained, digits) -> None:
    images, _ = digits
    plain = keras_outputs(pretrained, images)
    np.testing.assert_array_equal(ablation.masked_outputs(pretrained, images), plain)
    for index in (2, 9):
        mask = ablation.filter_mask(pretrained.layers[index].filters, [])
        assert (mask == 1).all()
        masked = ablation.masked_outputs(pretrained, images, index, mask, batch=len(images))
        np.testing.assert_array_equal(masked, plain)


@pytest.mark.parametrize("index", CONVS)
def test_every_filter_off_is_keras_with_the_layers_kernel_and_bias_zeroed(
    pretrained, digits, index
) -> None:
    images, _ = digits
    n = pretrained.layers[index].filters
    expected = keras_outputs(zeroed_clone(pretrained, index, range(n)), images)
    mask = ablation.filter_mask(n, range(n))
    got = ablation.masked_outputs(pretrained, images, index, mask, batch=len(images))
    np.testing.assert_array_equal(got, expected)
    assert np.ptp(got, axis=0).max() < 1e-6  # nothing gets through: one answer for every digit


def test_some_filters_off_is_keras_with_those_filters_zeroed(pretrained, digits) -> None:
    images, _ = digits
    off = [0, 5, 17, 31]
    expected = keras_outputs(zeroed_clone(pretrained, 4, off), images)
    mask = ablation.filter_mask(32, off)
    got = ablation.masked_outputs(pretrained, images, 4, mask, batch=len(images))
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert not np.allclose(got, keras_outputs(pretrained, images), atol=1e-3)  # it did change


def test_the_shared_pretrained_model_is_never_written(pretrained, digits) -> None:
    images, labels = digits
    before = weights_digest(pretrained)
    n_weights = len(pretrained.weights)
    for index in CONVS:
        n = pretrained.layers[index].filters
        ablation.masked_outputs(pretrained, images, index, ablation.filter_mask(n, range(0, n, 2)))
    assert weights_digest(pretrained) == before
    assert len(pretrained.weights) == n_weights
    # and it still reads digits as it did
    said = keras_outputs(pretrained, images).argmax(axis=1)
    assert (said == labels).mean() > 0.95


def test_batches_and_progress() -> None:
    model = build_model(WORKSHOP_CNN, seed=0).model
    images = load_mnist().x_test[:23]
    seen = []
    mask = ablation.filter_mask(16, [1, 2])
    whole = ablation.masked_outputs(model, images, 1, mask, batch=100)
    parts = ablation.masked_outputs(
        model, images, 1, mask, batch=5, progress=lambda d, t: seen.append((d, t))
    )
    np.testing.assert_allclose(parts, whole, atol=1e-6)
    assert seen == [(5, 23), (10, 23), (15, 23), (20, 23), (23, 23)]
    assert ablation.masked_outputs(model, images[:0]).shape == (0, 10)
    one = ablation.masked_outputs(model, images[:1], 1, mask)  # a direct call, not predict
    np.testing.assert_allclose(one, whole[:1], atol=1e-6)


def test_accuracy_change_against_the_confusion_matrix() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 10, 500)
    before = np.eye(10)[np.where(rng.random(500) < 0.9, labels, rng.integers(0, 10, 500))]
    after = np.eye(10)[np.where(labels == 3, 5, np.argmax(before, axis=1))]  # every 3 now a 5
    change = ablation.compare(before, after, labels)
    expected = per_class_accuracy(confusion_matrix(labels, after.argmax(axis=1)))
    np.testing.assert_allclose(change.per_class_after, expected)
    assert change.after == pytest.approx((after.argmax(axis=1) == labels).mean())
    assert change.hurt_most()[0][0] == 3 and change.per_class_after[3] == 0.0
    assert change.drop == pytest.approx(change.before - change.after)
    assert change.counts.sum() == 500 and change.one_answer is None


def test_choosing_filters_and_bad_input() -> None:
    assert ablation.switched_off(4, [2, 0, 2], all_but=False) == (0, 2)
    assert ablation.switched_off(4, [], all_but=True) == (0, 1, 2, 3)
    with pytest.raises(ValueError, match="filters 0 to 3; received \\[4\\]"):
        ablation.filter_mask(4, [4])
    model = build_model(WORKSHOP_CNN, seed=0).model
    images = np.zeros((2, 28, 28), np.uint8)
    with pytest.raises(ValueError, match="not a Conv2D"):
        ablation.masked_outputs(model, images, 2, np.ones(16))  # layer 2 is a MaxPooling2D
    with pytest.raises(ValueError, match="has 16 filters"):
        ablation.masked_outputs(model, images, 1, np.ones(8))
    with pytest.raises(ValueError, match="not 10 digit scores"):
        ablation.as_probabilities(np.ones((2, 5)))
    logits = np.array([[2.0, -1.0] + [0.0] * 8])
    np.testing.assert_allclose(ablation.as_probabilities(logits).sum(axis=1), 1.0)
