"""Test helpers for training: JobSnapshots by keyword, a fake job for the callback, tiny data."""

from __future__ import annotations

import time
from typing import Any

from core import data
from core.architecture import Architecture, LayerSpec
from core.training import Curves, EpochResult, JobSnapshot, TrainSettings

L = LayerSpec.make
TINY = Architecture((L("Normalization"), L("Flatten"), L("Dense", units=10, activation="softmax")))
DEADLINE = 120  # seconds a job may take before a test gives up (never a timing assertion)

SETTINGS = TrainSettings("adam", 0.001, 0.0, 128, 2, 6_000, 0)
EPOCHS = (EpochResult(1, 0.5, 0.85, 0.2, 0.95, 3.0), EpochResult(2, 0.2, 0.94, 0.1, 0.97, 3.0))
FINISHED: dict[str, Any] = dict(
    job_id="abc",
    status="finished",
    message="Finished.",
    phase="done",
    queue_position=None,
    settings=SETTINGS,
    epoch=2,
    examples_seen=12_000,
    examples_total=12_000,
    images_per_s=2_000.0,
    eta_s=None,
    train_seconds=6.0,
    curves=Curves((6_000, 12_000), (0.5, 0.2), (0.85, 0.94)),
    epochs=EPOCHS,
    filters=None,
    filter_epochs=(),
    test_probs=None,
    test_loss=0.1,
    test_accuracy=0.97,
    started_at=0.0,
    version=9,
)


def snapshot(**changes: Any) -> JobSnapshot:
    """A finished run's snapshot (two epochs of 6,000 images, 97% on the test set), with ``changes``."""
    return JobSnapshot(**(FINISHED | changes))


def running(**changes: Any) -> JobSnapshot:
    """A snapshot in the middle of epoch 2."""
    state = dict(status="running", phase="training", message="Training.", epoch=2)
    state |= dict(examples_seen=9_000, images_per_s=812.4, eta_s=65.0, epochs=EPOCHS[:1])
    return snapshot(**(state | dict(test_loss=None, test_accuracy=None) | changes))


def small_mnist() -> data.Mnist:
    """2,000 training and 300 test images (jobs evaluate the whole test set they are given)."""
    m = data.load_mnist()
    return data.Mnist(m.x_train[:2_000], m.y_train[:2_000], m.x_test[:300], m.y_test[:300])


def wait_until(condition, timeout: float = DEADLINE) -> None:
    """Polls ``condition`` until it holds; fails after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.02)


class FakeJob:
    """Exactly the ``JobLink`` interface, recording every call: a callback that reached for
    anything else of a job would fail with AttributeError."""

    def __init__(self, settings: TrainSettings, test: tuple[float, float] = (0.3, 0.9)) -> None:
        self.settings = settings
        self.test = test
        self.stop = False
        self.reports: list[dict[str, Any]] = []
        self.points: list[tuple[int, float, float]] = []
        self.epochs: list[EpochResult] = []
        self.filters: list[int | None] = []
        self.evaluations = 0

    def report(self, **changes: Any) -> None:
        self.reports.append(changes)

    def add_point(self, examples: int, loss: float, accuracy: float) -> None:
        self.points.append((examples, loss, accuracy))

    def add_epoch(self, result: EpochResult) -> None:
        self.epochs.append(result)

    def record_filters(self, epoch: int | None = None) -> None:
        self.filters.append(epoch)

    def evaluate(self) -> tuple[float, float]:
        self.evaluations += 1
        return self.test

    def should_stop(self) -> bool:
        return self.stop

    def stop_requested(self) -> bool:
        return self.stop

    def reported(self, name: str) -> list[Any]:
        """Every value reported for ``name``, in order."""
        return [r[name] for r in self.reports if name in r]
