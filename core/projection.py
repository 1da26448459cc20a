"""The layer before the last, for a fixed sample of test digits, projected to 2-D with PCA (NumPy).

``penultimate`` runs a model's layers on the digits and returns that layer's values (and the
last layer's outputs, for the guesses); ``fit`` finds the two directions along which the digits
differ most (PCA by a singular value decomposition) and ``project`` puts them on those axes.

**Frames of one training run share the final epoch's axes** (``aligned``): the axes (and the
centre) are fitted on the last frame and every earlier frame, the untrained start included, is
projected on them. A unit of the layer is the same unit in every epoch, so one fixed linear map
makes a point's motion from frame to frame the change of its own activations, nothing else;
the final picture is the familiar PCA of the trained model, and earlier frames show how far the
network was from it. Procrustes alignment (each frame's own PCA rotated onto the final one) was
the other choice: it shows each epoch at its best view, but part of every motion is then the
view turning, and an untrained network's "best view" is of noise.

A layer wider than ``MAX_WIDTH`` values is first folded to that many (``fold``), so that 2,000
digits of a 25,088-value Flatten never take hundreds of megabytes. Importing this module does
not import Keras (the Train page uses it).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.evaluation import predict_probs
from core.training.snapshot import FeatureFrame, frozen

log = logging.getLogger(__name__)

SAMPLE = 2_000  # test digits shown
SAMPLE_SEED = 0
MAX_WIDTH = 1_024  # values per digit kept at most (wider layers are folded)
BATCH = 500
FLOAT16_MAX = 6.0e4  # below float16's largest, 65,504


def sample_indices(n_test: int, n: int = SAMPLE, seed: int = SAMPLE_SEED) -> np.ndarray:
    """The fixed sample: ``n`` test-digit indices drawn once with ``seed``, in increasing order.

    >>> sample_indices(5).tolist(), len(sample_indices(10_000)), sample_indices(10_000)[:3].tolist()
    ([0, 1, 2, 3, 4], 2000, [1, 2, 6])
    """
    if n_test <= n:
        return np.arange(n_test, dtype=np.int64)
    chosen = np.random.default_rng(seed).choice(n_test, size=n, replace=False)
    return np.sort(chosen).astype(np.int64)


def fold(features: np.ndarray, width: int = MAX_WIDTH, seed: int = SAMPLE_SEED) -> np.ndarray:
    """Wide features folded to ``width`` columns by a fixed random sketch; narrow ones unchanged.

    Each of the ``d`` columns is given a random sign and added into one of ``width`` buckets
    (d/width columns each, fixed by ``seed`` and ``d``): a count sketch, which keeps the digits'
    distances and inner products close on average, and so the PCA picture.

    >>> x = np.arange(12.0).reshape(2, 6)
    >>> fold(x, width=6) is x, fold(x, width=3).shape
    (True, (2, 3))
    """
    x = np.asarray(features)
    d = x.shape[1]
    if d <= width:
        return x
    rng = np.random.default_rng((seed, d))
    bucket = rng.permutation(np.arange(d) % width)
    sign = rng.choice(np.array([-1.0, 1.0], np.float32), size=d)
    order = np.argsort(bucket, kind="stable")
    starts = np.searchsorted(bucket[order], np.arange(width))
    signed = x[:, order].astype(np.float32) * sign[order]
    return np.add.reduceat(signed, starts, axis=1)


def penultimate(
    model: Any,
    images: np.ndarray,
    *,
    batch: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The layer before the last (folded to ``MAX_WIDTH``) and the last layer's outputs.

    Args:
        model: a Keras Sequential taking (N, 28, 28, 1) raw pixels (only read). With a single
            layer, the "layer before the last" is the input pixels.
        images: (N, 28, 28) or (N, 28, 28, 1), any real dtype.
        batch: images per forward pass at most (fewer for wide layers: ``core.batching``).
        progress: called with (images done, images in all) after each batch.

    Returns:
        (features (N, ≤ MAX_WIDTH) float32, outputs (N, K) float32).
    """
    from core.ablation import predict_batches
    from core.batching import batch_limit, model_step_values

    x = np.asarray(images, dtype=np.float32)
    x = x[..., np.newaxis] if x.ndim == 3 else x
    pair = _two_outputs(model)
    if pair.outputs[0].shape[-1] <= MAX_WIDTH or not len(x):  # one compiled pass over all
        features, outputs = predict_batches(pair, [x], progress, batch, sized_by=model)
        return fold(features), outputs
    step = batch_limit(model_step_values(model), batch)
    features, outputs = [], []
    for start in range(0, len(x), step):  # a wide layer: each batch folded before the next
        flat, out = predict_batches(pair, [x[start : start + step]], batch=step, sized_by=model)
        features.append(fold(flat))
        outputs.append(out)
        if progress is not None:
            progress(min(start + step, len(x)), len(x))
    return np.concatenate(features), np.concatenate(outputs)


