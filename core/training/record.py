"""A job's progress behind one lock: the worker writes it piece by piece, pages read it whole."""

from __future__ import annotations

import threading
import time
from dataclasses import fields
from typing import Any

import numpy as np

from core.training.settings import TrainSettings
from core.training.snapshot import Curves, EpochResult, FeatureFrame, JobSnapshot

# The JobSnapshot fields a record holds (the job adds its id, settings, queue position and wait,
# curves, and the time left before the server's limit).
FIELDS = tuple(
    f.name
    for f in fields(JobSnapshot)
    if f.name
    not in ("job_id", "queue_position", "settings", "curves", "queue_wait_s", "limit_left_s")
)
_SETTABLE = frozenset(FIELDS) - {"version"}
# The feature frames of one job take at most about this many bytes (2 MB each for 2,000 digits of
# a 512-wide layer in float16): beyond it, frames in the middle are dropped (see ``thinned``).
FRAMES_BYTES = 24 * 2**20


class JobRecord:
    """The mutable progress of one job. Thread-safe: every method takes the record's own lock.

    The lock guards only this record and nothing is called while holding it.

    >>> record = JobRecord(TrainSettings(n_train=100, epochs=2))
    >>> record.update(status="running", epoch=1)
    >>> state, curves = record.read()
    >>> state["status"], state["examples_total"], state["version"], curves.examples
    ('running', 200, 1, ())
    """

    def __init__(self, settings: TrainSettings) -> None:
        self._lock = threading.Lock()
        self._state: dict[str, Any] = dict(
            status="queued",
            message="Waiting to start.",
            phase="waiting",
            epoch=0,
            examples_seen=0,
            examples_total=settings.n_train * settings.epochs,
            images_per_s=0.0,
            eta_s=None,
            train_seconds=0.0,
            epochs=(),
            filters=None,
            filter_epochs=(),
            feature_sample=None,
            feature_frames=(),
            test_probs=None,
            test_loss=None,
            test_accuracy=None,
            started_at=time.time(),
            version=0,
        )
        self._curve: tuple[list[int], list[float], list[float]] = ([], [], [])

    def update(self, **changes: Any) -> None:
        """Sets some of ``FIELDS`` (never ``version``: every change bumps it).

        Raises:
            KeyError: for a name that is not a snapshot field.
        """
        unknown = set(changes) - _SETTABLE
        if unknown:
            raise KeyError(f"not a field a job reports: {', '.join(sorted(unknown))}")
        with self._lock:
            self._state.update(changes)
            self._state["version"] += 1

    def add_point(self, examples: int, loss: float, accuracy: float) -> None:
        """Adds one point to the training curves."""
        with self._lock:
            self._curve[0].append(examples)
            self._curve[1].append(loss)
            self._curve[2].append(accuracy)
            self._state["version"] += 1

    def add_epoch(self, result: EpochResult) -> None:
        """Adds a finished epoch's results."""
        with self._lock:
            self._state["epochs"] = self._state["epochs"] + (result,)
            self._state["version"] += 1

    def set_filters(self, kernel: np.ndarray, epoch: int | None = None) -> None:
        """The first convolution's current (read-only) kernel; kept for good when ``epoch`` is given."""
        with self._lock:
            self._state["filters"] = kernel
            if epoch is not None:
                self._state["filter_epochs"] = self._state["filter_epochs"] + ((epoch, kernel),)
            self._state["version"] += 1

    def add_frame(self, frame: FeatureFrame, budget: int = FRAMES_BYTES) -> None:
        """Keeps an epoch's feature frame (replacing one of the same epoch), within ``budget`` bytes."""
        with self._lock:
            kept = [f for f in self._state["feature_frames"] if f.epoch != frame.epoch] + [frame]
            cap = budget // max(1, frame.features.nbytes + frame.predicted.nbytes)
            self._state["feature_frames"] = thinned(kept, cap)
            self._state["version"] += 1

    def get(self, name: str) -> Any:
        """One field's current value."""
        with self._lock:
            return self._state[name]

    def read(self) -> tuple[dict[str, Any], Curves]:
        """A consistent copy of every field and the curves, taken under the lock."""
        with self._lock:
            state = dict(self._state)
            curves = Curves(tuple(self._curve[0]), tuple(self._curve[1]), tuple(self._curve[2]))
        return state, curves


def thinned(frames: list, cap: int) -> tuple:
    """At most ``cap`` frames (2 at least): the first and the last stay, and each frame dropped
    is the middle one whose neighbours are closest, so the epochs kept stay evenly spread.

    >>> from types import SimpleNamespace as F
    >>> [f.epoch for f in thinned([F(epoch=e) for e in range(7)], 4)]
    [0, 2, 4, 6]
    """
    frames = list(frames)
    while len(frames) > max(2, cap):
        gaps = [frames[i + 1].epoch - frames[i - 1].epoch for i in range(1, len(frames) - 1)]
        frames.pop(1 + int(np.argmin(gaps)))
    return tuple(frames)
