"""An uploaded photo or scan (PNG/JPEG bytes) -> white ink on black greyscale, refusing anything unsafe.

Pillow decodes it with size limits (a decompression bomb is refused from its header), dark ink on
light paper is detected and inverted, and faint paper noise removed; ``core.digits.upload_steps``
then runs MNIST's recipe on the result.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.pixels import canvas_to_grey
from core.text import short_error

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
        UploadError: (a ValueError) with a message for the user: empty or too large file, not a
            PNG/JPEG, too many pixels (a decompression bomb is refused from its header, before
            decoding), or corrupt.
    """
    size = len(data)
    if size == 0:
        raise UploadError("The file is empty (0 bytes).")
    if size > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"The file is {size / 1e6:.1f} MB; at most {MAX_UPLOAD_BYTES / 1e6:.0f} MB."
        )
    original, dims, fmt = _read(data)
    paper = float(np.median(_border(original)))
    inverted = paper > 127
    grey = 255 - original if inverted else original.copy()
    return Upload(_clean(grey, 255 - paper if inverted else paper), original, inverted, dims, fmt)


def _read(data: bytes) -> tuple[np.ndarray, tuple[int, int], str]:
    """Pillow's decode, shrunk to WORK_SIDE: (greyscale, the file's (width, height), its format).

    Raises:
        UploadError: for anything Pillow cannot or should not read.
    """
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
    return original, dims, fmt


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
