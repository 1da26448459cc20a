"""A drawing or an upload -> the 28x28 image MNIST expects, made the way MNIST was made, every step kept.

MNIST's recipe (LeCun et al.): the digit is cropped to its ink, scaled to fit a 20x20 box keeping its
aspect ratio (anti-aliased, so grey levels appear), then placed in a 28x28 field so that its centre
of mass sits at the centre. We do the same, in NumPy (``core/pixels.py``), and keep each step for
the page to show::

    steps = from_canvas(rgba)            # (H, W, 4) uint8 from the canvas
    if steps.ok:
        x = steps.model_input()          # (1, 28, 28, 1) float32, pixels 0..255

Uploads (PNG/JPEG bytes): ``decode_upload`` (``core/uploads.py``) decodes them safely, then
:func:`upload_steps` runs the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.layers import MNIST_MEAN, MNIST_STD
from core.pixels import FIELD, INK_LEVEL, canvas_to_grey, fit_box, ink_box, place, resize_area
from core.uploads import Upload, UploadError, decode_upload

__all__ = [
    "Steps",
    "Upload",
    "UploadError",
    "canvas_to_grey",
    "decode_upload",
    "from_canvas",
    "prepare",
    "thick_share",
    "upload_steps",
]

CANVAS = 280  # the Draw canvas's side: 10x MNIST's 28 pixels
BRUSH = 20  # a 20 px brush on a ~200 px tall digit becomes a ~2 px stroke at 20x20, like MNIST
MIN_INK_PIXELS = 10  # fewer ink pixels than this: nothing was drawn (stray specks)
SMALL_DRAWING = 0.12  # ink spanning less than this share of the canvas side is "very small"
# Ink mass (sum of pixels / 255) of MNIST training digits: 0.1st percentile 28, median 100,
# 99.9th percentile 228, maximum 312. Outside this range the input is unlike any MNIST digit.
MNIST_INK_RANGE = (20.0, 250.0)
# Stroke thickness: the share of ink pixels (> 128) whose whole 5x5 neighbourhood is ink. MNIST
# training digits: 99th percentile 0.09, 99.9th 0.23. A small drawing blown up to 20x20 has fat
# strokes (a short "1" becomes a filled 20x8 bar: 0.4).
THICK_SHARE = 0.25


@dataclass(frozen=True, eq=False)
class Steps:
    """Every step from a drawing to the model's input; ``image`` is None when there is no digit.

    Attributes:
        raw: what came in, for display: (H, W, 4) RGBA from the canvas, or (H, W) greyscale upload.
        grey: (H, W) uint8, white ink on black.
        cropped: the ink's bounding box cut out of ``grey`` (None when empty).
        scaled: ``cropped`` resized so its longer side is 20 (None when empty).
        image: the 28x28 uint8 placed digit, MNIST's format (None when empty).
        centred: True if placed by centre of mass, False if by bounding box.
        reason: why there is no image (empty input), else None.
        warnings: plain-words reasons the input is unlike an MNIST digit (a dot, a scribble).
        offset: (row, column) of ``scaled``'s top-left corner inside the 28x28 field.
    """

    raw: np.ndarray
    grey: np.ndarray
    cropped: np.ndarray | None = None
    scaled: np.ndarray | None = None
    image: np.ndarray | None = None
    centred: bool = True
    reason: str | None = None
    warnings: tuple[str, ...] = field(default=())
    offset: tuple[int, int] | None = None

    @property
    def ok(self) -> bool:
        """True if there is a digit to classify."""
        return self.image is not None

    def model_input(self) -> np.ndarray:
        """The (1, 28, 28, 1) float32 batch of raw 0..255 pixels (the model normalises itself).

        Raises:
            ValueError: if there is no image (see ``reason``).
        """
        if self.image is None:
            raise ValueError(f"no digit to classify: {self.reason}")
        return self.image.astype(np.float32)[np.newaxis, :, :, np.newaxis]

    def normalised(self) -> np.ndarray:
        """(28, 28) float32 as the network sees it after its Normalization layer: (x - mean) / std."""
        if self.image is None:
            raise ValueError(f"no digit to classify: {self.reason}")
        return ((self.image.astype(np.float32) - MNIST_MEAN) / MNIST_STD).astype(np.float32)


def prepare(grey: np.ndarray, centre: bool = True, raw: np.ndarray | None = None) -> Steps:
    """Crop, scale to fit 20x20 and place in 28x28 a white-on-black greyscale image.

    Args:
        grey: (H, W) uint8, white ink on black.
        centre: place by centre of mass (MNIST's way) or, if False, by bounding box.
        raw: what to show as the first step (defaults to ``grey``).

    Returns:
        Steps; ``steps.reason`` says why when there is nothing to classify.

    Raises:
        ValueError: if ``grey`` is not a 2-D uint8 array.
    """
    grey = np.asarray(grey)
    if grey.ndim != 2 or grey.dtype != np.uint8 or 0 in grey.shape:
        raise ValueError(
            f"expected a 2-D uint8 greyscale image; received {grey.dtype} {grey.shape}"
        )
    raw = grey if raw is None else raw
    ink = int(np.count_nonzero(grey > INK_LEVEL))
    if ink == 0:
        return Steps(raw, grey, centred=centre, reason="Nothing drawn yet: draw a digit.")
    if ink < MIN_INK_PIXELS:
        return Steps(raw, grey, centred=centre, reason="Only a few stray pixels: draw a digit.")
    top, bottom, left, right = ink_box(grey)
    cropped = grey[top:bottom, left:right]
    h, w = fit_box(cropped.shape)
    scaled = np.clip(np.rint(resize_area(cropped, h, w)), 0, 255).astype(np.uint8)
    image, offset = place(scaled, centre)
    span = max(bottom - top, right - left) / max(grey.shape)
    return Steps(
        raw, grey, cropped, scaled, image, centre, warnings=_warnings(image, span), offset=offset
    )


def _warnings(image: np.ndarray, span: float) -> tuple[str, ...]:
    """Plain-words reasons why this input is unlike any MNIST digit."""
    out = []
    if span < SMALL_DRAWING:
        out.append(
            "The drawing is very small: it was blown up to fill 20×20 pixels, so its strokes "
            "became thick blobs."
        )
    if thick_share(image) > THICK_SHARE:
        out.append(
            "Its strokes are much thicker than MNIST's (a small drawing blown up to 20×20 pixels?)."
        )
    mass = float(image.sum(dtype=np.int64)) / 255.0
    if mass > MNIST_INK_RANGE[1]:
        out.append(
            f"It has more ink ({mass:.0f} white pixels' worth) than any MNIST digit "
            f"(they have at most about {MNIST_INK_RANGE[1]:.0f}): a blob or a scribble?"
        )
    elif mass < MNIST_INK_RANGE[0]:
        out.append("It has less ink than almost any MNIST digit: very thin or faint strokes.")
    return tuple(out)


def thick_share(image: np.ndarray, radius: int = 2) -> float:
    """The share of ink pixels (> 128) whose (2r+1)x(2r+1) neighbourhood is all ink (0 if no ink)."""
    ink = np.asarray(image) > 128
    total = int(ink.sum())
    if total == 0:
        return 0.0
    h, w = ink.shape
    padded = np.pad(ink, radius)
    inside = ink.copy()
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            inside &= padded[dy : dy + h, dx : dx + w]
    return float(inside.sum()) / total


def from_canvas(rgba: np.ndarray | None, centre: bool = True) -> Steps:
    """The steps for a canvas drawing; ``None`` (no data yet) counts as an empty canvas."""
    if rgba is None:
        empty = np.zeros((FIELD, FIELD), np.uint8)
        return Steps(empty, empty, centred=centre, reason="Nothing drawn yet: draw a digit.")
    return prepare(canvas_to_grey(rgba), centre, raw=np.asarray(rgba))


def upload_steps(upload: Upload, centre: bool = True) -> Steps:
    """The steps for a decoded upload; the first step shows the file's own greyscale."""
    steps = prepare(upload.grey, centre, raw=upload.original)
    if steps.reason:
        steps = Steps(steps.raw, steps.grey, centred=centre, reason="No ink found in the image.")
    return steps


def both_placements(steps: Steps) -> np.ndarray:
    """(2, 28, 28, 1) float32: the digit placed as ``steps`` placed it, then the other way.

    Raises:
        ValueError: if there is no digit (see ``steps.reason``).
    """
    other = prepare(steps.grey, not steps.centred)
    return np.concatenate([steps.model_input(), other.model_input()])
