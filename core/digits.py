"""A drawing or an upload -> the 28x28 image MNIST expects, made the way MNIST was made, every step kept.

MNIST's recipe (LeCun et al.): the digit is cropped to its ink, scaled to fit a 20x20 box keeping its
aspect ratio (anti-aliased, so grey levels appear), then placed in a 28x28 field so that its centre
of mass sits at the centre. We do the same, in NumPy, and keep each step for the page to show::

    steps = from_canvas(rgba)            # (H, W, 4) uint8 from the canvas
    if steps.ok:
        x = steps.model_input()          # (1, 28, 28, 1) float32, pixels 0..255

Uploads (PNG/JPEG bytes): :func:`from_upload` decodes them safely with Pillow (size limits, dark ink on
light paper detected and inverted, faint paper noise removed), then runs the same steps.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.layers import MNIST_MEAN, MNIST_STD
from core.text import short_error

FIELD = 28  # MNIST's image side
BOX = 20  # the digit is scaled to fit BOX x BOX
# Where MNIST's centres of mass sit (row, column in pixel indices): the training set's mean is
# (13.996, 14.007), every digit within half a pixel of it.
CENTRE = (14.0, 14.0)
INK_LEVEL = 8  # a pixel brighter than this (0..255) counts as ink for cropping and emptiness
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


def canvas_to_grey(rgba: np.ndarray) -> np.ndarray:
    """Greyscale, white ink on black, of a canvas image, as if painted over a black background.

    Args:
        rgba: (H, W, 4) or (H, W, 3) uint8, or (H, W) greyscale. Transparent pixels count as black
            (the canvas may or may not include its black background in the image it returns).

    Returns:
        (H, W) uint8: luminance (ITU-R 601: 0.299 R + 0.587 G + 0.114 B) times alpha.

    Raises:
        ValueError: for any other shape or a non-integer dtype.

    >>> canvas_to_grey(np.array([[[255, 255, 255, 255], [255, 255, 255, 0]]], np.uint8)).tolist()
    [[255, 0]]
    """
    a = np.asarray(rgba)
    if a.dtype != np.uint8:
        raise ValueError(f"expected uint8 image data; received {a.dtype}")
    if a.ndim == 2:
        return a.copy()
    if a.ndim != 3 or a.shape[2] not in (3, 4) or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"expected an (H, W, 4) RGBA image; received shape {a.shape}")
    lum = a[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    if a.shape[2] == 4:
        lum *= a[..., 3].astype(np.float32) / 255.0
    return np.clip(np.rint(lum), 0, 255).astype(np.uint8)


def ink_box(grey: np.ndarray, level: int = INK_LEVEL) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) of the pixels brighter than ``level`` (bottom/right exclusive)."""
    ink = grey > level
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) matrix: each output pixel averages the input span it covers (box/area filter)."""
    edges = np.arange(n_out + 1, dtype=np.float64) * (n_in / n_out)
    lo, hi = edges[:-1, None], edges[1:, None]
    src = np.arange(n_in, dtype=np.float64)[None, :]
    overlap = np.clip(np.minimum(hi, src + 1) - np.maximum(lo, src), 0.0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def resize_area(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize a 2-D image by area averaging (anti-aliased when shrinking), returning float64.

    >>> resize_area(np.array([[0, 255], [255, 0]], np.uint8), 1, 1).tolist()
    [[127.5]]
    """
    h, w = image.shape
    return _area_weights(h, height) @ image.astype(np.float64) @ _area_weights(w, width).T


