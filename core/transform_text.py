"""The words beside Draw's transform experiment: why shifts barely matter, what the sweep shows, warnings."""

from __future__ import annotations

import re

import numpy as np

from core.digits import MNIST_INK_RANGE
from core.pixels import INK_LEVEL

RANDOM_ACCURACY = (
    0.2  # at most this on the test digits (chance is 0.1): the model guesses at random
)
HOLD = 0.1  # "its belief holds" while the probability stays within this of its value at the start
_ROTATION = re.compile(r"rotation\s*±\s*(\d+(?:\.\d+)?)\s*°")


def trained_rotation(meta: dict) -> float | None:
    """The largest turn (degrees) the training record's ``augmentation`` mentions, else None.

    >>> trained_rotation({"augmentation": "stroke thickness, rotation ±12°, zoom ±12%"})
    12.0
    >>> trained_rotation({}) is None
    True
    """
    found = _ROTATION.search(str(meta.get("augmentation", "")))
    return float(found.group(1)) if found else None


def why(rotation: float | None) -> str:
    """The one sentence: why small shifts barely matter and large turns do.

    Args:
        rotation: how far the pretrained model's training digits were turned (None: unknown).

    >>> why(12.0).count("±12°")
    1
    """
    seen = (
        f"the pretrained model saw digits turned by up to ±{rotation:g}° while it learnt (and "
        "yours, if you trained one here, saw MNIST's digits only as they are)"
        if rotation
        else "the pretrained model's training record does not say whether it saw turned digits"
    )
    return (
        "A shift of a pixel or two barely matters, because every filter is one small set of "
        "weights slid over the whole image, so it finds a stroke wherever it is, and max pooling "
        "keeps only the strongest answer in each 2×2 patch, so the exact spot hardly counts; a "
        "large turn often does matter, because it changes the strokes' directions and a filter "
        f"only knows the directions it was trained on: {seen}."
    )


def holds_up_to(values: np.ndarray, probs: np.ndarray, start: float, hold: float = HOLD) -> float:
    """The largest |value| up to which ``probs`` stays within ``hold`` of ``start`` (both signs).

    >>> holds_up_to(np.array([-2, -1, 0, 1, 2]), np.array([0.5, 0.95, 1, 0.97, 0.96]), 1.0)
    1.0
    """
    size = np.abs(np.asarray(values, dtype=float))
    bad = size[np.asarray(probs) < start - hold]
    inside = size[size < bad.min()] if bad.size else size
    return float(inside.max()) if inside.size else 0.0


def on_this_digit(
    name: str, digit: int, start: float, sweeps: dict[str, tuple[np.ndarray, np.ndarray]]
) -> str:
    """What the sweep shows for one model, in numbers: how far shifts and turns leave it unmoved.

    Args:
        name: how the sentence names the model ("Pretrained", "Your model").
        digit: its top guess on the untouched digit.
        start: its probability on the untouched digit.
        sweeps: kind -> (values, probabilities of ``digit``) for "shift_x", "shift_y", "rotate".

    >>> v = np.array([-45.0, 0.0, 45.0]); s = np.array([-1.0, 0.0, 1.0])
    >>> on_this_digit("Pretrained", 7, 0.99, {"shift_x": (s, np.array([.98, .99, .97])),
    ...     "shift_y": (s, np.array([.99, .99, .99])), "rotate": (v, np.array([.3, .99, .6]))})
    'Pretrained: P(7) stays within 10 points of its 99% for shifts of up to ±1 px and turns of up to ±0°; it is 30% at −45° and 60% at +45°.'
    """
    shifts = min(holds_up_to(*sweeps[k], start) for k in ("shift_x", "shift_y"))
    angles, turned = sweeps["rotate"]
    turns = holds_up_to(angles, turned, start)
    return (
        f"{name}: P({digit}) stays within {HOLD * 100:.0f} points of its {start:.0%} for shifts "
        f"of up to ±{shifts:g} px and turns of up to ±{turns:g}°; it is {turned[0]:.0%} at "
        f"{_signed(angles[0])}° and {turned[-1]:.0%} at {_signed(angles[-1])}°."
    )


def _signed(value: float) -> str:
    """``+45`` or ``−45`` (a real minus sign), ``0`` unsigned."""
    return f"{value:+g}".replace("-", "−") if value else "0"


def guesses_at_random(trained: bool, accuracy: float | None) -> bool:
    """True for random weights, or a model right on at most RANDOM_ACCURACY of the test digits.

    >>> guesses_at_random(True, 0.1), guesses_at_random(True, 0.98), guesses_at_random(False, None)
    (True, False, True)
    """
    return not trained or (accuracy is not None and accuracy <= RANDOM_ACCURACY)


def random_note(name: str) -> str:
    """What the page says of a model that guesses at random."""
    return (
        f"{name} is no better than chance on the test digits: it guesses at random, so its line "
        "shows noise, not what moving a digit does."
    )


def warnings(image: np.ndarray) -> tuple[str, ...]:
    """Plain-words reasons the moved digit is unlike an MNIST digit (empty when it looks fine).

    >>> warnings(np.zeros((28, 28), np.uint8))[0]
    'Nothing is left of the digit: any guess is a guess about a black square.'
    """
    img = np.asarray(image)
    ink = img > INK_LEVEL
    if not ink.any():
        return ("Nothing is left of the digit: any guess is a guess about a black square.",)
    out = []
    if ink[0].any() or ink[-1].any() or ink[:, 0].any() or ink[:, -1].any():
        out.append("The digit touches the edge of the 28×28 field: part of it may be cut off.")
    mass = float(img.sum(dtype=np.int64)) / 255.0
    if mass > MNIST_INK_RANGE[1]:
        out.append(f"It has more ink ({mass:.0f} white pixels' worth) than any MNIST digit.")
    elif mass < MNIST_INK_RANGE[0]:
        out.append("It has less ink than almost any MNIST digit.")
    return tuple(out)