# Per Keras model (as core.ablation's masked models): the two-output model made from its layers.
_PAIRS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _two_outputs(model: Any) -> Any:
    """Model(images, [layer before the last, flattened; last layer's output]) on the same layers,
    built once per model on a fresh ``keras.Input`` (nothing of the model is assigned)."""
    import keras

    with _LOCK:
        if model not in _PAIRS:
            h = images = keras.Input(shape=tuple(model.inputs[0].shape[1:]))
            *body, last = model.layers
            for layer in body:
                h = layer(h)
            flat = keras.layers.Flatten()(h) if len(h.shape) > 2 else h
            _PAIRS[model] = keras.Model(images, [flat, last(h)])
        return _PAIRS[model]


def compact(features: np.ndarray) -> np.ndarray:
    """float16 copies (half the bytes) when the values fit in float16 exactly enough, else float32.

    >>> compact(np.ones((2, 3))).dtype, compact(np.full((1, 1), 1e6)).dtype
    (dtype('float16'), dtype('float32'))
    """
    x = np.asarray(features, np.float32)
    fits = x.size == 0 or (np.isfinite(x).all() and np.abs(x).max() < FLOAT16_MAX)
    return x.astype(np.float16) if fits else x.copy()


@dataclass(frozen=True)
class Axes:
    """Two PCA axes: the centre, the directions and their share of the variance.

    Attributes:
        mean: (d,) the centre of the features they were fitted on.
        components: (d, 2) unit directions, the first along the largest variance.
        share: (2,) share of the total variance along each, 0..1 (0 when there is none).
    """

    mean: np.ndarray
    components: np.ndarray
    share: np.ndarray


def fit(features: np.ndarray, k: int = 2) -> Axes:
    """PCA axes of ``features`` (N, d) by an SVD of the centred data (or, when d < N, of its
    d × d scatter matrix: the same axes, faster), signs fixed.

    Each direction's sign makes its largest loading positive, so the same data always gives
    the same picture. Fewer than ``k`` directions (one column, one digit) are padded with zeros.

    >>> axes = fit(np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 0.1]]))
    >>> axes.components[:, 0].round(2).tolist(), round(float(axes.share[1]), 4)
    ([1.0, 0.02], 0.0002)
    """
    x = np.asarray(features, np.float64)
    mean = x.mean(axis=0)
    centred = x - mean
    if x.shape[1] < len(x):  # the d × d scatter matrix is smaller: its SVD (20× faster here)
        _, power, vt = np.linalg.svd(centred.T @ centred, hermitian=True)
    else:
        _, s, vt = np.linalg.svd(centred, full_matrices=False)
        power = s**2
    components = np.zeros((x.shape[1], k))
    share = np.zeros(k)
    m = min(k, len(power))
    components[:, :m] = vt[:m].T
    total = float(power.sum())
    if total > 0:
        share[:m] = power[:m] / total
    biggest = np.abs(components).argmax(axis=0)
    signs = np.sign(components[biggest, np.arange(k)])
    return Axes(mean, components * np.where(signs == 0, 1.0, signs), share)


def project(features: np.ndarray, axes: Axes) -> np.ndarray:
    """``features`` (N, d) on the axes: (N, 2) float32 coordinates."""
    x = np.asarray(features, np.float64)
    return ((x - axes.mean) @ axes.components).astype(np.float32)


