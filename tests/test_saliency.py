"""What it looked at: the gradient map against NumPy and finite differences, Draw's occlusion reused, the figure."""

from __future__ import annotations

import keras
import numpy as np
import plotly.graph_objects as go
import pytest
from keras import layers

from core import predict, saliency
from core.figures.saliency import saliency_figure
from core.figures.style import DIVERGING, GREYS
from core.maths import softmax


def _image(seed: int = 0) -> np.ndarray:
    """A 28×28 uint8 'digit': a bright blob with some noise, so that every pixel matters a little."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[:28, :28]
    blob = 255 * np.exp(-((rows - 14) ** 2 + (cols - 12) ** 2) / 40.0)
    return np.clip(blob + rng.uniform(0, 30, (28, 28)), 0, 255).astype(np.uint8)


def _linear(activation: str | None, seed: int = 1) -> keras.Model:
    """Flatten then Dense(10): small random weights so that no probability saturates."""
    model = keras.Sequential(
        [keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(10, activation=activation)]
    )
    rng = np.random.default_rng(seed)
    w, b = rng.normal(0, 0.002, (784, 10)), rng.normal(0, 0.1, 10)
    model.layers[-1].set_weights([w.astype(np.float32), b.astype(np.float32)])
    return model


@pytest.mark.parametrize("activation", ["softmax", None], ids=["softmax", "scores"])
def test_gradient_of_a_linear_softmax_model_matches_numpy(activation):
    model, image = _linear(activation), _image()
    w, b = (np.asarray(v, np.float64) for v in model.layers[-1].get_weights())
    x = image.astype(np.float64).ravel()
    p = softmax(x @ w + b)
    for digit in (int(p.argmax()), 3):
        expected = p[digit] * (w[:, digit] - w @ p)  # d softmax(z)_c / dx for z = x W + b
        got = saliency.gradient_map(model, image, digit)
        assert got.digit == digit and got.probability == pytest.approx(p[digit], rel=1e-4)
        np.testing.assert_allclose(
            got.grad.ravel(), expected, rtol=2e-3, atol=1e-3 * np.abs(expected).max()
        )


def _tiny_cnn() -> keras.Model:
    """A small CNN in float64, so that finite differences are exact enough to compare with."""
    keras.utils.set_random_seed(3)
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Rescaling(1 / 255, dtype="float64"),
            layers.Conv2D(4, 3, activation="tanh", dtype="float64"),
            layers.MaxPooling2D(dtype="float64"),
            layers.Flatten(dtype="float64"),
            layers.Dense(10, activation="softmax", dtype="float64"),
        ]
    )


def test_gradient_of_a_small_cnn_matches_central_differences():
    model, image = _tiny_cnn(), _image(2)
    got = saliency.gradient_map(model, image)
    assert got.digit == int(
        predict.probabilities(model, image[None, ..., None].astype(np.float32))[0].argmax()
    )
    x = image.astype(np.float64)[None, ..., None]
    h = 0.125  # pixels ± 1/8: exact in the float32 input, too small to switch a pooling window
    strongest = np.argsort(-np.abs(got.grad).ravel())[:8]
    for flat in strongest:
        r, c = divmod(int(flat), 28)
        up, down = x.copy(), x.copy()
        up[0, r, c, 0] += h
        down[0, r, c, 0] -= h
        p_up = float(np.asarray(model(up, training=False))[0, got.digit])
        p_down = float(np.asarray(model(down, training=False))[0, got.digit])
        assert got.grad[r, c] == pytest.approx((p_up - p_down) / (2 * h), rel=1e-3, abs=1e-9)


def test_the_model_is_only_read_and_bad_models_are_refused():
    model, image = _linear("softmax"), _image()
    before = [w.copy() for w in model.get_weights()]
    saliency.explain(model, image)
    for old, new in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)
    five = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(5)])
    with pytest.raises(ValueError, match="needs 10 outputs"):
        saliency.gradient_map(five, image)
    with pytest.raises(ValueError, match="needs 10 outputs"):
        saliency.explain(five, image)


def test_explain_reuses_draws_occlusion_map_and_orders_the_guesses():
    model, image = _tiny_cnn(), _image(4)
    why = saliency.explain(model, image)
    probs = predict.probabilities(model, image[None, ..., None].astype(np.float32))[0]
    np.testing.assert_allclose(why.probs, probs)
    order = np.argsort(-probs)
    assert (why.top, why.second) == (int(order[0]), int(order[1]))
    expected = predict.occlusion(model, image, why.top)
    np.testing.assert_array_equal(why.occlusion.drop, expected.drop)
    assert (why.occlusion.digit, why.occlusion.patches) == (why.top, expected.patches)
    assert why.gradient.digit == why.top


def test_a_blank_image_gives_an_empty_occlusion_map_and_a_finite_gradient():
    model = _tiny_cnn()
    why = saliency.explain(model, np.zeros((28, 28), np.uint8))
    assert why.occlusion.patches == 0 and not why.occlusion.drop.any()
    assert np.isfinite(why.gradient.grad).all() and why.gradient.grad.shape == (28, 28)


def test_mistake_cells_lists_the_off_diagonal_counts_largest_first():
    cm = np.diag([50] * 10)
    assert saliency.mistake_cells(cm) == []  # every digit right: nothing to explain
    cm[4, 9], cm[7, 2], cm[3, 5] = 2, 7, 2
    assert saliency.mistake_cells(cm) == [(7, 2, 7), (3, 5, 2), (4, 9, 2)]


def test_the_figure_shows_the_digit_in_greys_and_both_maps_on_a_centred_diverging_scale():
    image = _image()
    drop = np.linspace(-0.1, 0.3, 784).reshape(28, 28)
    grad = np.linspace(-2e-3, 1e-3, 784).reshape(28, 28)
    fig = saliency_figure(image, drop, grad, (9, 0.62), (4, 0.3), title="Test #115, a 4: ")
    digit, occ, gradient = (t for t in fig.data if t.type == "heatmap")
    np.testing.assert_array_equal(np.asarray(digit.z), image)
    assert digit.colorscale == go.Heatmap(colorscale=GREYS).colorscale
    diverging = go.Heatmap(colorscale=DIVERGING).colorscale
    for trace, values in ((occ, drop), (gradient, grad * 255)):
        np.testing.assert_allclose(np.asarray(trace.z), values)
        assert trace.colorscale == diverging
        assert trace.zmin == -trace.zmax == pytest.approx(-np.abs(values).max())
    assert occ.colorbar.title.text == "drop in P(9)"
    assert gradient.colorbar.title.text == "∂P(9)/∂pixel"
    assert fig.layout.title.text == "Test #115, a 4: read as 9 (62%), then 4 (30%)"
    assert fig.layout.showlegend is False  # the outlines are not data
    panels = [a.text for a in fig.layout.annotations]
    assert panels == ["The digit", "Hiding: P(9) drops", "Gradient of P(9)"]
    outlines = [t for t in fig.data if t.type == "contour"]
    assert [(t.xaxis, t.contours.start) for t in outlines] == [("x2", 96), ("x3", 96)]
