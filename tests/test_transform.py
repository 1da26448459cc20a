"""core/transform.py against independent NumPy computations, and its words against the pretrained model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from core import transform as tf
from core import transform_text as text
from core.data import load_mnist
from core.pixels import centre_of_mass, ink_box

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


@pytest.fixture(scope="module")
def digit(mnist) -> np.ndarray:
    """The first test digit with at least 4 empty pixels on every side."""
    for image in mnist.x_test:
        top, bottom, left, right = ink_box(image, 0)
        if min(top, left, 28 - bottom, 28 - right) >= 4:
            return image
    raise AssertionError("no MNIST test digit has a 4-pixel empty border")


def max_filter(image: np.ndarray, grow: bool = True) -> np.ndarray:
    """A 3x3 max (or min) filter over a zero-padded image, by sliding windows."""
    windows = sliding_window_view(np.pad(image, 1), (3, 3))
    return (windows.max if grow else windows.min)(axis=(-2, -1))


@pytest.mark.parametrize(("dx", "dy"), [(1, 0), (0, 1), (-3, 2), (4, -4), (-4, -4), (2, 3)])
def test_a_whole_pixel_shift_is_a_roll_of_a_digit_with_an_empty_border(digit, dx, dy):
    expected = np.roll(np.roll(digit, dy, axis=0), dx, axis=1)
    np.testing.assert_array_equal(tf.shift(digit, dx, dy), expected)


def test_what_is_shifted_out_of_the_field_is_lost(digit):
    expected = np.zeros_like(digit)
    expected[:, 10:] = digit[:, :-10]
    np.testing.assert_array_equal(tf.shift(digit, 10), expected)
    assert not tf.shift(digit, 30, -30).any()


def test_a_half_pixel_shift_averages_the_two_neighbours(digit):
    halfway = (digit.astype(float) + np.roll(digit, 1, axis=1)) / 2
    assert np.abs(tf.shift(digit, 0.5).astype(int) - halfway).max() <= 0.5


@pytest.mark.parametrize("about", ["mass", "centre"])
def test_settings_that_change_nothing_are_the_identity(digit, about):
    for moved in (
        tf.rotate(digit, 0, about),
        tf.rotate(digit, 360, about),
        tf.scale(digit, 1, about),
        tf.thicken(digit, 0),
        tf.add_noise(digit, 0),
        tf.shift(digit, 0, 0),
        tf.apply(digit, tf.Settings(about=about)),
    ):
        np.testing.assert_array_equal(moved, digit)
        assert moved.dtype == np.uint8 and moved.shape == (28, 28)
    assert tf.Settings().identity and not tf.Settings(rotate=1).identity


def test_floats_in_zero_to_one_are_brightness(digit):
    np.testing.assert_array_equal(tf.shift(digit / 255.0, 0), digit)


@pytest.mark.parametrize(("degrees", "k"), [(90, 1), (-90, -1), (180, 2), (270, 3)])
def test_a_quarter_turn_about_the_centre_is_rot90(digit, degrees, k):
    np.testing.assert_array_equal(tf.rotate(digit, degrees, "centre"), np.rot90(digit, k))


def rolled(image: np.ndarray, dy: float, dx: float) -> np.ndarray:
    """``image`` shifted by a fraction of a pixel: a weighted sum of the four nearest whole rolls."""
    iy, ix = int(np.floor(dy)), int(np.floor(dx))
    fy, fx = dy - iy, dx - ix
    out = np.zeros(image.shape)
    for ay, wy in ((0, 1 - fy), (1, fy)):
        for ax, wx in ((0, 1 - fx), (1, fx)):
            out += wy * wx * np.roll(image.astype(float), (iy + ay, ix + ax), axis=(0, 1))
    return out


def test_a_quarter_turn_about_the_centre_of_mass_is_rot90_moved_back(digit):
    cy, cx = centre_of_mass(digit)
    # rot90 turns about (13.5, 13.5), taking the centre of mass to (27 - cx, cy): move it back.
    expected = rolled(np.rot90(digit, 1), cy - (27 - cx), cx - cy)
    assert np.abs(tf.rotate(digit, 90).astype(int) - expected).max() <= 0.5 + 1e-9


def test_scaling_a_square_about_the_centre():
    square = np.zeros((28, 28), np.uint8)
    square[12:16, 12:16] = 255  # 4x4, centred on (13.5, 13.5)
    big = tf.scale(square, 2, "centre")
    assert ink_box(big, 100) == (10, 18, 10, 18)  # 8x8 around the same centre (edges grey)
    assert ink_box(tf.scale(square, 0.5, "centre"), 100) == (13, 15, 13, 15)


def test_thickening_by_one_is_a_3x3_max_filter(digit):
    np.testing.assert_array_equal(tf.thicken(digit, 1), max_filter(digit))
    np.testing.assert_array_equal(tf.thicken(digit, 2), max_filter(max_filter(digit)))
    np.testing.assert_array_equal(tf.thicken(digit, -1), max_filter(digit, grow=False))
    halfway = (digit.astype(float) + max_filter(digit)) / 2
    assert np.abs(tf.thicken(digit, 0.5).astype(int) - halfway).max() <= 0.5


def test_noise_is_seeded_and_clipped(digit):
    noisy = tf.add_noise(digit, 0.3, seed=7)
    rng = np.random.default_rng(7)
    expected = np.clip(np.rint(digit + rng.standard_normal((28, 28)) * 0.3 * 255), 0, 255)
    np.testing.assert_array_equal(noisy, expected)
    np.testing.assert_array_equal(noisy, tf.add_noise(digit, 0.3, seed=7))
    assert not np.array_equal(noisy, tf.add_noise(digit, 0.3, seed=8))
    assert (noisy == 0).any() and (noisy == 255).any()  # clipped at both ends


def test_extreme_values_give_an_honest_image_never_an_exception(digit):
    np.testing.assert_array_equal(tf.thicken(digit, 1000), tf.thicken(digit, tf.MAX_THICKNESS))
    assert tf.thicken(digit, 1000).all()  # the whole field is ink
    assert not tf.thicken(digit, -1000).any()  # and none is left
    assert not tf.scale(digit, 0).any() or tf.scale(digit, 0).sum() < digit.sum()
    assert tf.scale(digit, 1e9).dtype == np.uint8
    assert tf.rotate(digit, 1e6).shape == (28, 28)
    assert tf.add_noise(digit, 100).dtype == np.uint8
    settings = tf.Settings(8, -8, 45, 1.4, 2, 0.5)
    assert tf.apply(digit, settings).shape == (28, 28)


def test_an_empty_image_stays_empty(digit):
    empty = np.zeros((28, 28), np.uint8)
    for kind, knob in tf.KNOBS.items():
        if kind != "noise":
            assert not tf.sweep(empty, kind, knob.values()).any()
    assert tf.add_noise(empty, 0.2).any()  # noise on black is still noise


@pytest.mark.parametrize(
    "bad", [np.zeros((28, 28, 1)), np.zeros((0, 28)), np.full((28, 28), np.nan), "a picture"]
)
def test_bad_images_are_refused_with_a_message(bad):
    with pytest.raises(ValueError, match="expected"):
        tf.apply(bad)


def test_bad_settings_are_refused_with_a_message(digit):
    with pytest.raises(ValueError, match="about"):
        tf.rotate(digit, 10, about="corner")
    with pytest.raises(ValueError, match="finite"):
        tf.apply(digit, tf.Settings(rotate=float("nan")))
    with pytest.raises(ValueError, match="unknown transform"):
        tf.sweep(digit, "flip", [1])


@pytest.mark.parametrize("kind", tf.KINDS)
def test_a_sweep_is_each_value_on_its_own(digit, kind):
    values = [*tf.KNOBS[kind].values(), 3.3]
    batch = tf.sweep(digit, kind, values)
    assert batch.shape == (len(values), 28, 28) and batch.dtype == np.uint8
    for row, value in zip(batch, values, strict=True):
        np.testing.assert_array_equal(row, tf.apply(digit, tf.Settings(**{kind: value})))
    assert tf.sweep(digit, kind, []).shape == (0, 28, 28)


def test_sweep_all_covers_every_knob_in_order(digit):
    batch, rows = tf.sweep_all(digit)
    assert rows == tf.sweep_rows() and list(rows) == list(tf.KINDS)
    assert len(batch) == sum(len(k.values()) for k in tf.KNOBS.values()) == rows["noise"].stop
    for kind, knob in tf.KNOBS.items():
        np.testing.assert_array_equal(batch[rows[kind]], tf.sweep(digit, kind, knob.values()))


def test_the_knobs_span_the_issue_s_ranges():
    spans = {k: (v.lo, v.hi) for k, v in tf.KNOBS.items()}
    assert spans["shift_x"] == spans["shift_y"] == (-8, 8)
    assert (spans["rotate"], spans["scale"], spans["thickness"]) == ((-45, 45), (0.6, 1.4), (-2, 2))
    for knob in tf.KNOBS.values():
        values = knob.values()
        assert values[0] == knob.lo and values[-1] == knob.hi and knob.identity in values


def test_the_rotation_the_pretrained_model_saw_comes_from_its_record():
    meta = json.loads((ROOT / "models" / "pretrained.json").read_text())
    degrees = text.trained_rotation(meta)
    assert degrees is not None and f"±{degrees:g}°" in meta["augmentation"]
    assert f"±{degrees:g}°" in text.why(degrees)
    assert "does not say" in text.why(None)


def test_holding_and_random_guessing():
    values = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    assert text.holds_up_to(values, np.array([0.9, 0.9, 0.9, 0.9, 0.9]), 0.9) == 2.0
    assert text.holds_up_to(values, np.array([0.9, 0.5, 0.9, 0.9, 0.9]), 0.9) == 0.0
    assert text.guesses_at_random(True, 0.11) and not text.guesses_at_random(True, None)


def test_warnings_say_what_happened_to_the_digit(digit):
    assert text.warnings(digit) == ()
    assert "Nothing is left" in text.warnings(tf.thicken(digit, -14))[0]
    right = ink_box(digit)[3]
    assert any("edge" in w for w in text.warnings(tf.shift(digit, 30 - right)))  # 2 px cut off
    assert any("more ink" in w for w in text.warnings(tf.thicken(digit, 6)))


def test_the_sentence_is_true_of_the_pretrained_model(mnist):
    """Small shifts barely move it; ±12° (what it saw) neither; ±45° often does."""
    from core import predict

    model = predict.load_pretrained().built.model
    rows, picks = tf.sweep_rows(), np.random.default_rng(0).choice(10_000, 40, replace=False)
    p = np.stack(
        [
            predict.probabilities(model, tf.sweep_all(mnist.x_test[i])[0][..., None] * 1.0)[
                :, mnist.y_test[i]
            ]
            for i in picks
        ]
    )
    values = {k: tf.KNOBS[k].values() for k in rows}
    start = p[:, rows["rotate"]][:, values["rotate"] == 0][:, 0]

    def drop(kind, keep):
        return (start[:, None] - p[:, rows[kind]][:, keep(values[kind])]).max(axis=1)

    small = np.maximum(
        drop("shift_x", lambda v: abs(v) <= 2), drop("shift_y", lambda v: abs(v) <= 2)
    )
    seen = drop("rotate", lambda v: abs(v) <= 12)
    large = drop("rotate", lambda v: abs(v) == 45)
    assert np.median(small) < 0.01 and np.mean(small < 0.05) >= 0.9
    assert np.median(seen) < 0.01
    assert np.mean(large) > 5 * np.mean(small) and np.mean(large > 0.1) >= 0.3
