"""core.training.keras_fixes: each fix fails a test here if Keras changes under it."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from core.keras_model import build_model
from core.training import TrainSettings
from core.training.keras_fixes import HOOK, no_single_replica_all_reduce
from tests.helpers_training import TINY

RNG = np.random.default_rng(0)
X = RNG.integers(0, 256, (64, 28, 28, 1)).astype(np.uint8)
Y = RNG.integers(0, 10, 64).astype(np.uint8)


def is_fix(function) -> bool:
    return getattr(function, "single_replica_fix", False) is True


@pytest.mark.parametrize("make", [keras.optimizers.SGD, keras.optimizers.Adam])
def test_keras_optimizers_still_have_the_all_reduce_hook(make):
    """If Keras renames or drops the hook, the fix silently does nothing: fail instead."""
    optimizer = make()
    assert callable(getattr(optimizer, HOOK, None)), f"Keras {keras.__version__} has no {HOOK}"
    assert not is_fix(getattr(optimizer, HOOK))


@pytest.mark.parametrize("settings", [TrainSettings("sgd", momentum=0.9), TrainSettings("adam")])
def test_the_app_makes_its_optimizers_with_the_fix(settings):
    optimizer = settings.make_optimizer()
    assert is_fix(getattr(optimizer, HOOK))
    assert float(optimizer.learning_rate) == pytest.approx(settings.learning_rate)


def test_the_fix_passes_gradients_through_with_one_replica():
    optimizer = no_single_replica_all_reduce(keras.optimizers.SGD())
    pairs = iter([("g1", "v1"), (None, "v2")])
    assert getattr(optimizer, HOOK)(pairs) == [("g1", "v1"), (None, "v2")]


def fit(optimizer: keras.optimizers.Optimizer) -> list[np.ndarray]:
    model = build_model(TINY, seed=0).model
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    return model.get_weights()


@pytest.mark.slow
def test_keras_calls_the_patched_hook_and_learns_the_same():
    """Keras must still call the hook by that name when it applies gradients (else the leak is
    back), and training with the fix must give the same weights as without it."""
    optimizer = no_single_replica_all_reduce(keras.optimizers.SGD(learning_rate=0.05))
    patched, calls = getattr(optimizer, HOOK), []

    def spy(grads_and_vars):
        calls.append(1)
        return patched(grads_and_vars)

    setattr(optimizer, HOOK, spy)
    with_fix = fit(optimizer)
    assert calls, "Keras no longer calls the optimizer's all-reduce hook"
    without = fit(keras.optimizers.SGD(learning_rate=0.05))
    assert len(with_fix) == len(without)
    for a, b in zip(with_fix, without, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert not np.allclose(with_fix[-2], build_model(TINY, seed=0).model.get_weights()[-2])
