"""core/digits.py: canvas and upload -> MNIST's 28x28 format, on hand-made cases and MNIST itself."""

from __future__ import annotations

import numpy as np
import pytest

from core import digits, pixels, uploads
from core.data import load_mnist, random_indices
from core.layers import MNIST_MEAN, MNIST_STD
from tests.test_uploads import digit_on_paper, png_bytes


def canvas(shape: tuple[int, int] = (280, 280), transparent: bool = False) -> np.ndarray:
    """An empty canvas image: opaque black, or fully transparent."""
    rgba = np.zeros((*shape, 4), np.uint8)
    if not transparent:
        rgba[..., 3] = 255
    return rgba


def ink(rgba: np.ndarray, rows: slice, cols: slice) -> np.ndarray:
    """Paint white, opaque ink."""
    rgba[rows, cols] = 255
    return rgba


def ink_bbox(image: np.ndarray) -> tuple[int, int]:
    top, bottom, left, right = pixels.ink_box(image, level=0)
    return bottom - top, right - left


# --- canvas -> 28x28 ------------------------------------------------------------------------------


def test_centred_square_stays_centred():
    steps = digits.from_canvas(ink(canvas(), slice(90, 190), slice(90, 190)))
    assert steps.ok and steps.cropped.shape == (100, 100) and steps.scaled.shape == (20, 20)
    expected = np.zeros((28, 28), np.uint8)
    expected[4:24, 4:24] = 255
    np.testing.assert_array_equal(steps.image, expected)


@pytest.mark.parametrize("centre", [True, False])
def test_off_centre_stroke_is_centred(centre):
    # An "L" in the top-left corner: heavy bottom bar, so centre of mass != bounding-box centre.
    rgba = ink(canvas(), slice(10, 130), slice(10, 30))
    ink(rgba, slice(110, 130), slice(10, 110))
    steps = digits.from_canvas(rgba, centre=centre)
    cy, cx = pixels.centre_of_mass(steps.image)
    top, bottom, left, right = pixels.ink_box(steps.image, level=0)
    if centre:  # MNIST's way: centre of mass within half a pixel of (14, 14)
        assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
    else:  # bounding box centred, so the centre of mass is off (down and left here)
        assert (top + bottom) / 2 == pytest.approx(14, abs=0.5)
        assert (left + right) / 2 == pytest.approx(14, abs=0.5)
        assert cy - 14 > 1 and 14 - cx > 1


def test_centring_moves_the_digit():
    rgba = ink(canvas(), slice(10, 130), slice(10, 30))
    ink(rgba, slice(110, 130), slice(10, 110))
    by_mass, by_box = digits.from_canvas(rgba, True), digits.from_canvas(rgba, False)
    assert by_mass.offset != by_box.offset
    np.testing.assert_array_equal(by_mass.scaled, by_box.scaled)


@pytest.mark.parametrize(
    ("rows", "cols", "expected"),
    [((40, 240), (130, 170), (20, 4)), ((130, 150), (20, 260), (2, 20))],
)
def test_aspect_ratio_is_kept(rows, cols, expected):
    steps = digits.from_canvas(ink(canvas(), slice(*rows), slice(*cols)))
    assert steps.scaled.shape == expected
    assert ink_bbox(steps.image) == expected  # a tall thin bar stays tall and thin


def test_transparent_and_opaque_canvases_agree():
    opaque = digits.from_canvas(ink(canvas(), slice(50, 200), slice(100, 140)))
    clear = digits.from_canvas(ink(canvas(transparent=True), slice(50, 200), slice(100, 140)))
    np.testing.assert_array_equal(opaque.image, clear.image)


def test_alpha_and_luminance_combine():
    rgba = canvas(transparent=True)
    rgba[0, 0] = (255, 255, 255, 128)  # half-covered white ink
    rgba[0, 1] = (255, 0, 0, 255)  # opaque red
    assert digits.canvas_to_grey(rgba)[0, :2].tolist() == [128, 76]


