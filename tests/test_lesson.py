"""The lesson's steps and the Keras 1 → Keras 3 pairs, as data; each modern line checked against Keras."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from core import data, keras_history, lesson
from core.presets import NOTEBOOK_CNN
from core.shapes import trace

ROOT = Path(__file__).resolve().parents[1]
ORDER = [
    "data",
    "one-hot",
    "dense-only",
    "normalise",
    "convolution",
    "relu",
    "pooling",
    "flatten",
    "softmax",
    "training",
    "draw",
]


def test_eleven_steps_in_the_notebooks_order():
    assert [s.id for s in lesson.STEPS] == ORDER
    assert [s.number for s in lesson.STEPS] == list(range(1, 12))
    assert (lesson.FIRST, lesson.LAST) == (1, 11)


@pytest.mark.parametrize("step", lesson.STEPS, ids=lambda s: s.id)
def test_each_step_is_complete_and_names_a_page_file(step):
    assert step.label and step.title and len(step.text) > 120
    assert (ROOT / step.page).is_file(), step.page  # tests/test_page_lesson.py opens each link


def test_step_texts_state_what_the_code_computes():
    """The numbers in the texts are the ones the data, the shape trace and the recipe give."""
    text = {s.id: s.text for s in lesson.STEPS}
    x_train = data.load_mnist().x_train
    assert f"**{x_train.shape}**" in text["data"] and f"**{(*x_train.shape, 1)}**" in text["data"]
    t = trace(NOTEBOOK_CNN)
    flatten = NOTEBOOK_CNN.first("Flatten")
    h, w, c = t.layers[flatten - 1].output_shape[1:]
    assert f"{c} · {h} · {w} = **{t.layers[flatten].output_shape[1]:,}**" in text["flatten"]
    dense = t.layers[flatten + 1].output_shape[1]
    assert f"**Dense** layer of {dense} units mixes all {h * w * c:,} numbers" in text["softmax"]
    batches = len(x_train) // 32
    assert (
        f"*epoch* ({batches:,} batches of 32)" in text["training"]
        and "**3 epochs**" in text["training"]
    )
    assert "standard deviation" in text["normalise"] and "divided by the mean" in text["normalise"]


@pytest.mark.parametrize(
    ("raw", "number", "noted"),
    [(None, 1, False), ("1", 1, False), ("4", 4, False), (" 11 ", 11, False), ("0", 1, True),
     ("12", 1, True), ("999", 1, True), ("abc", 1, True), ("-3", 1, True), ("4.0", 1, True),
     ("", 1, True), ("٣", 1, True), ("9" * 5000, 1, True), ("<script>", 1, True)],
)  # fmt: skip  # one row of cases per kind of value
def test_parse_step_falls_back_to_step_one_with_a_note(raw, number, noted):
    got, note = lesson.parse_step(raw)
    assert got == number
    assert (note is not None) == noted
    if note:
        assert len(note) < 160 and "steps 1 to 11" in note


def test_parse_present():
    assert all(lesson.parse_present(v) for v in ("1", "true", "Yes", "on"))
    assert not any(lesson.parse_present(v) for v in (None, "0", "", "no", "2"))


def test_pairs_belong_to_real_steps_and_parse_as_python():
    ids = [p.id for p in keras_history.PAIRS]
    assert len(ids) == len(set(ids))
    for pair in keras_history.PAIRS:
        assert pair.steps and all(lesson.FIRST <= n <= lesson.LAST for n in pair.steps)
        ast.parse(pair.old)
        ast.parse(pair.new)
        assert pair.why
    shown = {p.id for n in range(1, 12) for p in keras_history.pairs_for(n)}
    assert shown == set(ids)
    assert [p.id for p in keras_history.pairs_for(10)] == ["fit-epochs", "fit-generator"]
    assert keras_history.pairs_for(6) == ()


def test_the_notebooks_names_and_their_keras3_equivalents():
    """Keras 1 names gone; the modern lines do what the notebook meant."""
    import importlib

    import keras
    from keras import layers

    for gone in ("keras.utils.np_utils", "keras.layers.core"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(gone)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.ZeroPadding2D(1),
            layers.Conv2D(32, 3, activation="relu"),
        ]
    )
    assert model.output_shape == (None, 28, 28, 32)
    assert layers.Convolution2D(32, 3, 3).strides == (3, 3)  # the old call now means stride 3
    assert not hasattr(model, "fit_generator")
    assert keras.utils.to_categorical([5, 0], 10).tolist()[0] == [0] * 5 + [1] + [0] * 4
    norm = layers.Normalization(mean=33.32, variance=78.57**2)
    out = keras.ops.convert_to_numpy(norm(np.array([[0.0], [255.0]], np.float32))).ravel()
    np.testing.assert_allclose(out, [-0.424, 2.821], atol=1e-3)
