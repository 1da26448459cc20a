"""The Keras callback that reports a job's progress after each batch, through a small interface."""

from __future__ import annotations

import math
import time
from typing import Any, Protocol, runtime_checkable

import keras

from core.training.courtesy import COURTESY
from core.training.settings import TrainSettings
from core.training.snapshot import EpochResult

CURVE_POINTS = 400  # at most about this many points per curve: one every few batches
FILTER_EVERY_S = 0.3  # live copy of the first layer's kernels at most this often
# A batch loss above this means the outputs have blown up (a sane start is about 2.3; a model without
# Normalization on raw 0..255 pixels can legitimately pass through thousands).
EXPLODED_LOSS = 1e6
CHANCE = 0.2  # a test accuracy below this after an epoch is about guessing (10% for ten digits)
ROSE = 1.5  # ... and an epoch's mean loss this many times the first one's: diverged, not just slow


@runtime_checkable
class JobLink(Protocol):
    """All the callback may do to its job (``TrainingJob`` implements it; tests use a fake)."""

    settings: TrainSettings

    def report(self, **changes: Any) -> None:
        """Sets snapshot fields: epoch, phase, message, examples_seen, images_per_s, eta_s..."""

    def add_point(self, examples: int, loss: float, accuracy: float) -> None:
        """Adds a point to the training curves."""

    def add_epoch(self, result: EpochResult) -> None:
        """Adds a finished epoch's results."""

    def record_filters(self, epoch: int | None = None) -> None:
        """Copies the first convolution's kernel (kept for good when ``epoch`` is given)."""

    def evaluate(self) -> tuple[float, float]:
        """Measures and reports (test loss, test accuracy) of the model as it is now.

        ``TrainingJob`` also keeps the epoch's feature frame from the same pass: the layer
        before the last for a fixed sample of test digits (``core.projection.FrameRecorder``).
        """

    def should_stop(self) -> bool:
        """True once a stop was asked for (checks whether the tab was closed, now and then)."""

    def stop_requested(self) -> bool:
        """True once a stop was asked for (no check of the tab)."""


