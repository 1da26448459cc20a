"""Move, turn, scale, thicken or add noise to a 28x28 digit, in NumPy, returning MNIST's uint8 format.

Shift, rotation and scale are one affine map, sampled bilinearly through its inverse (each output
pixel looks up where it came from); thickness is grey-scale dilation (thicker) or erosion
(thinner) with a 3x3 max or min filter, once per pixel of thickness; noise is seeded Gaussian.
Outside the 28x28 field is black: what moves out is lost, what moves in is empty::

    moved = apply(image, Settings(rotate=30, thickness=1))  # (28, 28) uint8
    batch = sweep(image, "rotate", KNOBS["rotate"].values())  # (19, 28, 28) uint8, one per angle
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.pixels import centre_of_mass

MAX_THICKNESS = 14  # dilating 14 times fills a 28x28 field from one pixel: more changes nothing
SCALE_RANGE = (0.05, 20.0)  # factors beyond these are clamped (0 would be a singular map)
NOISE_SEED = 0  # the same noise for the same level, so a slider moved back gives the same image


@dataclass(frozen=True)
class Knob:
    """One transform's slider and sweep: its range, step and the value that changes nothing.

    >>> KNOBS["rotate"].values()[:3].tolist()
    [-45.0, -40.0, -35.0]
    """

    kind: str
    label: str  # the slider's label
    axis: str  # the sweep chart's axis title
    lo: float
    hi: float
    step: float  # the slider's step
    sweep_step: float  # the sweep's step over the whole range
    identity: float

    def values(self) -> np.ndarray:
        """The sweep's values: ``lo`` to ``hi`` (both included) by ``sweep_step``."""
        n = int(round((self.hi - self.lo) / self.sweep_step)) + 1
        return np.round(np.linspace(self.lo, self.hi, n), 6)


# kind, slider label, chart axis, lo, hi, slider step, sweep step, the value that changes nothing
KNOBS = {k.kind: k for k in (
    Knob("shift_x", "Shift right (px)", "shift right (px)", -8, 8, 1, 1, 0),
    Knob("shift_y", "Shift down (px)", "shift down (px)", -8, 8, 1, 1, 0),
    Knob("rotate", "Turn (°, + is anticlockwise)", "turn (°)", -45, 45, 1, 5, 0),
    Knob("scale", "Scale (× size)", "scale (×)", 0.6, 1.4, 0.05, 0.05, 1),
    Knob("thickness", "Thin (−) or thicken (+) strokes (px)", "thicken (px)", -2, 2, 0.5, 0.5, 0),
    Knob("noise", "Noise (spread, share of full brightness)", "noise (σ)", 0, 0.5, 0.05, 0.05, 0),
)}  # fmt: skip  # table: one row per transform
KINDS = tuple(KNOBS)


@dataclass(frozen=True)
class Settings:
    """Every transform at once (the defaults change nothing), applied by :func:`apply`."""

    shift_x: float = 0.0
    shift_y: float = 0.0
    rotate: float = 0.0
    scale: float = 1.0
    thickness: float = 0.0
    noise: float = 0.0
    about: str = "mass"  # rotate and scale about the centre of "mass" or the image "centre"
    seed: int = NOISE_SEED

    @property
    def identity(self) -> bool:
        """True when applying these settings returns the image unchanged."""
        return self == Settings(about=self.about, seed=self.seed)


def to_float(image: np.ndarray) -> np.ndarray:
    """A 2-D image as float64 pixels 0..255: uint8/integers as they are, floats as 0..1 brightness.

    Raises:
        ValueError: not a non-empty 2-D array, or not finite.

    >>> to_float(np.array([[0.0, 0.5, 2.0]])).tolist()
    [[0.0, 127.5, 255.0]]
    """
    a = np.asarray(image)
    if a.ndim != 2 or 0 in a.shape:
        raise ValueError(f"expected a 2-D image such as (28, 28); received shape {a.shape}")
    if a.dtype.kind in "biu":
        return np.clip(a.astype(np.float64), 0, 255)
    if a.dtype.kind != "f" or not np.isfinite(a).all():
        raise ValueError(f"expected uint8 pixels or finite floats in [0, 1]; received {a.dtype}")
    return np.clip(a.astype(np.float64), 0.0, 1.0) * 255.0


