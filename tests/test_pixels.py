"""core/pixels.py: greyscale, area resizing, the ink's box and centring, against oracles."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from core import pixels


@pytest.mark.parametrize("bad", [np.zeros((5, 5, 2), np.uint8), np.zeros((5, 5, 4), np.float32)])
def test_canvas_to_grey_refuses_other_arrays(bad):
    with pytest.raises(ValueError, match="received"):
        pixels.canvas_to_grey(bad)


def area_oracle(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Exact area averaging: repeat each pixel out x out times, then average in_ x in_ blocks."""
    h, w = image.shape
    big = np.repeat(np.repeat(image.astype(np.float64), height, axis=0), width, axis=1)
    return big.reshape(height, h, width, w).mean(axis=(1, 3))


@pytest.mark.parametrize(
    ("shape", "size"), [((280, 200), (20, 14)), ((37, 5), (20, 3)), ((3, 7), (9, 20))]
)
def test_resize_area_is_exact_area_averaging(shape, size):
    image = np.random.default_rng(0).integers(0, 256, shape).astype(np.uint8)
    np.testing.assert_allclose(
        pixels.resize_area(image, *size), area_oracle(image, *size), atol=1e-9
    )


def test_resize_area_matches_pillow_box_for_whole_factors():
    image = np.random.default_rng(0).integers(0, 256, (280, 120)).astype(np.float32)
    theirs = np.asarray(Image.fromarray(image).resize((12, 28), Image.Resampling.BOX))
    np.testing.assert_allclose(pixels.resize_area(image, 28, 12), theirs, atol=1e-3)


@pytest.mark.parametrize(
    ("shape", "expected"), [((200, 50), (20, 5)), ((7, 300), (1, 20)), ((3, 3), (20, 20))]
)
def test_fit_box_keeps_the_aspect(shape, expected):
    assert pixels.fit_box(shape) == expected


def test_place_puts_the_centre_of_mass_in_the_middle_and_stays_inside():
    blob = np.zeros((10, 10), np.uint8)
    blob[7:, :] = 255  # all the ink at the bottom: its centre of mass is row 8
    image, (top, left) = pixels.place(blob)
    cy, cx = pixels.centre_of_mass(image)
    assert top == 6 and abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
    np.testing.assert_array_equal(image[top : top + 10, left : left + 10], blob)
    _, (top, _) = pixels.place(np.pad(blob, ((10, 0), (0, 0))))  # row 18 would need top -4
    assert top == 0  # clamped: it stays wholly inside the field
    image, (top, left) = pixels.place(np.full((28, 28), 255, np.uint8))  # no room to move
    assert (top, left) == (0, 0) and image.min() == 255
