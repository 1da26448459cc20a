"""How long a run will take and how long its queue wait is: arithmetic on measured speeds, no Keras."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from core.training.settings import TrainSettings


@dataclass(frozen=True)
class Speed:
    """How fast one architecture trains on this server (``core.training.probe`` measures it).

    Attributes:
        train_ips: training images per second after the first batch.
        setup_s: the one-off cost until the first batch is done, beyond its own images
            (compiling and tracing the training step).
        eval_ips: images per second of the test passes (forward only).
        eval_call_s: the fixed cost of each test pass (Keras's ``predict`` machinery).
        eval_setup_s: the one-off extra cost of the first test pass (tracing ``predict``).
        source: "probe" (a few batches of a throwaway copy) or "run" (a real run's speed).
    """

    train_ips: float
    setup_s: float = 0.0
    eval_ips: float = 0.0  # 0: no test passes counted
    eval_call_s: float = 0.0
    eval_setup_s: float = 0.0
    source: str = "probe"

    def test_pass_s(self, n_test: int, first: bool = False) -> float:
        """Seconds of one test pass over ``n_test`` images.

        >>> Speed(1_000, eval_ips=5_000, eval_call_s=0.2, eval_setup_s=0.5).test_pass_s(10_000)
        2.2
        """
        if n_test <= 0 or self.eval_ips <= 0:
            return 0.0
        return self.eval_call_s + n_test / self.eval_ips + (self.eval_setup_s if first else 0.0)


@dataclass(frozen=True)
class RunEstimate:
    """How long a run will take, and where the server's time limit cuts it.

    Attributes:
        full_s: the whole run as set (setup, every epoch's training and test pass), no limit.
        train_s: of which training.
        test_s: of which test passes.
        expected_s: what it will take here: ``full_s``, or up to the limit and a last test pass.
        stop_epoch: the epoch (1-based) during which the limit stops it; None when it finishes.
        epochs: epochs as set.
        train_ips: the training speed used.
        limit_s: the server's limit (None for none).
        source: where the speed came from ("probe" or "run").
    """

    full_s: float
    train_s: float
    test_s: float
    expected_s: float
    stop_epoch: int | None
    epochs: int
    train_ips: float
    limit_s: float | None
    source: str

    @property
    def cut(self) -> bool:
        """True when the limit stops the run before its last epoch."""
        return self.stop_epoch is not None


def estimate_run(
    speed: Speed, settings: TrainSettings, n_test: int, limit_s: float | None = None
) -> RunEstimate:
    """The run's timeline: setup, then per epoch its training and its test pass.

    A limit reached while training stops the run within a batch, then one test pass measures
    the weights; one reached during a test pass stops the run when that pass ends (the last
    epoch's pass always ends the run anyway).

    >>> s = TrainSettings(epochs=3, n_train=6_000)
    >>> e = estimate_run(Speed(1_000, setup_s=1, eval_ips=5_000, eval_call_s=1), s, 10_000)
    >>> e.full_s, e.train_s, e.test_s, e.stop_epoch
    (28.0, 18.0, 9.0, None)
    >>> cut = estimate_run(Speed(1_000, setup_s=1, eval_ips=5_000, eval_call_s=1), s, 10_000, 12)
    >>> cut.stop_epoch, cut.expected_s
    (2, 15.0)
    """
    epoch_train = settings.n_train / speed.train_ips
    t, stop_epoch, expected = speed.setup_s, None, None
    for epoch in range(1, settings.epochs + 1):
        test = speed.test_pass_s(n_test, first=epoch == 1)
        if stop_epoch is None and limit_s is not None and limit_s < t + epoch_train:
            stop_epoch, expected = epoch, max(t, limit_s) + test  # stopped within a batch
        t += epoch_train
        last = epoch == settings.epochs  # the last test pass ends the run anyway
        if stop_epoch is None and limit_s is not None and limit_s < t + test and not last:
            stop_epoch, expected = epoch, t + test  # stopped once this test pass ends
        t += test
    test_total = sum(speed.test_pass_s(n_test, first=e == 1) for e in range(1, settings.epochs + 1))
    return RunEstimate(
        full_s=t,
        train_s=epoch_train * settings.epochs,
        test_s=test_total,
        expected_s=t if expected is None else min(expected, t),
        stop_epoch=stop_epoch,
        epochs=settings.epochs,
        train_ips=speed.train_ips,
        limit_s=limit_s,
        source=speed.source,
    )


@dataclass(frozen=True)
class QueueWait:
    """How long a run pressed now would wait for a training slot.

    Attributes:
        ahead: runs training or waiting before it (0 when a slot is free for it).
        seconds: the wait; None when some run ahead has no estimate yet.
        training: of ``ahead``, how many are training now.
    """

    ahead: int
    seconds: float | None
    training: int = 0


def queue_wait(
    running: Sequence[float | None], waiting: Sequence[float | None], slots: int
) -> QueueWait:
    """The wait of a run joining the end of the queue now, first come first served.

    Args:
        running: seconds left of each run holding a slot (None: not known).
        waiting: seconds each waiting run will take once it starts, in queue order.
        slots: how many runs train at once.

    >>> queue_wait([], [], 1)
    QueueWait(ahead=0, seconds=0.0, training=0)
    >>> queue_wait([30.0], [10.0], 1)
    QueueWait(ahead=2, seconds=40.0, training=1)
    >>> queue_wait([30.0, 50.0], [20.0], 2)  # the waiting run starts at 30 s, ends at 50 s
    QueueWait(ahead=3, seconds=50.0, training=2)
    >>> queue_wait([30.0], [], 2).seconds, queue_wait([None], [], 1).seconds
    (0.0, None)
    """
    free = max(0, slots - len(running))
    if len(waiting) < free:
        return QueueWait(0, 0.0, len(running))
    ahead = len(running) + len(waiting)
    if any(s is None for s in (*running, *waiting)):
        return QueueWait(ahead, None, len(running))
    ends = [max(0.0, float(s)) for s in running] + [0.0] * free
    heapq.heapify(ends)
    for seconds in waiting:
        heapq.heappush(ends, heapq.heappop(ends) + max(0.0, float(seconds)))
    return QueueWait(ahead, heapq.heappop(ends), len(running))
