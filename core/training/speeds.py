"""The server's book of measured training speeds, filled by one background probe at a time.

Keyed by (architecture, probed batch size, optimizer): a workshop's 30 people training the same
model with the same recipe cost one measurement. A real run's speed replaces the probe's.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from core.training.estimate import Speed
from core.training.settings import TrainSettings

log = logging.getLogger(__name__)

PROBE_MAX_BATCH = 256  # larger batches are probed at 256: images/s hardly change above it
CAPACITY = 512  # speeds kept (a few hundred bytes each)
MAX_PENDING = 16  # probes waiting; older requests are dropped (the page asks again)
REST = 1.0  # after a probe of d seconds the worker rests REST * d: probes use at most half a core
BUSY_REST = 3.0  # ... or BUSY_REST * d while runs train, so they keep at least 3/4 of that share

Key = tuple[str, int, str]
Measure = Callable[[Any, int, str, Any], Speed]  # (arch, batch, optimizer, mnist) -> Speed


def speed_key(arch: Any, settings: TrainSettings) -> Key:
    """The book's key for training ``arch`` with ``settings``.

    >>> from core.presets import WORKSHOP_CNN
    >>> speed_key(WORKSHOP_CNN, TrainSettings(batch_size=1_024))[1:]
    (256, 'sgd')
    """
    return arch.to_url(), min(int(settings.batch_size), PROBE_MAX_BATCH), str(settings.optimizer)


def _default_measure(arch: Any, batch: int, optimizer: str, mnist: Any) -> Speed:
    from core.training.probe import measure_speed  # imports Keras: only in the worker

    return measure_speed(arch, batch, optimizer, mnist)


class SpeedBook:
    """Measured speeds, and a worker thread that measures the missing ones one at a time.

    Thread-safe. Its lock is a leaf: nothing is called while it is held.

    Args:
        measure: how to measure (default: ``core.training.probe.measure_speed``).
        rest: after a probe of d seconds the worker rests ``rest * d`` (0 for tests).
        capacity: how many speeds are kept (the least recently used go first).
        busy: true while runs train: the worker then rests at least ``BUSY_REST * d``.

    >>> book = SpeedBook(measure=lambda arch, batch, opt, mnist: Speed(100.0))
    >>> key = ("flatten-dense(10,softmax)", 32, "sgd")
    >>> book.status(key), book.get(key)
    ('unknown', None)
    >>> book.put(key, Speed(500.0)); book.learn(key, 800.0); book.get(key).train_ips
    800.0
    """

    def __init__(
        self,
        measure: Measure | None = None,
        rest: float = REST,
        capacity: int = CAPACITY,
        busy: Callable[[], bool] | None = None,
    ) -> None:
        self._measure = measure or _default_measure
        self._rest, self._capacity = rest, capacity
        self._busy = busy or (lambda: False)
        self._lock = threading.Condition()
        self._speeds: OrderedDict[Key, Speed] = OrderedDict()
        self._failed: set[Key] = set()
        self._pending: OrderedDict[Key, tuple[Any, Any]] = OrderedDict()
        self._measuring: Key | None = None
        self._worker: threading.Thread | None = None

    def get(self, key: Key) -> Speed | None:
        """The speed measured for ``key``, or None."""
        with self._lock:
            return self._speeds.get(key)

    def status(self, key: Key) -> str:
        """ "ready", "pending" (asked for or being measured), "failed" or "unknown"."""
        with self._lock:
            if key in self._speeds:
                return "ready"
            if key in self._pending or key == self._measuring:
                return "pending"
            return "failed" if key in self._failed else "unknown"

    def request(self, arch: Any, settings: TrainSettings, mnist: Any) -> Speed | None:
        """The speed for training ``arch`` with ``settings``; when unknown, a probe is queued.

        Returns at once: the probe runs in the book's worker thread (started on first need).
        A probe that failed is not tried again.
        """
        key = speed_key(arch, settings)
        with self._lock:
            if key in self._speeds:
                self._speeds.move_to_end(key)
                return self._speeds[key]
            if key in self._failed or key in self._pending or key == self._measuring:
                return None
            self._pending[key] = (arch, mnist)
            while len(self._pending) > MAX_PENDING:
                self._pending.popitem(last=False)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="speed-probe", daemon=True)
                self._worker.start()
                _RUNNING.add(self)
            self._lock.notify_all()
        return None

    def put(self, key: Key, speed: Speed) -> None:
        """Records a speed (the worker's, or one given by a test or benchmark)."""
        with self._lock:
            self._speeds[key] = speed
            self._speeds.move_to_end(key)
            self._failed.discard(key)
            while len(self._speeds) > self._capacity:
                self._speeds.popitem(last=False)
            self._lock.notify_all()

    def learn(self, key: Key, train_ips: float) -> None:
        """A real run's training speed replaces the probe's (the other figures are kept)."""
        with self._lock:
            old = self._speeds.get(key)
            if old is None or not train_ips > 0:
                return
            self._speeds[key] = Speed(
                train_ips, old.setup_s, old.eval_ips, old.eval_call_s, old.eval_setup_s, "run"
            )

    def wait(self, key: Key, timeout: float) -> Speed | None:
        """Waits until ``key`` is measured (or failed, or forgotten); for tests and benchmarks."""
        with self._lock:
            self._lock.wait_for(
                lambda: key in self._speeds or key in self._failed or self._idle(key), timeout
            )
            return self._speeds.get(key)

    def _idle(self, key: Key) -> bool:  # with the lock held
        return key not in self._pending and key != self._measuring

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._worker = None
                    return
                key, (arch, mnist) = self._pending.popitem(last=True)  # the latest asked first
                self._measuring = key
            start = time.monotonic()
            try:
                self.put(key, self._measure(arch, key[1], key[2], mnist))
            except Exception:  # noqa: BLE001 - a failed probe only means no estimate
                log.exception("measuring the training speed of %s failed", key)
                with self._lock:
                    self._failed.add(key)
            finally:
                with self._lock:
                    self._measuring = None
                    self._lock.notify_all()
            rest = max(self._rest, BUSY_REST) if self._rest and self._busy() else self._rest
            time.sleep(rest * (time.monotonic() - start))

    def close(self, timeout: float = 30.0) -> None:
        """Drops the queued probes and waits for the one running (called at interpreter exit)."""
        with self._lock:
            self._pending.clear()
            worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout)


# Books with a probe thread. A daemon thread still inside TensorFlow when Python finalises aborts
# the process ("terminate called ... FATAL: exception not rethrown"), so exit waits for it.
_RUNNING: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for book in list(_RUNNING):
        book.close()
