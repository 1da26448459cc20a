"""Training beside the page: settings, a model check, a fair job queue, and a job run in a worker thread.

The worker never touches Streamlit. Pages poll ``job.snapshot()`` (an immutable copy) and call
``job.request_stop()``; everything else happens in the worker::

    job = TrainingJob(build_model(WORKSHOP_CNN, seed=0), QUICK)
    job.start(load_mnist(), slots=JobSlots(1))
    while job.snapshot().active:
        time.sleep(0.5)
    print(job.snapshot().test_accuracy)
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from core.architecture import Architecture
from core.data import Mnist, subset
from core.evaluation import loss_and_accuracy, predict_probs
from core.layers import brief
from core.shapes import format_shape, trace

log = logging.getLogger(__name__)

OPTIMIZERS = ("sgd", "adam")
SUBSETS = (2_000, 6_000, 12_000, 60_000)  # what the Train page offers
MAX_EPOCHS = 50
MAX_BATCH = 4_096
MAX_LEARNING_RATE = 10.0
STATUSES = ("queued", "running", "stopped", "finished", "failed", "diverged")
CURVE_POINTS = 400  # at most about this many points per curve: one every few batches
FILTER_EVERY_S = 0.3  # live copy of the first layer's kernels at most this often
ALIVE_EVERY_S = 1.0  # how often a job asks whether its browser tab is still open
GRACE_S = 5.0  # a closed tab's job stops after this long
# A batch loss above this means the outputs have blown up (a sane start is about 2.3; a model without
# Normalization on raw 0..255 pixels can legitimately pass through thousands).
EXPLODED_LOSS = 1e6
CHANCE = 0.2  # a test accuracy below this after an epoch is about guessing (10% for ten digits)
ROSE = 1.5  # ... and an epoch's mean loss this many times the first one's: diverged, not just slow


@dataclass(frozen=True)
class TrainSettings:
    """How to train: optimizer, step size, batch, epochs, how much of MNIST, seed.

    ``momentum`` applies to SGD only. The seed fixes the subset, the initial weights and the
    order of the batches.

    >>> TrainSettings(epochs=0).validate(60_000)
    ('Epochs must be at least 1; got 0.',)
    """

    optimizer: str = "sgd"
    learning_rate: float = 0.01
    momentum: float = 0.0
    batch_size: int = 32
    epochs: int = 3
    n_train: int = 60_000
    seed: int = 0

    def validate(self, n_available: int = 60_000) -> tuple[str, ...]:
        """Returns one plain message per problem; an empty tuple means the settings can be used."""
        problems = []
        if self.optimizer not in OPTIMIZERS:
            problems.append(
                f"Optimizer must be one of {', '.join(OPTIMIZERS)}; got {brief(self.optimizer)}."
            )
        lr = _number(self.learning_rate)
        if lr is None or not math.isfinite(lr):
            problems.append(
                f"Learning rate must be a finite number; got {brief(self.learning_rate)}."
            )
        elif not 0 < lr <= MAX_LEARNING_RATE:
            problems.append(
                f"Learning rate must be above 0 and at most {MAX_LEARNING_RATE:g}; got {lr:g}. "
                + ("With 0 nothing is learnt. " if lr == 0 else "")
                + "Typical values: 0.01 for SGD, 0.001 for Adam."
            )
        mom = _number(self.momentum)
        if mom is None or not (math.isfinite(mom) and 0 <= mom < 1):
            problems.append(f"Momentum must be at least 0 and below 1; got {brief(self.momentum)}.")
        if not _whole(self.epochs) or not 1 <= self.epochs <= MAX_EPOCHS:
            problems.append(
                f"Epochs must be at least 1; got {brief(self.epochs)}."
                if _whole(self.epochs) and self.epochs < 1
                else f"Epochs must be a whole number from 1 to {MAX_EPOCHS}; got {brief(self.epochs)}."
            )
        if not _whole(self.n_train) or not 1 <= self.n_train <= n_available:
            problems.append(
                f"Training images must be a whole number from 1 to {n_available:,}; got {brief(self.n_train)}."
            )
        if not _whole(self.batch_size) or not 1 <= self.batch_size <= MAX_BATCH:
            problems.append(
                f"Batch size must be a whole number from 1 to {MAX_BATCH:,}; got {brief(self.batch_size)}."
            )
        elif _whole(self.n_train) and self.batch_size > self.n_train >= 1:
            problems.append(
                f"Batch size {self.batch_size:,} is larger than the {self.n_train:,} training images: "
                "choose a smaller batch or more images."
            )
        if not _whole(self.seed) or not 0 <= self.seed < 2**31:
            problems.append(
                f"Seed must be a whole number from 0 to {2**31 - 1}; got {brief(self.seed)}."
            )
        return tuple(problems)

    def describe(self) -> str:
        """One line, e.g. ``Adam lr 0.001 · batch 128 · 2 epochs · 60,000 images · seed 0``."""
        opt = "Adam" if self.optimizer == "adam" else "SGD"
        mom = f" momentum {self.momentum:g}" if self.optimizer == "sgd" and self.momentum else ""
        return (
            f"{opt} lr {self.learning_rate:g}{mom} · batch {self.batch_size} · "
            f"{self.epochs} epoch{'s' if self.epochs != 1 else ''} · {self.n_train:,} images · seed {self.seed}"
        )

    def make_optimizer(self) -> keras.optimizers.Optimizer:
        """A fresh Keras optimizer for these settings (see ``_no_single_replica_all_reduce``)."""
        if self.optimizer == "adam":
            optimizer = keras.optimizers.Adam(learning_rate=float(self.learning_rate))
        else:
            optimizer = keras.optimizers.SGD(
                learning_rate=float(self.learning_rate), momentum=float(self.momentum)
            )
        return _no_single_replica_all_reduce(optimizer)


def _no_single_replica_all_reduce(
    optimizer: keras.optimizers.Optimizer,
) -> keras.optimizers.Optimizer:
    """Skips the optimizer's gradient all-reduce when there is one replica (always, in this app).

    Keras's TensorFlow optimizer sums gradients over replicas with
    ``tf.distribute.get_replica_context().all_reduce``; with one replica that is the identity, but
    in graph mode it registers a new ``tf.custom_gradient`` in TensorFlow's process-wide gradient
    registry each time a train step is traced, and that entry keeps the whole traced graph alive:
    about 8 MB lost for every model trained in the server (bare Keras included; measured with
    ``bench/bench_training.py --part c``). This instance-level override removes the leak and
    changes no result.
    """
    original = getattr(optimizer, "_all_reduce_sum_gradients", None)
    if original is None:  # a Keras without this hook: nothing to do
        return optimizer

    def all_reduce_sum_gradients(grads_and_vars):
        import tensorflow as tf

        context = tf.distribute.get_replica_context()
        if context is None or context.num_replicas_in_sync == 1:
            return list(grads_and_vars)
        return original(grads_and_vars)

    optimizer._all_reduce_sum_gradients = all_reduce_sum_gradients
    return optimizer


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:  # an int too large for a float
        return math.inf


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# The notebook's recipe, and the quick one a workshop uses (98% on the workshop CNN in ~15 s).
NOTEBOOK = TrainSettings("sgd", 0.01, 0.0, 32, 3, 60_000, 0)
QUICK = TrainSettings("adam", 0.001, 0.0, 128, 2, 60_000, 0)
RECIPES = {"Notebook: SGD, batch 32, 3 epochs": NOTEBOOK, "Quick: Adam, batch 128, 2 epochs": QUICK}


def check_compatible(arch: Architecture) -> str | None:
    """Why ``arch`` cannot be trained on MNIST labels, or None when it can.

    The model must end in 10 probabilities per image: output shape (None, 10) from a softmax.

    >>> from core.presets import DENSE_ONLY
    >>> "(28, 28, 2)" in check_compatible(DENSE_ONLY)
    True
    """
    if not arch.layers:
        return "The model has no layers yet: build one on the Build page first."
    t = trace(arch)
    if not t.ok:
        bad = t.layers[t.error_index]
        return f"The model does not fit together at layer {bad.index + 1} ({bad.spec.kind}): {bad.error}"
    if t.too_big:
        return f"The model is too big to train on this server: {t.too_big_reason}."
    out = t.output_shape[1:]
    if out != (10,):
        fix = (
            "Add a Flatten layer before the Dense layers (after any convolutions and pooling), and end "
            "with Dense(10, softmax)."
            if len(out) > 1
            else "End with Dense(10, softmax)."
        )
        return (
            f"The model's output has shape {format_shape(out)} for each image, but each label has "
            "shape (10,): one probability per digit, so Keras cannot compare them (the notebook's first "
            f"`fit` failed the same way). {fix}"
        )
    last = arch.layers[-1]
    if last.kind not in ("Dense", "Activation") or last.params.get("activation") != "softmax":
        return (
            "The model outputs 10 numbers, but the last layer is not a softmax, so they are not "
            "probabilities. Make the last layer Dense(10, softmax)."
        )
    return None


class JobSlots:
    """A server-wide, first-come-first-served limit on concurrent jobs, with queue positions.

    Works like a fair semaphore whose waiters can ask where they stand and give up.
    """

    def __init__(self, limit: int) -> None:
        self.limit = max(1, int(limit))
        self._cond = threading.Condition()
        self._running: set[str] = set()
        self._waiting: list[str] = []

    def acquire(self, key: str, give_up: Callable[[], bool], poll_s: float = 0.2) -> bool:
        """Waits for a slot in turn; returns False (and leaves the queue) once ``give_up()`` is true."""
        with self._cond:
            self._waiting.append(key)
            try:
                while True:
                    if self._waiting[0] == key and len(self._running) < self.limit:
                        self._waiting.pop(0)
                        self._running.add(key)
                        return True
                    if give_up():
                        return False
                    self._cond.wait(poll_s)
            finally:
                if key in self._waiting:
                    self._waiting.remove(key)
                self._cond.notify_all()

    def release(self, key: str) -> None:
        """Frees the slot held by ``key`` (no-op if it holds none)."""
        with self._cond:
            self._running.discard(key)
            self._cond.notify_all()

    def position(self, key: str) -> int | None:
        """1 for the first in line, 2 for the next...; None when ``key`` is not waiting."""
        with self._cond:
            return self._waiting.index(key) + 1 if key in self._waiting else None

    def counts(self) -> tuple[int, int]:
        """(running, waiting) right now."""
        with self._cond:
            return len(self._running), len(self._waiting)


@dataclass(frozen=True)
class EpochResult:
    """One finished epoch: training means over the epoch and the test-set figures after it."""

    epoch: int
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    seconds: float  # training time of the epoch, without the test evaluation


@dataclass(frozen=True)
class Curves:
    """Training curves: one point every few batches (means over those batches)."""

    examples: tuple[int, ...] = ()  # examples seen when the point was taken
    loss: tuple[float, ...] = ()
    accuracy: tuple[float, ...] = ()


@dataclass(frozen=True)
class JobSnapshot:
    """An immutable view of a job for pages. Arrays are read-only and never modified afterwards."""

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

    @property
    def active(self) -> bool:
        """True while queued or running."""
        return self.status in ("queued", "running")

    @property
    def progress(self) -> float:
        """Share of the training examples seen, 0..1."""
        return min(1.0, self.examples_seen / self.examples_total) if self.examples_total else 0.0

    @property
    def usable(self) -> bool:
        """True when the weights are worth keeping: finished, or stopped after some training."""
        return self.status in ("finished", "stopped") and self.test_accuracy is not None


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def first_conv_index(arch: Architecture) -> int | None:
    """Index of the first Conv2D layer in ``arch`` (``model.layers[i]`` matches), or None."""
    return next((i for i, s in enumerate(arch.layers) if s.kind == "Conv2D"), None)


class TrainingJob:
    """One training run of one model, in a worker thread; pages read ``snapshot()``.

    Args:
        built: a BuiltModel (``.arch``, ``.model``: a fresh, uncompiled keras.Sequential).
        settings: validated TrainSettings.
    """

    def __init__(self, built: Any, settings: TrainSettings) -> None:
        self.built = built
        self.settings = settings
        self.job_id = uuid.uuid4().hex[:12]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._stop_reason = ""
        self._thread: threading.Thread | None = None
        self._slots: JobSlots | None = None
        self._conv = first_conv_index(built.arch)
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
            test_probs=None,
            test_loss=None,
            test_accuracy=None,
            started_at=time.time(),
            version=0,
        )
        self._curve: tuple[list[int], list[float], list[float]] = ([], [], [])

    # --- for pages -------------------------------------------------------------------------------
    def snapshot(self) -> JobSnapshot:
        """An immutable copy of the job's progress; cheap enough to call several times a second."""
        with self._lock:
            state = dict(self._state)
            curves = Curves(tuple(self._curve[0]), tuple(self._curve[1]), tuple(self._curve[2]))
        position = (
            self._slots.position(self.job_id)
            if self._slots and state["status"] == "queued"
            else None
        )
        return JobSnapshot(
            job_id=self.job_id,
            queue_position=position,
            settings=self.settings,
            curves=curves,
            **state,
        )

    def request_stop(self, reason: str = "Stopped: the weights learnt so far are kept.") -> None:
        """Asks the worker to stop after the current batch (it keeps the weights learnt so far)."""
        with self._lock:
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

    # --- starting --------------------------------------------------------------------------------
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
        self._slots = slots
        self._watch = _AliveWatch(session_alive, grace_s)
        self._thread = threading.Thread(
            target=self._run, args=(mnist,), name=f"training-{self.job_id}", daemon=True
        )
        self._thread.start()

    # --- the worker ------------------------------------------------------------------------------
    def _update(self, **changes: Any) -> None:
        with self._lock:
            self._state.update(changes)
            self._state["version"] += 1

    def _give_up(self) -> bool:
        if self._watch.closed():
            self.request_stop("Stopped: the browser tab was closed.")
        return self._stop.is_set()

    def _run(self, mnist: Mnist) -> None:
        held = False
        try:
            if self._slots is not None:
                held = self._slots.acquire(self.job_id, self._give_up)
                if not held:
                    self._update(
                        status="stopped", phase="done", message="Stopped before it started."
                    )
                    return
            self._train(mnist)
        except Exception as err:  # noqa: BLE001 - any failure is reported on the page, never raised
            log.exception("training job %s failed", self.job_id)
            self._update(
                status="failed",
                phase="done",
                eta_s=None,
                message=f"Training failed: {_short_error(err)}",
            )
        finally:
            if held:
                self._slots.release(self.job_id)

    def _train(self, mnist: Mnist) -> None:
        s = self.settings
        self._update(
            status="running", phase="preparing", message="Preparing the data and the model."
        )
        x, y = subset(mnist, s.n_train, s.seed)
        model = self.built.model
        model.compile(
            optimizer=s.make_optimizer(),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        self._record_filters(epoch=0)
        progress = _Progress(self, mnist)
        dataset = make_dataset(x, y, s.batch_size, s.seed)
        self._update(phase="training", message="Training.")
        model.fit(dataset, epochs=s.epochs, verbose=0, shuffle=False, callbacks=[progress])
        del dataset
        snap = self.snapshot()
        if progress.diverged:
            self._update(status="diverged", phase="done", eta_s=None, message=progress.diverged)
        elif self._watch.closed_for_good:
            self._update(status="stopped", phase="done", eta_s=None, message=self._stop_reason)
        elif self._stop.is_set():
            if not snap.epochs or snap.epochs[-1].epoch != snap.epoch:  # stopped mid-epoch
                self._record_filters(epoch=snap.epoch)
                self._update(phase="evaluating", message="Stopped; measuring the test accuracy.")
                self._evaluate(mnist)
            self._update(status="stopped", phase="done", eta_s=None, message=self._stop_reason)
        else:
            acc = self.snapshot().test_accuracy
            hint = (
                f" But {acc:.1%} on the test set is about guessing: this model has not learnt. Try "
                f"another learning rate (usually {_typical_lr(s)}), more epochs, or a Normalization "
                "layer first."
                if acc is not None and acc < CHANCE
                else ""
            )
            self._update(status="finished", phase="done", eta_s=None, message="Finished." + hint)

    def _evaluate(self, mnist: Mnist) -> tuple[float, float]:
        probs = _frozen(predict_probs(self.built.model, mnist.x_test).astype(np.float32))
        loss, acc = loss_and_accuracy(probs, mnist.y_test)
        self._update(test_probs=probs, test_loss=loss, test_accuracy=acc)
        return loss, acc

    def _record_filters(self, epoch: int | None = None) -> None:
        if self._conv is None:
            return
        kernel = _frozen(
            keras.ops.convert_to_numpy(self.built.model.layers[self._conv].kernel).copy()
        )
        with self._lock:
            self._state["filters"] = kernel
            if epoch is not None:
                self._state["filter_epochs"] = self._state["filter_epochs"] + ((epoch, kernel),)
            self._state["version"] += 1

    def _add_point(self, examples: int, loss: float, acc: float) -> None:
        with self._lock:
            self._curve[0].append(examples)
            self._curve[1].append(loss)
            self._curve[2].append(acc)
            self._state["version"] += 1


class _AliveWatch:
    """Asks ``session_alive`` at most once a second; ``closed()`` once it said False for ``grace_s``."""

    def __init__(self, session_alive: Callable[[], bool] | None, grace_s: float) -> None:
        self.session_alive, self.grace_s = session_alive, grace_s
        self._next_check = 0.0
        self._dead_since: float | None = None
        self.closed_for_good = False

    def closed(self) -> bool:
        if self.session_alive is None or self.closed_for_good:
            return self.closed_for_good
        now = time.monotonic()
        if now < self._next_check:
            return False
        self._next_check = now + ALIVE_EVERY_S
        try:
            alive = bool(self.session_alive())
        except Exception:  # noqa: BLE001 - a broken check must not kill the training
            log.exception("session_alive() failed; assuming the session is alive")
            alive = True
        if alive:
            self._dead_since = None
        elif self._dead_since is None:
            self._dead_since = now
        self.closed_for_good = (
            self._dead_since is not None and now - self._dead_since >= self.grace_s
        )
        return self.closed_for_good


def make_dataset(
    x: np.ndarray, y: np.ndarray, batch_size: int, seed: int, shuffle: bool = True
) -> Any:
    """A tf.data pipeline of (uint8 (B, 28, 28, 1), uint8 (B,)) batches in a seeded order.

    tf.data shuffles and batches only the indices; each batch of images is gathered from the
    read-only uint8 NumPy array by a ``numpy_function`` and cast by the model (its Normalization
    layer does the scaling). So no copy of the training set is ever made: neither a float copy nor a
    TensorFlow one. (Holding the images as a tensor inside the pipeline cost 94 MB per run, and a run
    stopped mid-epoch left about 14 MB of it behind for good; measured with
    ``bench/bench_training.py --part c``.)
    """
    import tensorflow as tf

    x, y = np.asarray(x), np.asarray(y)

    def gather(indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        indices = np.sort(indices)  # reads memory in order; the batch's inner order does not matter
        return x[indices][..., np.newaxis], y[indices]

    def load(indices):
        images, labels = tf.numpy_function(gather, [indices], (tf.uint8, tf.uint8), stateful=False)
        return tf.ensure_shape(images, (None, *x.shape[1:], 1)), tf.ensure_shape(labels, (None,))

    order = tf.data.Dataset.range(len(y))
    if shuffle:
        order = order.shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
    return order.batch(batch_size).map(load).prefetch(2)


class _Progress(keras.callbacks.Callback):
    """Updates the job after each batch, stops on request or on a non-finite loss, tests each epoch."""

    def __init__(self, job: TrainingJob, mnist: Mnist) -> None:
        super().__init__()
        self.job, self.mnist = job, mnist
        s = job.settings
        self.n, self.batch = s.n_train, s.batch_size
        batches = math.ceil(self.n / self.batch) * s.epochs
        self.every = max(1, round(batches / CURVE_POINTS))
        self.diverged = ""
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
        self.job._update(epoch=self.epoch)

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
        c = self.chunk
        c[0] += done
        c[1] += batch_loss * done
        c[2] += batch_acc * done
        c[3] += 1
        total_seen = self.seen_before + seen
        if c[3] >= self.every or seen == self.n:
            if self.start_loss == math.inf:
                self.start_loss = c[1] / c[0]
            self.job._add_point(total_seen, c[1] / c[0], c[2] / c[0])
            self.chunk = [0, 0.0, 0.0, 0]
        self._progress(done, total_seen)
        now = time.monotonic()
        if now >= self.next_filters:
            self.next_filters = now + FILTER_EVERY_S
            self.job._record_filters()
        if self.job._give_up():
            self.model.stop_training = True

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
            eval_s = self.eval_s or len(self.mnist.y_test) / (3 * rate)
            eta = (s.epochs * self.n - total_seen) / rate + left_evals * eval_s
        self.job._update(
            examples_seen=total_seen,
            images_per_s=rate,
            eta_s=eta,
            train_seconds=self.train_s + now - self.t_epoch,
        )

    def _diverge(self, total_seen: int, loss: float) -> None:
        s = self.job.settings
        typical = _typical_lr(s)
        what = (
            f"exploded to {loss:.3g}"
            if math.isfinite(loss)
            else "became infinite or NaN (not a number)"
        )
        self.diverged = (
            f"The loss {what} in epoch {self.epoch}, after {total_seen:,} images: the training "
            f"diverged, so it was stopped. The learning rate {s.learning_rate:g} is probably too large; "
            f"try {typical}. Your model and earlier runs are kept."
        )
        self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.diverged or self.job._stop.is_set():
            return
        epoch_s = time.monotonic() - self.t_epoch
        self.train_s += epoch_s
        self.seen_before += self.n
        self.job._record_filters(epoch=self.epoch)
        self.job._update(
            phase="evaluating", message=f"Epoch {self.epoch}: measuring the test accuracy."
        )
        t = time.monotonic()
        test_loss, test_acc = self.job._evaluate(self.mnist)
        self.eval_s = time.monotonic() - t
        result = EpochResult(
            self.epoch, float(logs["loss"]), float(logs["accuracy"]), test_loss, test_acc, epoch_s
        )
        with self.job._lock:
            self.job._state["epochs"] = self.job._state["epochs"] + (result,)
        self.job._update(phase="training", message="Training.", train_seconds=self.train_s)
        if test_acc < CHANCE and result.train_loss > ROSE * self.start_loss:
            s = self.job.settings
            self.diverged = (
                f"After epoch {self.epoch} the test accuracy is {test_acc:.1%}, no better than "
                f"guessing, and the training loss went up (from {self.start_loss:.3g} to "
                f"{result.train_loss:.3g}) instead of down: the training diverged, so it was stopped. "
                f"The learning rate {s.learning_rate:g} is probably too large; try "
                f"{_typical_lr(s)}. Your model and earlier runs are kept."
            )
            self.model.stop_training = True


def _typical_lr(settings: TrainSettings) -> str:
    return "0.001" if settings.optimizer == "adam" else "0.01"


def _short_error(err: BaseException, limit: int = 300) -> str:
    text = f"{type(err).__name__}: {err}".strip()
    first = text.splitlines()[0] if text else type(err).__name__
    return first if len(first) <= limit else first[:limit] + "…"


__all__ = [
    "NOTEBOOK",
    "QUICK",
    "RECIPES",
    "SUBSETS",
    "EpochResult",
    "JobSlots",
    "JobSnapshot",
    "TrainSettings",
    "TrainingJob",
    "check_compatible",
    "make_dataset",
]