def aligned(frames: Sequence[np.ndarray]) -> tuple[np.ndarray, Axes]:
    """Every frame projected on the axes fitted on the last one (see the module docstring).

    Args:
        frames: F arrays (N, d) of the same digits, in order; the last is the final epoch.

    Returns:
        ((F, N, 2) float32 coordinates, the final frame's axes).

    Raises:
        ValueError: for no frames, or frames of different shapes.
    """
    if not frames:
        raise ValueError("there are no frames to project")
    shapes = {np.shape(f) for f in frames}
    if len(shapes) != 1:
        raise ValueError(f"the frames must all have one shape; received {sorted(shapes)}")
    axes = fit(frames[-1])
    return np.stack([project(f, axes) for f in frames]), axes


class FrameRecorder:
    """A training job's feature frames: the layer before the last for a fixed sample, per epoch.

    The job calls ``start`` once, ``frame`` before training (epoch 0) and ``test_probs`` for each
    test pass. The sample's digits are part of every test pass anyway: running them layer by
    layer gives their probabilities and the layer before the last at once, so a frame costs
    almost nothing beyond the test evaluation (``bench/experiments/projection.py`` measures it).
    A failure while taking a frame is logged and ends the frames, never the run.

    Args:
        keep: called with each new ``FeatureFrame`` (the job's record keeps it).
        on: False records nothing (``test_probs`` is then a plain test pass).
    """

    def __init__(self, keep: Callable[[FeatureFrame], None], on: bool = True) -> None:
        self.keep, self.on = keep, on
        self.sample: np.ndarray | None = None

    def start(self, n_test: int) -> np.ndarray | None:
        """Draws the sample of a test set of ``n_test`` digits; returns it (None when off)."""
        self.sample = frozen(sample_indices(n_test)) if self.on else None
        return self.sample

    def frame(self, model: Any, x_test: np.ndarray, epoch: int) -> np.ndarray | None:
        """Keeps frame ``epoch`` of the sample; returns the sample's outputs (None without one)."""
        if self.sample is None:
            return None
        return self._keep(epoch, lambda: penultimate(model, x_test[self.sample]))

    def test_probs(self, model: Any, x_test: np.ndarray, epoch: int) -> np.ndarray:
        """(N, outputs) float32 for the whole test set, keeping frame ``epoch`` from the same pass.

        A layer up to ``MAX_WIDTH`` wide: one pass over every test digit gives both, and the
        frame keeps the sample's rows. A wider one: the sample goes through apart, folded batch
        by batch, and the rest through ``predict_probs``, so memory stays bounded.
        """
        sample = self.sample
        if sample is None:
            return predict_probs(model, x_test).astype(np.float32)
        if _two_outputs(model).outputs[0].shape[-1] <= MAX_WIDTH:
            outputs = self._keep(epoch, lambda: penultimate(model, x_test), rows=sample)
            return outputs if outputs is not None else predict_probs(model, x_test)
        outputs = self.frame(model, x_test, epoch)
        if outputs is None:
            return predict_probs(model, x_test).astype(np.float32)
        rest = np.ones(len(x_test), bool)
        rest[sample] = False
        probs = np.empty((len(x_test), outputs.shape[1]), np.float32)
        probs[sample] = outputs
        probs[rest] = predict_probs(model, x_test[rest])
        return probs

    def _keep(
        self, epoch: int, compute: Callable[[], tuple], rows: np.ndarray | None = None
    ) -> np.ndarray | None:
        """Runs ``compute`` -> (features, outputs) and keeps the frame of ``rows`` (all when
        None); returns the outputs, or None after logging a failure (no frames from then on)."""
        try:
            features, outputs = compute()
        except Exception:  # noqa: BLE001 - the frames are a side show: never fail the run for them
            log.exception("no feature frames from epoch %s on", epoch)
            self.sample = None
            return None
        picked = outputs if rows is None else outputs[rows]
        features = features if rows is None else features[rows]
        predicted = frozen(picked.argmax(axis=1).astype(np.uint8))
        self.keep(FeatureFrame(epoch, frozen(compact(features)), predicted))
        return outputs