class Progress(keras.callbacks.Callback):
    """Updates the job after each batch, stops on request or on a non-finite loss, tests each epoch.

    Args:
        job: the job to report to.
        n_test: images in the test set (to estimate the time its evaluations will take).
    """

    def __init__(self, job: JobLink, n_test: int) -> None:
        super().__init__()
        self.job, self.n_test = job, n_test
        s = job.settings
        self.n, self.batch = s.n_train, s.batch_size
        self.every = max(1, round(math.ceil(self.n / self.batch) * s.epochs / CURVE_POINTS))
        self.diverged = ""  # why the run was stopped as diverged, or ""
        self.seen_before = 0  # examples of earlier epochs
        self.train_s = 0.0  # training time of finished epochs
        self.eval_s = 0.0  # time of the last test evaluation
        self.next_filters = 0.0
        self.rate_examples, self.rate_s = 0, 0.0  # training speed, leaving out the first batch
        self.start_loss = math.inf  # the first curve point: the loss before much was learnt
        self.first_batch = True

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch = epoch + 1
        self.prev = (0, 0.0, 0.0)  # (examples in epoch, running loss, running accuracy)
        self.chunk = [0, 0.0, 0.0, 0]  # examples, loss sum, correct sum, batches
        self.t_epoch = self.t_last = time.monotonic()
        self.job.report(epoch=self.epoch)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss, acc = float(logs["loss"]), float(logs["accuracy"])
        seen = min((batch + 1) * self.batch, self.n)
        done = seen - self.prev[0]
        # Keras reports running means over the epoch; recover this batch's own mean from them.
        batch_loss = (loss * seen - self.prev[1] * self.prev[0]) / done
        if not math.isfinite(loss) or batch_loss > EXPLODED_LOSS:
            self._diverge(self.seen_before + seen, loss)
            return
        batch_acc = min(1.0, max(0.0, (acc * seen - self.prev[2] * self.prev[0]) / done))
        self.prev = (seen, loss, acc)
        self._add_to_curve(done, batch_loss, batch_acc, self.seen_before + seen, seen == self.n)
        self._progress(done, self.seen_before + seen)
        now = time.monotonic()
        if now >= self.next_filters:
            self.next_filters = now + FILTER_EVERY_S
            self.job.record_filters()
        if self.job.should_stop():
            self.model.stop_training = True
        COURTESY.give_way()  # a page run in progress goes first (bounded: see courtesy.py)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.diverged or self.job.stop_requested():
            return
        epoch_s = time.monotonic() - self.t_epoch
        self.train_s += epoch_s
        self.seen_before += self.n
        self.job.record_filters(epoch=self.epoch)
        self.job.report(
            phase="evaluating", message=f"Epoch {self.epoch}: measuring the test accuracy."
        )
        t = time.monotonic()
        test_loss, test_acc = self.job.evaluate()
        self.eval_s = time.monotonic() - t
        result = EpochResult(
            self.epoch, float(logs["loss"]), float(logs["accuracy"]), test_loss, test_acc, epoch_s
        )
        self.job.add_epoch(result)
        self.job.report(phase="training", message="Training.", train_seconds=self.train_s)
        if test_acc < CHANCE and result.train_loss > ROSE * self.start_loss:
            self._stop_as_diverged(diverged_after_epoch(self.job.settings, result, self.start_loss))
        elif self.epoch < self.job.settings.epochs and self.job.should_stop():
            self.model.stop_training = True  # asked during the test pass: no batch more to test

    def _add_to_curve(self, done: int, loss: float, acc: float, total: int, last: bool) -> None:
        """Adds one batch to the current chunk; every few batches the chunk becomes a point."""
        c = self.chunk
        c[0] += done
        c[1] += loss * done
        c[2] += acc * done
        c[3] += 1
        if c[3] >= self.every or last:
            if self.start_loss == math.inf:
                self.start_loss = c[1] / c[0]
            self.job.add_point(total, c[1] / c[0], c[2] / c[0])
            self.chunk = [0, 0.0, 0.0, 0]

    def _progress(self, done: int, total_seen: int) -> None:
        now = time.monotonic()
        if not self.first_batch:  # the first batch pays for tracing the model: leave it out
            self.rate_examples += done
            self.rate_s += now - self.t_last
        self.first_batch, self.t_last = False, now
        rate = self.rate_examples / self.rate_s if self.rate_s > 0.2 else 0.0
        s = self.job.settings
        eta = None
        if rate > 0:
            left_evals = s.epochs - self.epoch + 1
            eval_s = self.eval_s or self.n_test / (3 * rate)
            eta = (s.epochs * self.n - total_seen) / rate + left_evals * eval_s
        self.job.report(
            examples_seen=total_seen,
            images_per_s=rate,
            eta_s=eta,
            train_seconds=self.train_s + now - self.t_epoch,
        )

    def _diverge(self, total_seen: int, loss: float) -> None:
        self._stop_as_diverged(exploded(self.job.settings, self.epoch, total_seen, loss))

    def _stop_as_diverged(self, why: str) -> None:
        self.diverged = why
        self.model.stop_training = True


def exploded(settings: TrainSettings, epoch: int, total_seen: int, loss: float) -> str:
    """Why a run whose loss blew up was stopped, and what to try.

    >>> exploded(TrainSettings(learning_rate=5.0), 1, 320, float("nan"))[:44]
    'The loss became infinite or NaN (not a numbe'
    """
    what = (
        f"exploded to {loss:.3g}"
        if math.isfinite(loss)
        else "became infinite or NaN (not a number)"
    )
    return (
        f"The loss {what} in epoch {epoch}, after {total_seen:,} images: the training "
        f"diverged, so it was stopped. The learning rate {settings.learning_rate:g} is probably too "
        f"large; try {settings.typical_lr()}. Your model and earlier runs are kept."
    )


def diverged_after_epoch(settings: TrainSettings, result: EpochResult, start_loss: float) -> str:
    """Why a run that got worse over an epoch, down to guessing, was stopped, and what to try."""
    return (
        f"After epoch {result.epoch} the test accuracy is {result.test_accuracy:.1%}, no better than "
        f"guessing, and the training loss went up (from {start_loss:.3g} to "
        f"{result.train_loss:.3g}) instead of down: the training diverged, so it was stopped. "
        f"The learning rate {settings.learning_rate:g} is probably too large; try "
        f"{settings.typical_lr()}. Your model and earlier runs are kept."
    )
