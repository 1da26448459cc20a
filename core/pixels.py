"""Pixel operations of MNIST's recipe: greyscale, the ink's box, area resizing, centring in 28x28.

NumPy only; ``core/digits.py`` chains them into the recipe and keeps every step.
"""

from __future__ import annotations

import numpy as np

FIELD = 28  # MNIST's image side
BOX = 20  # the digit is scaled to fit BOX x BOX
# Where MNIST's centres of mass sit (row, column in pixel indices): the training set's mean is
# (13.996, 14.007), every digit within half a pixel of it.
CENTRE = (14.0, 14.0)
INK_LEVEL = 8  # a pixel brighter than this (0..255) counts as ink for cropping and emptiness


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
    """(top, bottom, left, right) of the pixels brighter than ``level`` (bottom/right exclusive).

    >>> ink_box(np.array([[0, 0, 0], [0, 200, 90], [0, 0, 0]], np.uint8))
    (1, 2, 1, 3)
    """
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
    """(row, column) of the intensity-weighted mean pixel position; the middle if all zero.

    >>> centre_of_mass(np.array([[0, 0], [0, 9]]))
    (1.0, 1.0)
    """
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
