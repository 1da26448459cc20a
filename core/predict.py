"""One digit through a model: probabilities by a direct call, an honest confidence, an occlusion map.

Usage::

    probs = probabilities(model, steps.model_input())[0]  # (10,) summing to 1
    guess = assess(probs, steps.warnings)  # the top digit, and whether to trust it
    occ = occlusion(model, steps.image, guess.digit)  # which strokes drove that guess
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from core.architecture import Architecture
from core.batching import batch_limit, model_step_values
from core.keras_model import BuiltModel
from core.maths import softmax
from core.presets import NOTEBOOK_CNN

NUM_CLASSES = 10
LOW_PROBABILITY = 0.6  # below this the top guess is "low confidence"
LOW_MARGIN = 0.2  # ... and also when the runner-up is this close
PATCH = 6  # occlusion: a PATCH x PATCH black square ...
STRIDE = 2  # ... slid STRIDE pixels at a time over the 28x28 image


def probabilities(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """Class probabilities from a direct ``model(x, training=False)`` call (no ``predict`` overhead).

    Args:
        model: a Keras model taking (N, 28, 28, 1) float32 raw pixels 0..255 and returning 10 scores.
        images: (N, 28, 28, 1) float32 (see ``Steps.model_input``).

    Returns:
        (N, 10) float64 probabilities. If the model's last layer is not a softmax (its outputs are
        not already probabilities), a softmax is applied here.

    Raises:
        ValueError: if the model does not return 10 numbers per image.
    """
    out = np.asarray(keras.ops.convert_to_numpy(model(images, training=False)), dtype=np.float64)
    if out.ndim != 2 or out.shape[1] != NUM_CLASSES:
        raise ValueError(
            f"the model returns shape {out.shape[1:]} per image; it needs 10 outputs, one per digit"
        )
    if (out < 0).any() or not np.allclose(out.sum(axis=1), 1.0, atol=1e-3):
        out = softmax(out, axis=1)
    return out


@dataclass(frozen=True)
class Guess:
    """The top guess and how far to trust it.

    Attributes:
        digit: the most probable digit.
        probability: its probability.
        runner_up: the second most probable digit.
        margin: top probability minus the runner-up's.
        low: True when the guess should not be trusted (see ``reasons``).
        reasons: plain-words reasons for low confidence (empty when confident).
    """

    digit: int
    probability: float
    runner_up: int
    margin: float
    low: bool
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        """``"confident"`` or ``"low confidence"``."""
        return "low confidence" if self.low else "confident"


def assess(
    probs: np.ndarray,
    warnings: tuple[str, ...] = (),
    threshold: float = LOW_PROBABILITY,
    margin: float = LOW_MARGIN,
) -> Guess:
    """The top guess of one probability vector, flagged low-confidence when it should not be trusted.

    A softmax can be sure of itself on inputs unlike anything it was trained on, so ``warnings``
    about the input (a dot, a scribble; see ``Steps.warnings``) make the guess low-confidence too.

    >>> assess(np.array([0.05, 0.9, 0.05] + [0.0] * 7)).label
    'confident'
    >>> assess(np.array([0.45, 0.4, 0.15] + [0.0] * 7)).reasons[0]
    'the top probability is only 45% (below 60%)'
    """
    p = np.asarray(probs, dtype=np.float64).ravel()
    order = np.argsort(p)[::-1]
    top, second = int(order[0]), int(order[1])
    gap = float(p[top] - p[second])
    reasons = []
    if p[top] < threshold:
        reasons.append(f"the top probability is only {p[top]:.0%} (below {threshold:.0%})")
    if gap < margin:
        reasons.append(f"{second} is a close second ({p[second]:.0%} against {p[top]:.0%})")
    reasons += list(warnings)
    return Guess(top, float(p[top]), second, gap, bool(reasons), tuple(reasons))


def reason_bullets(reasons: tuple[str, ...]) -> str:
    """Reasons as a markdown list, each a sentence: capital first letter, final full stop.

    >>> print(reason_bullets(("the top probability is only 45%", "A scribble?")))
    - The top probability is only 45%.
    - A scribble?
    """
    return "\n".join(f"- {r[0].upper()}{r[1:]}" + ("" if r[-1] in ".?!" else ".") for r in reasons)


@dataclass(frozen=True)
class Occlusion:
    """How much hiding each part of the image lowers the top guess's probability.

    Attributes:
        drop: (28, 28) float32; positive where covering the pixels lowers the guess (evidence for
            it), negative where covering them raises it (evidence against). Average over the
            PATCH x PATCH squares covering each pixel; 0 on blank background.
        digit: the digit whose probability was tracked.
        base: its probability on the intact image.
        patches: how many occluded images were evaluated.
    """

    drop: np.ndarray
    digit: int
    base: float
    patches: int


def occlusion(
    model: keras.Model, image: np.ndarray, digit: int, patch: int = PATCH, stride: int = STRIDE
) -> Occlusion:
    """Occlusion map (Zeiler & Fergus, 2014): black out a square at a time, see the guess change.

    Squares over blank background change nothing, so only squares touching ink are evaluated
    (about 50–150 images), in batches small enough for the model's layer sizes
    (``core.batching``): one pass for the notebook's CNN.

    Args:
        model: as for :func:`probabilities`.
        image: (28, 28) uint8, the model's input image.
        digit: the class to track (usually the top guess).
        patch: side of the black square, in pixels.
        stride: step between squares.
    """
    image = np.asarray(image)
    h, w = image.shape
    corners = [
        (r, c)
        for r in range(0, h - patch + 1, stride)
        for c in range(0, w - patch + 1, stride)
        if image[r : r + patch, c : c + patch].any()
    ]
    batch = np.repeat(image[np.newaxis].astype(np.float32), len(corners) + 1, axis=0)
    for i, (r, c) in enumerate(corners, start=1):
        batch[i, r : r + patch, c : c + patch] = 0.0
    step = batch_limit(model_step_values(model), len(batch))
    p = np.concatenate(
        [
            probabilities(model, batch[i : i + step, ..., np.newaxis])[:, digit]
            for i in range(0, len(batch), step)
        ]
    )
    total = np.zeros((h, w), np.float64)
    count = np.zeros((h, w), np.float64)
    for r in range(0, h - patch + 1, stride):
        for c in range(0, w - patch + 1, stride):
            count[r : r + patch, c : c + patch] += 1
    for (r, c), drop in zip(corners, p[0] - p[1:], strict=True):
        total[r : r + patch, c : c + patch] += drop
    drop = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
    return Occlusion(drop.astype(np.float32), int(digit), float(p[0]), len(corners))


# --- the shipped pretrained model ----------------------------------------------------------------

MODEL_DIR = Path(__file__).resolve().parent.parent / "models"
MODEL_PATH = MODEL_DIR / "pretrained.keras"


@dataclass(frozen=True, eq=False)
class Pretrained:
    """The shipped model with the architecture it was trained as, and its training record."""

    built: BuiltModel
    meta: dict

    @property
    def test_accuracy(self) -> float | None:
        """Accuracy on MNIST's 10,000 test digits, as recorded by the training script."""
        return self.meta.get("test_accuracy")


def load_pretrained(path: str | Path = MODEL_PATH) -> Pretrained:
    """Load ``models/pretrained.keras`` in Keras's safe mode, with ``pretrained.json`` beside it.

    Raises:
        FileNotFoundError: the model file is missing (the message says how to make it).
        ValueError: the file does not load, or its layers do not match its recorded architecture.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"The pretrained model is missing ({path}). Make it with "
            "`python scripts/train_pretrained.py` from the repository root."
        )
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    model = keras.saving.load_model(path, safe_mode=True, compile=False)
    arch = Architecture.from_url(meta.get("architecture", "")) if meta else NOTEBOOK_CNN
    if len(model.layers) != len(arch.layers) or any(
        type(layer).__name__ != spec.kind
        for layer, spec in zip(model.layers, arch.layers, strict=False)
    ):
        raise ValueError(f"{path.name}'s layers do not match its architecture {arch.to_url()}")
    probabilities(model, np.zeros((1, 28, 28, 1), np.float32))  # warm up the first call
    return Pretrained(BuiltModel(arch, model), meta)