@pytest.mark.parametrize("rgba", [None, canvas(), canvas(transparent=True)])
def test_empty_canvas_has_a_reason_and_no_image(rgba):
    steps = digits.from_canvas(rgba)
    assert not steps.ok and steps.image is None and "draw a digit" in steps.reason
    with pytest.raises(ValueError, match="no digit"):
        steps.model_input()


def test_a_few_stray_pixels_count_as_empty():
    rgba = canvas()
    rgba[5, 5, :3] = rgba[200, 100, :3] = 255
    assert "stray" in digits.from_canvas(rgba).reason


def test_a_dot_is_classified_but_flagged():
    yy, xx = np.mgrid[:280, :280]
    rgba = canvas()
    rgba[(yy - 140) ** 2 + (xx - 140) ** 2 <= 10**2, :3] = 255  # one click of a 20 px brush
    steps = digits.from_canvas(rgba)
    assert steps.ok and len(steps.warnings) == 3  # very small, fat strokes, more ink than MNIST's
    assert "very small" in steps.warnings[0]


def test_a_small_drawing_with_fat_strokes_is_flagged():
    rgba = ink(canvas(), slice(50, 101), slice(40, 60))  # a short "1" drawn with the 20 px brush
    steps = digits.from_canvas(rgba)
    assert steps.ok and any("thicker than MNIST" in w for w in steps.warnings)


def test_mnist_digits_are_rarely_flagged():
    mnist = load_mnist()
    flagged = [
        digits.prepare(np.kron(mnist.x_test[i], np.ones((4, 4), np.uint8))).warnings
        for i in random_indices(len(mnist.y_test), 500, seed=2)
    ]
    assert sum(bool(w) for w in flagged) <= 5  # at most 1%


def test_model_input_and_normalised_view():
    steps = digits.from_canvas(ink(canvas(), slice(40, 240), slice(120, 160)))
    x = steps.model_input()
    assert x.shape == (1, 28, 28, 1) and x.dtype == np.float32 and x.max() == 255
    np.testing.assert_allclose(
        steps.normalised(), (steps.image - MNIST_MEAN) / MNIST_STD, rtol=1e-6
    )


def test_both_placements_are_the_two_centrings():
    rgba = ink(canvas(), slice(10, 130), slice(10, 30))
    ink(rgba, slice(110, 130), slice(10, 110))
    by_mass, by_box = digits.from_canvas(rgba, True), digits.from_canvas(rgba, False)
    batch = digits.both_placements(by_mass)
    assert batch.shape == (2, 28, 28, 1) and batch.dtype == np.float32
    np.testing.assert_array_equal(batch[0, ..., 0], by_mass.image)
    np.testing.assert_array_equal(batch[1, ..., 0], by_box.image)
    np.testing.assert_array_equal(digits.both_placements(by_box)[1, ..., 0], by_mass.image)


# --- uploads: decode_upload, then upload_steps ---------------------------------------------------


@pytest.mark.parametrize("dark_ink", [True, False])
@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_upload_polarity_is_detected(dark_ink, fmt):
    upload = uploads.decode_upload(png_bytes(digit_on_paper(dark_ink), fmt))
    steps = digits.upload_steps(upload)
    assert upload.inverted is dark_ink and upload.format == fmt
    assert steps.ok and steps.scaled.shape[0] == 20
    assert steps.image[14, 14] > 200 and steps.image[0, 0] == 0  # white ink, paper noise gone
    np.testing.assert_array_equal(steps.raw, upload.original)  # the first step: the file itself


def test_transparent_png_with_dark_ink():
    rgba = np.zeros((100, 100, 4), np.uint8)
    rgba[20:80, 45:55] = (0, 0, 0, 255)  # black ink, transparent paper
    upload = uploads.decode_upload(png_bytes(rgba))
    steps = digits.upload_steps(upload)
    assert upload.inverted and steps.ok and ink_bbox(steps.image)[0] == 20


def test_blank_upload_has_no_ink():
    steps = digits.upload_steps(uploads.decode_upload(png_bytes(np.full((64, 64), 240, np.uint8))))
    assert not steps.ok and steps.reason == "No ink found in the image."


def test_the_upload_names_stay_reachable_from_digits():
    assert digits.decode_upload is uploads.decode_upload
    assert digits.UploadError is uploads.UploadError
