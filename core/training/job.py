"""One training run of one model in a worker thread that never touches Streamlit."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from core.data import Mnist, subset
from core.evaluation import loss_and_accuracy
from core.projection import FrameRecorder
from core.text import short_error
from core.training.alive import GRACE_S, AliveWatch
from core.training.dataset import make_dataset
from core.training.estimate import estimate_run
from core.training.limit import RunClock, limit_stop_message
from core.training.progress import CHANCE, Progress
from core.training.record import JobRecord
from core.training.settings import TrainSettings
from core.training.slots import JobSlots
from core.training.snapshot import EpochResult, JobSnapshot, frozen
from core.training.speeds import speed_key

log = logging.getLogger(__name__)

STOPPED = "Stopped: the weights learnt so far are kept."
TAB_CLOSED = "Stopped: the browser tab was closed."
LEARN_AFTER_BATCHES = 20  # a run's speed is worth keeping after this many (more than a probe's)


class TrainingJob:
    """One training run of one model, in a worker thread; pages read ``snapshot()``.

    Pages call ``start``, ``snapshot``, ``request_stop``, ``is_alive`` and ``wait``. The worker's
    Keras callback (``core.training.progress.Progress``) calls the ``JobLink`` methods below them.

    Lock order: the job's record lock is taken alone and released before the job asks its
    JobSlots anything; the slots' lock is innermost and calls nothing while held.

    Args:
        built: a BuiltModel (``.arch``, ``.model``: a fresh, uncompiled keras.Sequential).
        settings: validated TrainSettings.
        now: the clock of the server's time limit per run (tests pass a fake one).
        frames: keep the layer before the last for a fixed sample of test digits before training
            and after each epoch (``JobSnapshot.feature_frames``, ``core.projection``).
    """

    def __init__(
        self,
        built: Any,
        settings: TrainSettings,
        now: Callable[[], float] = time.monotonic,
        frames: bool = True,
    ) -> None:
        self.built = built
        self.settings = settings
        self.job_id = uuid.uuid4().hex[:12]
        self._record = JobRecord(settings)
        self._stop = threading.Event()
        self._stop_lock = threading.Lock()
        self._stop_reason = ""
        self._thread: threading.Thread | None = None
        self._slots: JobSlots | None = None
        self._watch = AliveWatch(None)
        self._mnist: Mnist | None = None
        self._n_test = 0
        self._conv = built.arch.first("Conv2D")
        self._frames = FrameRecorder(self._record.add_frame, on=frames)
        self._now = now
        # The server's time limit per run: start() takes it from the slots.
        self._clock = RunClock(None, now)

    # --- for pages -------------------------------------------------------------------------------
    def snapshot(self) -> JobSnapshot:
        """An immutable copy of the job's progress; cheap enough to call several times a second."""
        state, curves = self._record.read()
        queued = self._slots is not None and state["status"] == "queued"
        position = self._slots.position(self.job_id) if queued else None
        wait = self._slots.wait(self.job_id).seconds if position else None
        running = state["status"] == "running"
        return JobSnapshot(
            job_id=self.job_id,
            queue_position=position,
            settings=self.settings,
            curves=curves,
            queue_wait_s=wait,
            limit_left_s=self._clock.left() if running else None,
            **state,
        )

    def expected_s(self) -> float | None:
        """How long the whole run should take here (with the server's limit), from the measured
        speed of its architecture; None before that speed is known."""
        speed = self._slots.speeds.get(speed_key(self.built.arch, self.settings))
        if speed is None:
            return None
        return estimate_run(speed, self.settings, self._n_test, self._clock.limit_s).expected_s

    def remaining_s(self) -> float | None:
        """Seconds until this job frees its slot: all of it while queued; None when not known.

        What the queue's wait is made of (``JobSlots.wait``), so it never calls the slots.
        """
        status, eta = self._record.get("status"), self._record.get("eta_s")
        expected = self.expected_s()
        if status == "queued":
            return expected
        elapsed = self._clock.elapsed() or 0.0
        left = eta if eta is not None else (None if expected is None else expected - elapsed)
        limit_left = self._clock.left()
        if limit_left is not None and (left is None or left > limit_left):
            last_test = 0.0 if expected is None else max(0.0, expected - self._clock.limit_s)
            left = limit_left + last_test  # stopped at the limit, then one test pass
        return None if left is None else max(0.0, left)

    def request_stop(self, reason: str = STOPPED) -> None:
        """Asks the worker to stop after the current batch (it keeps the weights learnt so far)."""
        with self._stop_lock:
            if not self._stop_reason:
                self._stop_reason = reason
        self._stop.set()

    def is_alive(self) -> bool:
        """True while the worker thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Joins the worker; returns True when it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.is_alive()

    def start(
        self,
        mnist: Mnist,
        slots: JobSlots | None = None,
        session_alive: Callable[[], bool] | None = None,
        grace_s: float = GRACE_S,
    ) -> None:
        """Starts the worker thread (once).

        Args:
            mnist: the data; ``settings.n_train`` images of its training set are used, and its whole
                test set is evaluated after each epoch (pass a smaller Mnist in tests).
            slots: the server-wide queue; the job waits for a slot (status "queued") first.
            session_alive: asked about once a second; when it has been False for ``grace_s`` seconds
                the job stops (its browser tab has closed).
            grace_s: the grace period.

        Raises:
            RuntimeError: if the job was started before.
        """
        if self._thread is not None:
            raise RuntimeError("this training job has already been started")
        self._slots, self._mnist, self._n_test = slots, mnist, len(mnist.y_test)
        self.report(feature_sample=self._frames.start(self._n_test))
        self._clock = RunClock(slots.run_limit_s if slots is not None else None, self._now)
        self._watch = AliveWatch(session_alive, grace_s)
        self._thread = threading.Thread(
            target=self._run, name=f"training-{self.job_id}", daemon=True
        )
        self._thread.start()

    # --- JobLink: what the worker's callback may do ----------------------------------------------
    def report(self, **changes: Any) -> None:
        """Sets snapshot fields (see ``core.training.record.FIELDS``)."""
        self._record.update(**changes)

    def add_point(self, examples: int, loss: float, accuracy: float) -> None:
        """Adds a point to the training curves."""
        self._record.add_point(examples, loss, accuracy)

    def add_epoch(self, result: EpochResult) -> None:
        """Adds a finished epoch's results."""
        self._record.add_epoch(result)

    def record_filters(self, epoch: int | None = None) -> None:
        """Copies the first Conv2D's kernel (kept for good when ``epoch`` is given); none without one."""
        if self._conv is None:
            return
        kernel = keras.ops.convert_to_numpy(self.built.model.layers[self._conv].kernel)
        self._record.set_filters(frozen(np.array(kernel, copy=True)), epoch)

    def evaluate(self) -> tuple[float, float]:
        """Measures (test loss, test accuracy) of the model as it is now, and reports them; the
        same pass keeps the epoch's feature frame (``core.projection.FrameRecorder``)."""
        mnist, epoch = self._mnist, self._record.get("epoch")
        probs = frozen(self._frames.test_probs(self.built.model, mnist.x_test, epoch))
        loss, acc = loss_and_accuracy(probs, mnist.y_test)
        self._record.update(test_probs=probs, test_loss=loss, test_accuracy=acc)
        return loss, acc

    def should_stop(self) -> bool:
        """True once a stop was asked for; a tab closed for the grace period asks for one, and so
        does the server's time limit."""
        if self._watch.closed():
            self.request_stop(TAB_CLOSED)
        if self._clock.passed():
            self.request_stop(limit_stop_message(self._clock.limit_s))
        return self._stop.is_set()

    def stop_requested(self) -> bool:
        """True once a stop was asked for."""
        return self._stop.is_set()

    # --- the worker ------------------------------------------------------------------------------
    def _run(self) -> None:
        held = False
        try:
            if self._slots is not None:
                held = self._slots.acquire(
                    self.job_id, self.should_stop, remaining=self.remaining_s
                )
                if not held:
                    self.report(
                        status="stopped", phase="done", message="Stopped before it started."
                    )
                    return
            self._clock.start()
            self._train()
        except Exception as err:  # noqa: BLE001 - any failure is reported on the page, never raised
            log.exception("training job %s failed", self.job_id)
            message = f"Training failed: {short_error(err)}"
            self.report(status="failed", phase="done", eta_s=None, message=message)
        finally:
            if held:
                self._learn_speed()
                self._slots.release(self.job_id)
            self._mnist = None  # the job keeps no reference to the data once it has ended

    def _train(self) -> None:
        s = self.settings
        self.report(
            status="running", phase="preparing", message="Preparing the data and the model."
        )
        x, y = subset(self._mnist, s.n_train, s.seed)
        model = self.built.model
        model.compile(
            optimizer=s.make_optimizer(),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        self.record_filters(epoch=0)
        self._frames.frame(model, self._mnist.x_test, 0)
        progress = Progress(self, len(self._mnist.y_test))
        dataset = make_dataset(x, y, s.batch_size, s.seed)
        self.report(phase="training", message="Training.")
        model.fit(dataset, epochs=s.epochs, verbose=0, shuffle=False, callbacks=[progress])
        del dataset
        self._finish(progress.diverged)

    def _learn_speed(self) -> None:
        """Gives the server's speed book this run's training speed, once measured on enough batches."""
        snap = self.snapshot()
        enough = min(snap.examples_total, LEARN_AFTER_BATCHES * self.settings.batch_size)
        if snap.images_per_s > 0 and snap.examples_seen >= enough:
            key = speed_key(self.built.arch, self.settings)
            self._slots.speeds.learn(key, snap.images_per_s)

    def _finish(self, diverged: str) -> None:
        """Reports how the run ended; a run stopped mid-epoch is tested first."""
        done = dict(phase="done", eta_s=None)
        if diverged:
            self.report(status="diverged", message=diverged, **done)
        elif self._watch.closed_for_good:
            self.report(status="stopped", message=self._stop_reason, **done)
        elif self._stop.is_set():
            snap = self.snapshot()
            if not snap.epochs or snap.epochs[-1].epoch != snap.epoch:  # stopped mid-epoch
                self.record_filters(epoch=snap.epoch)
                self.report(phase="evaluating", message="Stopped; measuring the test accuracy.")
                self.evaluate()
            self.report(status="stopped", message=self._stop_reason, **done)
        else:
            self.report(status="finished", message=finished_message(self.snapshot()), **done)


def finished_message(snap: JobSnapshot) -> str:
    """``Finished.``, with advice when the test accuracy is about guessing."""
    acc = snap.test_accuracy
    if acc is None or acc >= CHANCE:
        return "Finished."
    return (
        f"Finished. But {acc:.1%} on the test set is about guessing: this model has not learnt. Try "
        f"another learning rate (usually {snap.settings.typical_lr()}), more epochs, or a "
        "Normalization layer first."
    )
