"""The shipped pretrained model: loads safely, is the notebook's CNN, and reads canvas-drawn MNIST."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core import digits, predict
from core.architecture import Architecture
from core.data import load_mnist, random_indices
from core.presets import NOTEBOOK_CNN


@pytest.fixture(scope="module")
def shipped() -> predict.Pretrained:
    return predict.load_pretrained()


def test_it_is_the_notebook_cnn_in_safe_mode(shipped):
    assert shipped.built.arch == NOTEBOOK_CNN
    assert Architecture.from_url(shipped.meta["architecture"]) == NOTEBOOK_CNN
    assert [type(layer).__name__ for layer in shipped.built.model.layers] == [
        s.kind for s in NOTEBOOK_CNN.layers
    ]
    assert shipped.built.model.count_params() == 1_676_266


def test_its_record_meets_the_target(shipped):
    meta = json.loads(predict.MODEL_PATH.with_suffix(".json").read_text())
    assert meta["test_accuracy"] >= 0.992 and meta["train_examples"] == 60_000
    assert {"epochs", "seed", "date", "command"} <= meta.keys()
    assert predict.MODEL_PATH.stat().st_size < 10_000_000


def as_canvas(image: np.ndarray, transparent: bool) -> np.ndarray:
    """A 28x28 MNIST digit drawn back on a 280x280 canvas: white ink on black (or transparent)."""
    big = np.kron(image, np.ones((10, 10), np.uint8))
    rgba = np.empty((280, 280, 4), np.uint8)
    rgba[..., :3] = 255 if transparent else big[..., None]
    rgba[..., 3] = big if transparent else 255
    return rgba


def test_classifies_canvas_rendered_test_digits(shipped):
    mnist = load_mnist()
    idx = random_indices(len(mnist.y_test), 1000, seed=5)
    images = np.stack(
        [
            digits.from_canvas(as_canvas(mnist.x_test[i], transparent=n % 2 == 1)).image
            for n, i in enumerate(idx)
        ]
    )
    x = images.astype(np.float32)[..., None]
    guesses = np.concatenate(
        [predict.probabilities(shipped.built.model, x[s : s + 250]) for s in range(0, 1000, 250)]
    )
    accuracy = float((guesses.argmax(axis=1) == mnist.y_test[idx]).mean())
    assert accuracy >= 0.99, f"{accuracy:.1%} of 1,000 canvas-rendered test digits"
