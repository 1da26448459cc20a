"""What pages see of a training job: immutable snapshots, its curves and per-epoch results."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.training.settings import TrainSettings

ACTIVE = ("queued", "running")
ENDED = ("stopped", "finished", "failed", "diverged")


@dataclass(frozen=True)
class EpochResult:
    """One finished epoch: training means over the epoch and the test-set figures after it."""

    epoch: int
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    seconds: float  # training time of the epoch, without the test evaluation


@dataclass(frozen=True, eq=False)
class FeatureFrame:
    """The layer before the last for the job's fixed sample of test digits, at one epoch.

    Attributes:
        epoch: the epoch it was taken after; 0 is before training.
        features: (N, d) read-only, float16 (float32 when the values are too large for it);
            d is at most ``core.projection.MAX_WIDTH``.
        predicted: (N,) uint8 read-only, the digit the model said for each of them then.
    """

    epoch: int
    features: np.ndarray
    predicted: np.ndarray


@dataclass(frozen=True)
class Curves:
    """Training curves: one point every few batches (means over those batches)."""

    examples: tuple[int, ...] = ()  # examples seen when the point was taken
    loss: tuple[float, ...] = ()
    accuracy: tuple[float, ...] = ()


@dataclass(frozen=True)
class JobSnapshot:
    """An immutable view of a job for pages. Arrays are read-only and never modified afterwards.

    ``status`` is "queued" or "running" while the job is active, then one of "stopped",
    "finished", "failed" or "diverged".
    """

    job_id: str
    status: str
    message: str
    phase: str  # "waiting", "preparing", "training", "evaluating", "done"
    queue_position: int | None
    settings: TrainSettings
    epoch: int  # current epoch, 1-based (0 before training)
    examples_seen: int
    examples_total: int
    images_per_s: float
    eta_s: float | None
    train_seconds: float
    curves: Curves
    epochs: tuple[EpochResult, ...]
    filters: np.ndarray | None  # current first Conv2D kernel (kh, kw, in, out), or None
    filter_epochs: tuple[tuple[int, np.ndarray], ...]  # (epoch, kernel); epoch 0 = before training
    test_probs: np.ndarray | None  # (N, 10) on the test set after the last epoch or the stop
    test_loss: float | None
    test_accuracy: float | None
    started_at: float  # time.time() when start() was called
    version: int  # changes whenever anything above changes
    queue_wait_s: float | None = None  # while queued: about how long until it starts
    limit_left_s: float | None = None  # while running: seconds until the server's limit stops it
    feature_sample: np.ndarray | None = None  # test-digit indices of the frames (read-only)
    feature_frames: tuple[FeatureFrame, ...] = ()  # epoch 0 (before training), then each epoch

    @property
    def active(self) -> bool:
        """True while queued or running."""
        return self.status in ACTIVE

    @property
    def progress(self) -> float:
        """Share of the training examples seen, 0..1."""
        return min(1.0, self.examples_seen / self.examples_total) if self.examples_total else 0.0

    @property
    def results_nbytes(self) -> int:
        """Bytes of the result arrays a trained model keeps with it: the test probabilities, the
        first layer's filters per epoch, the recorded feature frames and their sample."""
        arrays = [self.test_probs, self.feature_sample, *(k for _, k in self.filter_epochs)]
        arrays += [a for f in self.feature_frames for a in (f.features, f.predicted)]
        return sum(a.nbytes for a in arrays if a is not None)

    @property
    def usable(self) -> bool:
        """True when the weights are worth keeping: finished, or stopped after some training."""
        return self.status in ("finished", "stopped") and self.test_accuracy is not None


def frozen(array: np.ndarray) -> np.ndarray:
    """``array`` made read-only in place (snapshots share arrays, so nobody may change them)."""
    array.flags.writeable = False
    return array
