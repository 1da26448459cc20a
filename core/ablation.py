"""Switch off chosen filters of a Conv2D layer, their outputs zero, without writing into the model.

A second Keras model is built on the model's own layers (once per model and layer, on a fresh
``keras.Input``), whose chosen layer's output is multiplied by a 0/1 mask over its channels, an
input of its own: a filter switched off outputs zeros everywhere. It runs through
``model.predict`` (compiled: about bare Keras's speed). Nothing is assigned to any weight and no
layer is rebuilt, so the shared pretrained model is only read. For ReLU, tanh or linear filters
(0 in gives 0 out) this is exactly the model with those filters' kernels and biases set to zero
(``tests/test_ablation.py`` checks it against Keras on a cloned model).

Usage::

    mask = filter_mask(32, [3, 7])  # switch off filters 3 and 7
    after = masked_outputs(model, images, index=2, mask=mask, progress=bar)
    change = compare(before, after, labels)  # accuracy before and after, per class
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from core.batching import batch_limit, model_step_values
from core.maths import softmax

NUM_CLASSES = 10
BATCH = 500  # images per forward pass at most (fewer when a layer is wide: core.batching)
HURT = 3  # classes named as hurt most
DIRECT = 32  # up to this many images: a direct call (a few ms) instead of predict's set-up

Progress = Callable[[int, int], None]  # (images done, images in all)


def filter_mask(n_filters: int, off: Sequence[int]) -> np.ndarray:
    """The channel mask: 0.0 for each filter in ``off``, 1.0 for the others.

    Raises:
        ValueError: for a filter number outside 0..n_filters-1.

    >>> filter_mask(4, [1, 3]).tolist()
    [1.0, 0.0, 1.0, 0.0]
    """
    bad = [int(f) for f in off if not 0 <= int(f) < n_filters]
    if bad:
        raise ValueError(f"this layer has filters 0 to {n_filters - 1}; received {bad}")
    mask = np.ones(n_filters, np.float32)
    mask[[int(f) for f in off]] = 0.0
    return mask


def switched_off(n_filters: int, picked: Sequence[int], all_but: bool) -> tuple[int, ...]:
    """The filters to switch off: ``picked``, or every filter except those when ``all_but``.

    >>> switched_off(5, [1, 3], all_but=False), switched_off(5, [1, 3], all_but=True)
    ((1, 3), (0, 2, 4))
    """
    chosen = {int(f) for f in picked}
    if all_but:
        return tuple(f for f in range(n_filters) if f not in chosen)
    return tuple(sorted(chosen))


def masked_outputs(
    model: Any,
    images: np.ndarray,
    index: int | None = None,
    mask: np.ndarray | None = None,
    *,
    progress: Progress | None = None,
    batch: int = BATCH,
) -> np.ndarray:
    """The model's outputs for ``images`` with layer ``index``'s output multiplied by ``mask``.

    Args:
        model: a Keras Sequential taking (N, 28, 28, 1) raw pixels; ``model.layers[index]`` is a
            Conv2D. It is only read.
        images: (N, 28, 28) or (N, 28, 28, 1), any real dtype.
        index: the Conv2D's position; None (or ``mask`` None) runs the model unchanged.
        mask: (filters,) values to multiply each channel by (see ``filter_mask``).
        progress: called with (images done, images in all) after each batch.
        batch: images per forward pass at most.

    Returns:
        (N, outputs) float32, the last layer's output for each image.

    Raises:
        ValueError: if layer ``index`` is not a Conv2D or the mask does not fit its filters.
    """
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if index is None or mask is None:
        return predict_batches(_masked_model(model, None), [x], progress, batch, model)
    mask = _checked_mask(list(model.layers), index, mask)
    masks = np.broadcast_to(mask, (len(x), len(mask)))
    return predict_batches(_masked_model(model, index), [x, masks], progress, batch, model)


def predict_batches(
    model: Any,
    inputs: list[np.ndarray],
    progress: Progress | None = None,
    batch: int = BATCH,
    sized_by: Any = None,
) -> np.ndarray | list[np.ndarray]:
    """``model.predict`` (compiled, so about bare Keras's speed) with a progress callback.

    Batches hold at most ``batch`` images, fewer when a layer of ``sized_by`` (default ``model``)
    is wide (``core.batching``); up to ``DIRECT`` images go through one direct call instead.
    Returns float32 arrays flattened to (N, values), one per output.
    """
    n = len(inputs[0])
    step = batch_limit(model_step_values(sized_by or model), batch)
    if n == 0:
        outs = [np.zeros((0, int(np.prod(o.shape[1:]))), np.float32) for o in model.outputs]
        return outs if len(outs) > 1 else outs[0]
    done = [_Progress(progress, n, step)] if progress is not None else []
    data = inputs if len(inputs) > 1 else inputs[0]
    if n <= min(DIRECT, step):
        out = model(data, training=False)
        out = [keras.ops.convert_to_numpy(o) for o in out] if isinstance(out, list) else out
        for callback in done:
            callback.on_predict_batch_end(0)
    else:
        out = model.predict(data, batch_size=step, verbose=0, callbacks=done)
    flat = [
        np.asarray(o, np.float32).reshape(n, -1) for o in (out if isinstance(out, list) else [out])
    ]
    return flat if len(flat) > 1 else flat[0]


class _Progress(keras.callbacks.Callback):
    """Calls ``report(images done, images in all)`` after each predicted batch."""

    def __init__(self, report: Progress, total: int, step: int) -> None:
        super().__init__()
        self.report, self.total, self.step = report, total, step

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.report(min((batch + 1) * self.step, self.total), self.total)


# Per Keras model, never per user: a masked model shares the layers (and weights) of the model
# it reads, so it is as private or as shared as that model. Weak keys let a dropped model go.
_MASKED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _masked_model(model: Any, index: int | None) -> keras.Model:
    """Model([images, mask], outputs): the model's own layers, layer ``index``'s output times mask
    (index None: Model(images, outputs), the model unchanged).

    Built once per (model, layer) on a fresh ``keras.Input`` (as ``core.activations`` does):
    calling the layers adds graph nodes, never weights, and assigns nothing; ``predict`` then
    runs on this model, never on the (maybe shared) model itself.
    """
    with _LOCK:
        built = _MASKED.setdefault(model, {})
        if index not in built:
            images = keras.Input(shape=tuple(model.inputs[0].shape[1:]), name="images")
            inputs, h = [images], images
            for i, layer in enumerate(model.layers):
                h = layer(h)
                if i == index:
                    filters = layer.filters
                    inputs.append(keras.Input(shape=(filters,), name="mask"))
                    channels = keras.layers.Reshape((1, 1, filters))(inputs[1])
                    h = keras.layers.Multiply()([h, channels])
            built[index] = keras.Model(inputs if len(inputs) > 1 else images, h)
        return built[index]


def _checked_mask(layers: list, index: int, mask: np.ndarray) -> np.ndarray:
    if not 0 <= index < len(layers) or not isinstance(layers[index], keras.layers.Conv2D):
        raise ValueError(f"layer {index} is not a Conv2D layer, so it has no filters to switch off")
    mask = np.asarray(mask, np.float32)
    filters = layers[index].filters
    if mask.shape != (filters,):
        raise ValueError(f"this Conv2D has {filters} filters; the mask has shape {mask.shape}")
    return mask


def as_probabilities(outputs: np.ndarray) -> np.ndarray:
    """``outputs`` as probabilities: unchanged when they already are, else through a softmax.

    Raises:
        ValueError: when there are not 10 outputs per image (not a digit classifier).
    """
    out = np.asarray(outputs, np.float64)
    if out.ndim != 2 or out.shape[1] != NUM_CLASSES:
        raise ValueError(f"the model gives {out.shape[1:]} values per image, not 10 digit scores")
    if len(out) and ((out < 0).any() or not np.allclose(out.sum(axis=1), 1.0, atol=1e-3)):
        out = softmax(out, axis=1)
    return out


@dataclass(frozen=True)
class AccuracyChange:
    """Accuracy on the same test digits with every filter on (before) and some off (after).

    Attributes:
        before: share of the digits read right before, 0..1.
        after: likewise with the filters off.
        per_class_before: (10,) share of each true digit read right before (NaN without any).
        per_class_after: (10,) likewise after.
        counts: (10,) test digits of each class.
        predicted_after: (N,) the digit said for each image with the filters off.
    """

    before: float
    after: float
    per_class_before: np.ndarray
    per_class_after: np.ndarray
    counts: np.ndarray
    predicted_after: np.ndarray

    @property
    def drop(self) -> float:
        """Accuracy lost, in points of 0..1 (negative when it went up)."""
        return self.before - self.after

    @property
    def one_answer(self) -> int | None:
        """The digit said for every image when the model gives one answer to all, else None."""
        said = np.unique(self.predicted_after)
        return int(said[0]) if len(said) == 1 else None

    def hurt_most(self, k: int = HURT) -> list[tuple[int, float]]:
        """Up to ``k`` (digit, accuracy lost) pairs of the classes that lost most, worst first.

        Only classes that lost something are named.
        """
        lost = np.nan_to_num(self.per_class_before - self.per_class_after, nan=0.0)
        order = np.argsort(-lost, kind="stable")
        return [(int(d), float(lost[d])) for d in order[:k] if lost[d] > 0]


def compare(before: np.ndarray, after: np.ndarray, labels: np.ndarray) -> AccuracyChange:
    """The accuracy change between two sets of outputs for the same labelled images.

    >>> before = np.eye(10)[[0, 1, 1]]
    >>> after = np.eye(10)[[0, 0, 0]]
    >>> c = compare(before, after, np.array([0, 1, 1]))
    >>> round(c.before, 2), round(c.after, 2), c.hurt_most()
    (1.0, 0.33, [(1, 1.0)])
    """
    labels = np.asarray(labels, np.int64)
    said_before = as_probabilities(before).argmax(axis=1)
    said_after = as_probabilities(after).argmax(axis=1)
    counts = np.bincount(labels, minlength=NUM_CLASSES)
    return AccuracyChange(
        before=float((said_before == labels).mean()) if len(labels) else float("nan"),
        after=float((said_after == labels).mean()) if len(labels) else float("nan"),
        per_class_before=_per_class(said_before == labels, labels, counts),
        per_class_after=_per_class(said_after == labels, labels, counts),
        counts=counts,
        predicted_after=said_after,
    )


def _per_class(right: np.ndarray, labels: np.ndarray, counts: np.ndarray) -> np.ndarray:
    hits = np.bincount(labels, weights=right.astype(np.float64), minlength=NUM_CLASSES)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, hits / np.maximum(counts, 1), np.nan)
