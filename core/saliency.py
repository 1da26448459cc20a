"""What a model looked at for one digit: the gradient of its top class on the input, and Draw's occlusion map.

Usage::

    why = explain(model, x_test[i])  # (28, 28) uint8 in, the maps and the two top guesses out
    why.gradient.grad  # how P(top) changes per unit of each pixel (0..255 scale)
    why.occlusion.drop  # how P(top) drops when a 6x6 square there is blacked out

Keras and TensorFlow are imported only when a map is computed (``mistake_cells`` needs neither).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.evaluation import NUM_CLASSES

if TYPE_CHECKING:
    from core.predict import Occlusion


@dataclass(frozen=True)
class Gradient:
    """The gradient of one class's probability on the input image.

    Attributes:
        grad: (28, 28) float32; how much P(``digit``) rises per unit of brightness added to each
            pixel (pixels run 0..255). Positive: more ink there makes the model surer; negative:
            less sure.
        digit: the class whose probability was differentiated.
        probability: P(``digit``) on the image.
    """

    grad: np.ndarray
    digit: int
    probability: float


@dataclass(frozen=True)
class Explanation:
    """One digit and what drove a model's answer to it.

    Attributes:
        image: (28, 28) uint8, the model's input.
        probs: (10,) float64 probabilities.
        top: the most probable digit.
        second: the runner-up.
        occlusion: ``core.predict.occlusion`` for ``top`` (Draw's map).
        gradient: :func:`gradient_map` for ``top``.
    """

    image: np.ndarray
    probs: np.ndarray
    top: int
    second: int
    occlusion: Occlusion
    gradient: Gradient


def _as_probabilities(out: Any) -> Any:
    """The model's outputs as probabilities (a softmax when they are not), as ``core.predict`` does."""
    import tensorflow as tf

    values = np.asarray(out, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != NUM_CLASSES:
        raise ValueError(
            f"the model returns shape {values.shape[1:]} per image; it needs 10 outputs, one per digit"
        )
    if (values < 0).any() or not np.allclose(values.sum(axis=1), 1.0, atol=1e-3):
        return tf.nn.softmax(out, axis=-1)
    return out


def gradient_map(model: Any, image: np.ndarray, digit: int | None = None) -> Gradient:
    """The gradient of P(``digit``) with respect to each input pixel (``tf.GradientTape``).

    Args:
        model: a Keras model (TensorFlow backend) taking (N, 28, 28, 1) raw pixels 0..255 and
            returning 10 probabilities (or 10 scores, turned into probabilities here).
        image: (28, 28), any real dtype.
        digit: the class to explain; default the model's top guess.

    Returns:
        A Gradient; the model is only read, never changed.

    Raises:
        ValueError: if the model does not return 10 numbers per image.
    """
    import tensorflow as tf

    x = tf.constant(np.asarray(image, dtype=np.float32)[np.newaxis, ..., np.newaxis])
    with tf.GradientTape() as tape:
        tape.watch(x)
        probs = _as_probabilities(model(x, training=False))
        chosen = int(np.argmax(np.asarray(probs)[0])) if digit is None else int(digit)
        score = probs[0, chosen]
    grad = tape.gradient(score, x)
    values = np.zeros(x.shape[1:3], np.float32) if grad is None else np.asarray(grad)[0, ..., 0]
    return Gradient(values.astype(np.float32), chosen, float(score))


def explain(model: Any, image: np.ndarray) -> Explanation:
    """The model's two top guesses for ``image``, its occlusion map and its gradient map for the top one.

    Works on any model taking MNIST's images, trained or not (an untrained one gives honest, noisy
    maps); a blank image gives an occlusion map of zeros (no square touches ink).

    Raises:
        ValueError: if the model does not return 10 numbers per image.
    """
    from core import predict

    image = np.asarray(image)
    probs = predict.probabilities(model, image.astype(np.float32)[np.newaxis, ..., np.newaxis])[0]
    order = np.argsort(-probs, kind="stable")
    top, second = int(order[0]), int(order[1])
    return Explanation(
        image=image,
        probs=probs,
        top=top,
        second=second,
        occlusion=predict.occlusion(model, image, top),
        gradient=gradient_map(model, image, top),
    )


def mistake_cells(cm: np.ndarray) -> list[tuple[int, int, int]]:
    """The confusion matrix's mistakes as (true digit, predicted digit, count), largest first.

    Empty cells are left out, so a model that gets every digit right gives an empty list.

    >>> mistake_cells(np.array([[5, 1, 0], [3, 4, 0], [0, 0, 2]]))
    [(1, 0, 3), (0, 1, 1)]
    """
    cm = np.asarray(cm, dtype=np.int64)
    cells = [
        (t, p, int(cm[t, p])) for t in range(len(cm)) for p in range(len(cm)) if t != p and cm[t, p]
    ]
    return sorted(cells, key=lambda c: -c[2])
