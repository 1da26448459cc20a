"""Measures how fast an architecture trains here: a few batches of a throwaway copy of the model."""

from __future__ import annotations

import threading
import time
from typing import Any

import keras
import numpy as np

from core import keras_model
from core.architecture import Architecture, LayerSpec
from core.data import Mnist
from core.evaluation import predict_probs
from core.training.dataset import make_dataset
from core.training.estimate import Speed
from core.training.settings import TYPICAL_LR, TrainSettings

MIN_TIMED = 3  # batches timed after the first (which pays for tracing)...
MAX_TIMED = 12  # ... and at most this many,
MIN_TIMED_S = 0.4  # ... stopping after MIN_TIMED once this long has been timed,
MAX_TIMED_S = 2.0  # ... or after one once this long has (a slow model costs little more)
EVAL_IMAGES = 500  # images of the forward-pass timing, at most...
EVAL_S = 0.5  # ... and about this long
_TINY = Architecture(
    (LayerSpec.make("Flatten"), LayerSpec.make("Dense", units=10, activation="softmax"))
)
_calibration: tuple[float, float] | None = None  # (predict's cost per call, its first extra)
_calibration_lock = threading.Lock()


class _BatchClock(keras.callbacks.Callback):
    """Notes when each batch ends; stops once enough batches after the first were timed."""

    def __init__(self) -> None:
        super().__init__()
        self.ends: list[float] = []

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.ends.append(time.perf_counter())
        timed, spent = len(self.ends) - 1, self.ends[-1] - self.ends[0]
        enough = timed >= MIN_TIMED and spent >= MIN_TIMED_S
        slow = timed >= 1 and spent >= MAX_TIMED_S
        if timed >= MAX_TIMED or enough or slow:
            self.model.stop_training = True


def measure_speed(arch: Architecture, batch_size: int, optimizer: str, mnist: Mnist) -> Speed:
    """Times a few training batches and one forward pass of a fresh copy of ``arch``.

    The first batch traces the training step: its time beyond its images is the run's set-up.
    The test passes are timed as forward passes plus Keras's ``predict`` overhead, measured once
    per process on a tiny model. Nothing here changes Keras's global state, and the copy is
    dropped at the end.

    Args:
        arch: a model ``check_compatible`` accepts.
        batch_size: images per batch.
        optimizer: "sgd" or "adam" (the per-weight work differs).
        mnist: images to train on (a few batches' worth of its training set are used).

    Returns:
        The measured ``Speed`` (source "probe").
    """
    call_s, first_extra_s = _predict_overhead()
    model = keras_model.build_model(arch, seed=0).model
    settings = TrainSettings(optimizer=optimizer, learning_rate=TYPICAL_LR.get(optimizer, 0.01))
    start = time.perf_counter()
    model.compile(
        optimizer=settings.make_optimizer(),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    n = min(len(mnist.y_train), batch_size * (1 + MAX_TIMED))
    clock = _BatchClock()
    model.fit(
        make_dataset(mnist.x_train[:n], mnist.y_train[:n], batch_size, seed=0),
        epochs=1,
        verbose=0,
        callbacks=[clock],
    )
    timed = len(clock.ends) - 1
    if timed < 1:
        raise RuntimeError(f"only {len(clock.ends)} batch(es) of {batch_size} could be timed")
    train_ips = timed * batch_size / max(clock.ends[-1] - clock.ends[0], 1e-6)
    setup_s = max(0.0, clock.ends[0] - start - batch_size / train_ips)
    eval_ips = _forward_ips(model, mnist.x_test[:EVAL_IMAGES])
    del model
    return Speed(train_ips, setup_s, eval_ips, call_s, first_extra_s, "probe")


def _forward_ips(model: Any, images: np.ndarray) -> float:
    """Images per second of one direct forward pass, of as many images as take about ``EVAL_S``
    (judged from a warm-up on a few)."""
    x = images.astype(np.float32)[..., np.newaxis]
    model(x[:8], training=False)
    t = time.perf_counter()
    model(x[:16], training=False)
    per_image = max(time.perf_counter() - t, 1e-6) / len(x[:16])
    x = x[: max(16, min(len(x), int(EVAL_S / per_image)))]
    t = time.perf_counter()
    model(x, training=False)
    return len(x) / max(time.perf_counter() - t, 1e-6)


def _predict_overhead() -> tuple[float, float]:
    """(seconds each ``predict`` call costs beyond its images, extra of the first call): once."""
    global _calibration
    with _calibration_lock:
        if _calibration is None:
            model = keras_model.build_model(_TINY, seed=0).model
            images = np.zeros((1_000, 28, 28), np.uint8)
            t0 = time.perf_counter()
            predict_probs(model, images)
            t1 = time.perf_counter()
            predict_probs(model, images)
            t2 = time.perf_counter()
            _calibration = (t2 - t1, max(0.0, (t1 - t0) - (t2 - t1)))
        return _calibration