def to_uint8(values: np.ndarray) -> np.ndarray:
    """Pixels 0..255 (float) rounded and clipped into MNIST's uint8."""
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _sample(img: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Bilinear lookup of ``img`` at (row, column) positions; black outside the image."""
    h, w = img.shape
    padded = np.pad(img, 1)  # a black frame: positions outside clip into it
    y0, x0 = np.floor(ys), np.floor(xs)
    fy, fx = ys - y0, xs - x0

    def at(dy: int, dx: int) -> np.ndarray:
        rows = np.clip(y0.astype(np.int64) + dy + 1, 0, h + 1)
        cols = np.clip(x0.astype(np.int64) + dx + 1, 0, w + 1)
        return padded[rows, cols]

    top = at(0, 0) * (1 - fx) + at(0, 1) * fx
    bottom = at(1, 0) * (1 - fx) + at(1, 1) * fx
    return top * (1 - fy) + bottom * fy


def _pivot(img: np.ndarray, about: str) -> tuple[float, float]:
    if about == "mass":
        return centre_of_mass(img)  # the middle when the image is black
    if about == "centre":
        return (img.shape[0] - 1) / 2, (img.shape[1] - 1) / 2
    raise ValueError(f"about must be 'mass' or 'centre'; received {about!r}")


def _affine(img: np.ndarray, dx: Any, dy: Any, degrees: Any, factor: Any, about: str) -> np.ndarray:
    """(n, H, W): scale by ``factor``, turn ``degrees`` anticlockwise about the pivot, then shift.

    The four parameters are numbers or length-n arrays (one image per set of values).
    """
    cy, cx = _pivot(img, about)
    dx, dy, degrees, factor = (
        np.asarray(a, dtype=np.float64).reshape(-1, 1, 1)
        for a in np.broadcast_arrays(dx, dy, degrees, factor)
    )
    factor = np.clip(factor, *SCALE_RANGE)
    t = np.deg2rad(degrees)
    cos, sin = np.cos(t), np.sin(t)
    rows, cols = np.indices(img.shape, dtype=np.float64)
    # Inverse map: where each output pixel comes from (rows grow downwards, so "anticlockwise"
    # on screen turns (right, down) = (1, 0) into (0, -1), i.e. up).
    u, v = (cols - cx - dx) / factor, (rows - cy - dy) / factor
    out = _sample(img, cy + sin * u + cos * v, cx + cos * u - sin * v)
    unchanged = ((dx == 0) & (dy == 0) & (degrees % 360 == 0) & (factor == 1)).ravel()
    out[unchanged] = img  # exactly, not up to rounding
    return out


def _filter3(img: np.ndarray, grow: bool) -> np.ndarray:
    """One 3x3 max (``grow``) or min filter, as a row pass then a column pass; black outside."""
    pick = np.maximum if grow else np.minimum
    p = np.pad(img, 1)
    rows = pick(pick(p[:-2], p[1:-1]), p[2:])
    return pick(pick(rows[:, :-2], rows[:, 1:-1]), rows[:, 2:])


def _thicken(img: np.ndarray, px: float) -> np.ndarray:
    """Dilate (``px`` > 0) or erode (< 0) ``|px|`` times; a fraction blends the two nearest counts."""
    px = float(np.clip(px, -MAX_THICKNESS, MAX_THICKNESS))
    whole, part = int(abs(px)), abs(px) - int(abs(px))
    out = img
    for _ in range(whole):
        out = _filter3(out, px > 0)
    if part > 0:
        out = (1 - part) * out + part * _filter3(out, px > 0)
    return out


def _noise(img: np.ndarray, level: float, seed: int) -> np.ndarray:
    """Add Gaussian noise of spread ``level`` × 255 (clipped to 0..255 when rounded)."""
    level = max(0.0, float(level))
    if level == 0:
        return img
    return img + np.random.default_rng(seed).standard_normal(img.shape) * level * 255.0


def apply(image: np.ndarray, settings: Settings = Settings()) -> np.ndarray:
    """Shift, turn and scale (one resampling), then thicken or thin, then add noise.

    Args:
        image: (28, 28) uint8, or floats in [0, 1]; any 2-D size works.
        settings: the transforms; values beyond the sliders' ranges are allowed (a digit shifted
            30 px is simply gone), thickness is clamped to ±14 px and scale to 0.05–20.

    Returns:
        The transformed image, uint8, the shape of ``image``.

    >>> digit = np.zeros((28, 28), np.uint8); digit[10:18, 13] = 255
    >>> int(apply(digit, Settings(thickness=1)).astype(bool).sum())  # 8x1 -> 10x3
    30
    """
    s = settings
    numbers = (s.shift_x, s.shift_y, s.rotate, s.scale, s.thickness, s.noise)
    if not np.isfinite(np.asarray(numbers, dtype=float)).all():
        raise ValueError(f"transform settings must be finite numbers; received {settings}")
    img = _affine(to_float(image), s.shift_x, s.shift_y, s.rotate, s.scale, s.about)[0]
    return to_uint8(_noise(_thicken(img, s.thickness), s.noise, s.seed))


def shift(image: np.ndarray, dx: float, dy: float = 0.0) -> np.ndarray:
    """``image`` moved ``dx`` px right and ``dy`` px down (sub-pixel shifts interpolate)."""
    return apply(image, Settings(shift_x=dx, shift_y=dy))


def rotate(image: np.ndarray, degrees: float, about: str = "mass") -> np.ndarray:
    """``image`` turned ``degrees`` anticlockwise about its centre of mass (or ``"centre"``)."""
    return apply(image, Settings(rotate=degrees, about=about))


def scale(image: np.ndarray, factor: float, about: str = "mass") -> np.ndarray:
    """``image`` enlarged (``factor`` > 1) or shrunk about its centre of mass (or ``"centre"``)."""
    return apply(image, Settings(scale=factor, about=about))


def thicken(image: np.ndarray, px: float) -> np.ndarray:
    """Strokes ``px`` pixels thicker on each side (negative: thinner), by 3x3 max/min filters."""
    return apply(image, Settings(thickness=px))


def add_noise(image: np.ndarray, level: float, seed: int = NOISE_SEED) -> np.ndarray:
    """Seeded Gaussian noise of spread ``level`` (a share of full brightness), clipped to 0..255."""
    return apply(image, Settings(noise=level, seed=seed))


def sweep(image: np.ndarray, kind: str, values: np.ndarray | list[float]) -> np.ndarray:
    """``image`` with one transform at each of ``values`` (the others off): (n, H, W) uint8.

    Noise uses the same seed at every level, so the curve follows the level, not the luck.

    Raises:
        ValueError: an unknown ``kind`` (see ``KINDS``) or a bad image.

    >>> sweep(np.eye(28, dtype=np.uint8) * 255, "shift_x", [-1, 0, 1]).shape
    (3, 28, 28)
    """
    if kind not in KNOBS:
        raise ValueError(f"unknown transform {kind!r}; expected one of {', '.join(KINDS)}")
    img, v = to_float(image), np.asarray(values, dtype=np.float64).ravel()
    if not np.isfinite(v).all():
        raise ValueError(f"transform values must be finite numbers; received {v.tolist()}")
    if kind == "thickness":
        out = np.stack([_thicken(img, px) for px in v]) if v.size else v.reshape(0, *img.shape)
    elif kind == "noise":  # the same draw as apply()'s at every level (same seed)
        field = np.random.default_rng(NOISE_SEED).standard_normal(img.shape)
        out = img + field * np.maximum(v, 0.0).reshape(-1, 1, 1) * 255.0
    else:
        moves = dict(shift_x=0.0, shift_y=0.0, rotate=0.0, scale=1.0) | {kind: v}
        out = _affine(img, *moves.values(), about="mass")
    return to_uint8(out)


def sweep_rows() -> dict[str, slice]:
    """Which rows of :func:`sweep_all`'s batch belong to which knob, in ``KINDS`` order.

    >>> sweep_rows()["rotate"]
    slice(34, 53, None)
    """
    rows, start = {}, 0
    for kind, knob in KNOBS.items():
        rows[kind] = slice(start, start + len(knob.values()))
        start = rows[kind].stop
    return rows


def sweep_all(image: np.ndarray) -> tuple[np.ndarray, dict[str, slice]]:
    """Every knob's whole range in one batch, and which rows belong to which knob.

    >>> batch, rows = sweep_all(np.zeros((28, 28), np.uint8))
    >>> batch.shape, rows["noise"]
    ((90, 28, 28), slice(79, 90, None))
    """
    batch = np.concatenate([sweep(image, kind, knob.values()) for kind, knob in KNOBS.items()])
    return batch, sweep_rows()
