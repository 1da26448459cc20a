"""core/predict.py: probabilities from a direct call, honest confidence, the occlusion map."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from core import predict


def halves_model(softmax: bool = True) -> keras.Model:
    """Flatten + Dense with hand-set weights: class 0 counts ink in the left half, class 1 the right."""
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(10, "softmax" if softmax else None),
        ]
    )
    kernel = np.zeros((28, 28, 10), np.float32)
    kernel[:, :14, 0] = kernel[:, 14:, 1] = 0.0002
    model.layers[-1].set_weights([kernel.reshape(784, 10), np.zeros(10, np.float32)])
    return model


def two_blobs() -> np.ndarray:
    image = np.zeros((28, 28), np.uint8)
    image[8:20, 4:10] = 255  # left: evidence for 0
    image[8:20, 18:22] = 255  # right: evidence for 1, against 0
    return image


def test_probabilities_sum_to_one():
    x = two_blobs().astype(np.float32)[None, ..., None]
    p = predict.probabilities(halves_model(), x)
    assert p.shape == (1, 10) and p.sum() == pytest.approx(1.0) and p[0].argmax() == 0


def test_logits_get_a_softmax():
    x = two_blobs().astype(np.float32)[None, ..., None]
    with_softmax = predict.probabilities(halves_model(True), x)
    np.testing.assert_allclose(
        predict.probabilities(halves_model(False), x), with_softmax, rtol=1e-5
    )


def test_a_model_without_ten_outputs_is_refused():
    model = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    with pytest.raises(ValueError, match="10 outputs"):
        predict.probabilities(model, np.zeros((1, 28, 28, 1), np.float32))


def test_confident_guess():
    g = predict.assess(np.array([0.01, 0.02, 0.9, 0.07] + [0.0] * 6))
    assert (g.digit, g.runner_up, g.low, g.label) == (2, 3, False, "confident")
    assert g.margin == pytest.approx(0.83)


@pytest.mark.parametrize(
    ("probs", "reason"),
    [
        ([0.45, 0.3, 0.25], "only 45%"),
        ([0.65, 0.35, 0.0], None),
        ([0.55, 0.45, 0.0], "close second"),
    ],
)
def test_low_confidence_says_why(probs, reason):
    g = predict.assess(np.array(probs + [0.0] * 7), threshold=0.5)
    assert g.low is (reason is not None)
    if reason:
        assert any(reason in r for r in g.reasons)


def test_input_warnings_make_any_guess_low_confidence():
    g = predict.assess(np.array([0.99] + [0.001] * 9), ("a scribble",))
    assert g.low and g.reasons == ("a scribble",)


def test_occlusion_finds_evidence_for_and_against():
    image = two_blobs()
    occ = predict.occlusion(halves_model(), image, digit=0)
    assert occ.digit == 0 and 0.5 < occ.base < 1
    assert occ.drop[8:20, 4:10].mean() > 0.01  # hiding the left blob lowers P(0)
    assert occ.drop[8:20, 18:22].mean() < -0.01  # hiding the right blob raises it
    assert occ.drop[:, :2].max() <= occ.drop[8:20, 4:10].max()
    np.testing.assert_array_equal(occ.drop[24:], 0)  # blank background: no change


def test_occlusion_only_evaluates_squares_touching_ink():
    image = np.zeros((28, 28), np.uint8)
    image[13:15, 13:15] = 255
    occ = predict.occlusion(halves_model(), image, digit=1)
    # squares of 6 at stride 2 touching rows/cols 13..14: corners 8, 10, 12, 14 on each axis
    assert occ.patches == 16 and occ.drop.shape == (28, 28) and occ.drop.dtype == np.float32


def test_occlusion_in_small_batches_gives_the_same_map(monkeypatch: pytest.MonkeyPatch):
    image, model = two_blobs(), halves_model()
    whole = predict.occlusion(model, image, digit=0)
    sizes = []

    def seven(values: int, cap: int) -> int:
        sizes.append(cap)
        return 7

    monkeypatch.setattr(predict, "batch_limit", seven)  # as for a model with huge layers
    pieces = predict.occlusion(model, image, digit=0)
    assert sizes == [whole.patches + 1] and pieces.patches == whole.patches > 7
    np.testing.assert_allclose(pieces.drop, whole.drop, atol=1e-6)
    assert pieces.base == pytest.approx(whole.base)