def fit_box(shape: tuple[int, int], box: int = BOX) -> tuple[int, int]:
    """(height, width) that fits ``box`` x ``box`` with the longer side equal to ``box``, aspect kept.

    >>> fit_box((200, 50))
    (20, 5)
    """
    h, w = shape
    scale = box / max(h, w)
    return max(1, round(h * scale)), max(1, round(w * scale))


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the intensity-weighted mean pixel position; the middle if all zero."""
    img = image.astype(np.float64)
    total = img.sum()
    if total <= 0:
        return (image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2
    rows, cols = np.arange(img.shape[0]), np.arange(img.shape[1])
    return float(img.sum(axis=1) @ rows / total), float(img.sum(axis=0) @ cols / total)


def place(scaled: np.ndarray, centre: bool = True) -> tuple[np.ndarray, tuple[int, int]]:
    """Put ``scaled`` (at most 28x28) into a black 28x28 field.

    Args:
        scaled: the digit, uint8.
        centre: True: shift by whole pixels so its centre of mass lands on ``CENTRE`` (as MNIST);
            False: centre its bounding box instead. Either way it stays wholly inside the field.

    Returns:
        The (28, 28) uint8 image and the (row, column) of ``scaled``'s top-left corner.
    """
    h, w = scaled.shape
    if centre:
        cy, cx = centre_of_mass(scaled)
        top, left = round(CENTRE[0] - cy), round(CENTRE[1] - cx)
    else:
        top, left = (FIELD - h) // 2, (FIELD - w) // 2
    top, left = min(max(top, 0), FIELD - h), min(max(left, 0), FIELD - w)
    out = np.zeros((FIELD, FIELD), np.uint8)
    out[top : top + h, left : left + w] = scaled
    return out, (top, left)


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


def pixels(image: np.ndarray, size: int) -> np.ndarray:
    """Upscale a small image by whole-pixel repetition for crisp display (at most ``size`` px)."""
    factor = max(1, size // max(image.shape[:2]))
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


# --- uploads ---------------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 5_000_000
MAX_UPLOAD_PIXELS = 25_000_000  # e.g. a 5000x5000 photo; a 20000x20000 image is refused unread
WORK_SIDE = 560  # uploads are shrunk to at most this side before processing (the canvas is 280)
MIN_CONTRAST = 40  # ink must differ from the paper by this much (0..255) to count
INK_RANK = 20  # the ink level is the 20th brightest pixel (robust to a few hot pixels)
NOISE = 0.25  # after stretching, pixels below this share of full ink are paper noise, set to 0


class UploadError(ValueError):
    """An upload we cannot use; the message is meant for the user."""


@dataclass(frozen=True)
class Upload:
    """A decoded upload: ``grey`` white ink on black, ``original`` greyscale as in the file."""

    grey: np.ndarray
    original: np.ndarray
    inverted: bool
    size: tuple[int, int]  # (width, height) of the file's image
    format: str


def decode_upload(data: bytes) -> Upload:
    """Decode PNG/JPEG bytes into white ink on black, refusing anything unsafe or unreadable.

    The paper's brightness is the median of the image's border: light paper (above mid-grey) means
    dark ink, so the image is inverted. Then the paper level is subtracted, the ink stretched to
    full white, and faint remains (shadows, paper texture) set to black.

    Raises:
        UploadError: (a ValueError) with a message for the user: empty or too large file, not a PNG/JPEG, too many
            pixels (a decompression bomb is refused from its header, before decoding), or corrupt.
    """
    size = len(data)
    if size == 0:
        raise UploadError("The file is empty (0 bytes).")
    if size > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"The file is {size / 1e6:.1f} MB; at most {MAX_UPLOAD_BYTES / 1e6:.0f} MB."
        )
    try:
        with Image.open(io.BytesIO(data), formats=["PNG", "JPEG"]) as probe:
            _check_pixels(probe.size)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=["PNG", "JPEG"]) as im:
            fmt, dims = im.format or "?", im.size
            if im.format == "JPEG":
                im.draft("L", (WORK_SIDE, WORK_SIDE))  # let libjpeg decode at a reduced size
            im = ImageOps.exif_transpose(im)
            im.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX)
            original = _to_grey(im)
    except UploadError:
        raise
    except UnidentifiedImageError:
        raise UploadError("This is not a PNG or JPEG image.") from None
    except Image.DecompressionBombError as err:  # Pillow's own limit, checked from the header
        found = re.search(r"\((\d+) pixels\)", str(err))
        claim = f"{int(found.group(1)):,} pixels" if found else "far too many pixels"
        raise UploadError(
            f"The image claims {claim}, far more than the {MAX_UPLOAD_PIXELS / 1e6:.0f} million "
            "accepted (a decompression bomb?); refused without decoding it."
        ) from None
    except (OSError, SyntaxError, EOFError, ValueError) as err:  # Pillow's ways of saying "corrupt"
        if "too large" in str(err):  # e.g. a compressed text chunk that would expand to gigabytes
            raise UploadError(
                "The file holds compressed data that expands far beyond its size (a decompression "
                "bomb?); refused."
            ) from None
        raise UploadError(f"The image file is damaged or incomplete ({_short(err)}).") from None
    paper = float(np.median(_border(original)))
    inverted = paper > 127
    grey = 255 - original if inverted else original.copy()
    return Upload(_clean(grey, 255 - paper if inverted else paper), original, inverted, dims, fmt)


def _check_pixels(dims: tuple[int, int]) -> None:
    w, h = dims
    if w * h > MAX_UPLOAD_PIXELS:
        raise UploadError(
            f"The image is {w:,}×{h:,} pixels; at most {MAX_UPLOAD_PIXELS / 1e6:.0f} million pixels "
            "are accepted. A photo of one digit needs far fewer."
        )
    if w < 8 or h < 8:
        raise UploadError(f"The image is only {w}×{h} pixels; at least 8×8 are needed.")


def _to_grey(im: Image.Image) -> np.ndarray:
    """uint8 greyscale; transparency is flattened onto whichever of black/white the ink is not."""
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = np.asarray(im.convert("RGBA"))
        alpha = rgba[..., 3].astype(np.float32) / 255.0
        lum = canvas_to_grey(np.concatenate([rgba[..., :3], np.full_like(rgba[..., :1], 255)], -1))
        ink_bright = lum[alpha > 0.5].mean() > 127 if (alpha > 0.5).any() else True
        paper = 0.0 if ink_bright else 255.0
        return np.rint(lum * alpha + paper * (1 - alpha)).astype(np.uint8)
    return np.asarray(im.convert("L"), dtype=np.uint8).copy()


def _border(grey: np.ndarray) -> np.ndarray:
    """The outer frame of the image (5% of each side, at least one pixel)."""
    m = max(1, round(0.05 * min(grey.shape)))
    return np.concatenate(
        [grey[:m].ravel(), grey[-m:].ravel(), grey[:, :m].ravel(), grey[:, -m:].ravel()]
    )


def _clean(grey: np.ndarray, paper: float) -> np.ndarray:
    """Subtract the paper level, stretch the ink to 255, zero faint noise; all black if no contrast."""
    flat = grey.ravel()
    k = min(INK_RANK, flat.size)
    ink = float(np.partition(flat, flat.size - k)[flat.size - k])  # the k-th brightest pixel
    if ink - paper < MIN_CONTRAST:
        return np.zeros_like(grey)
    x = (grey.astype(np.float32) - paper) / (ink - paper)
    x = (x - NOISE) / (1 - NOISE)
    return np.clip(np.rint(x * 255), 0, 255).astype(np.uint8)


def _short(err: Exception, limit: int = 120) -> str:
    return short_error(err, limit, with_type=False)


def upload_steps(upload: Upload, centre: bool = True) -> Steps:
    """The steps for a decoded upload; the first step shows the file's own greyscale."""
    steps = prepare(upload.grey, centre, raw=upload.original)
    if steps.reason:
        steps = Steps(steps.raw, steps.grey, centred=centre, reason="No ink found in the image.")
    return steps


def from_upload(data: bytes, centre: bool = True) -> tuple[Steps, Upload]:
    """Decode an upload (see :func:`decode_upload`, which raises UploadError) and run the steps."""
    upload = decode_upload(data)
    return upload_steps(upload, centre), upload
