"""The server-wide queue of training jobs: a fair limit on how many train at once, with positions."""

from __future__ import annotations

import threading
from collections.abc import Callable

from core.training.estimate import QueueWait, queue_wait
from core.training.limit import run_limit_from_env
from core.training.speeds import SpeedBook

FROM_ENV = "from the environment"  # JobSlots' default run limit: $LAYER_BY_LAYER_RUN_LIMIT_S
Remaining = Callable[[], "float | None"]  # seconds a job has left (None: not known yet)


class JobSlots:
    """A server-wide, first-come-first-served limit on concurrent jobs, with queue positions.

    Works like a fair semaphore whose waiters can ask where they stand and give up: only the
    first in line may take a free slot, so nobody is overtaken.

    The slots also hold what the whole server shares about runs: the time limit per run
    (``run_limit_s``), the measured training speeds (``speeds``), and each queued or running job's
    ``remaining`` callback, from which ``wait`` tells how long a new run would wait.

    Lock order: JobSlots has one lock (its condition) and it is always the innermost: no method
    calls out while holding it. In particular ``acquire`` asks its ``give_up`` callback with the
    lock released, so the callback may take other locks or call ``position``, ``counts`` or
    ``release`` (from its own thread or by waiting on another one) without a deadlock; ``wait``
    calls the ``remaining`` callbacks with the lock released too. Callers may hold their own
    locks while calling any method.

    Args:
        limit: how many jobs train at once (at least 1).
        run_limit_s: seconds a job may hold its slot; None for no limit; by default read from
            ``$LAYER_BY_LAYER_RUN_LIMIT_S`` whenever asked (so a test may set it).
        speeds: the server's measured training speeds (by default a new book, whose probes rest
            longer while jobs train).

    >>> slots = JobSlots(1)
    >>> slots.acquire("a", give_up=lambda: False), slots.counts()
    (True, (1, 0))
    >>> slots.acquire("b", give_up=lambda: True), slots.counts()
    (False, (1, 0))
    """

    def __init__(
        self,
        limit: int,
        run_limit_s: float | None | str = FROM_ENV,
        speeds: SpeedBook | None = None,
    ) -> None:
        self.limit = max(1, int(limit))
        self._run_limit_s = run_limit_s
        self.speeds = speeds if speeds is not None else SpeedBook(busy=self._busy)
        self._cond = threading.Condition()
        self._running: set[str] = set()
        self._waiting: list[str] = []
        self._remaining: dict[str, Remaining] = {}

    @property
    def run_limit_s(self) -> float | None:
        """Seconds a job may hold its slot (None: no limit); the environment is read each time."""
        return run_limit_from_env() if self._run_limit_s == FROM_ENV else self._run_limit_s

    def acquire(
        self,
        key: str,
        give_up: Callable[[], bool],
        poll_s: float = 0.2,
        remaining: Remaining | None = None,
    ) -> bool:
        """Waits for a slot in turn; returns False (and leaves the queue) once ``give_up()`` is true.

        Args:
            key: who waits (a job id); it holds the slot until ``release(key)``.
            give_up: asked before each wait of at most ``poll_s`` seconds, with no lock held.
            poll_s: how often ``give_up`` is asked while waiting.
            remaining: seconds the job has left (all of it while it waits), for ``wait``.
        """
        with self._cond:
            self._waiting.append(key)
            if remaining is not None:
                self._remaining[key] = remaining
        try:
            while not self._take(key):
                if give_up():
                    return False
                with self._cond:
                    self._cond.wait_for(lambda: self._is_turn(key), poll_s)
            return True
        finally:
            self._leave(key)

    def release(self, key: str) -> None:
        """Frees the slot held by ``key`` (no-op if it holds none)."""
        with self._cond:
            self._running.discard(key)
            self._remaining.pop(key, None)
            self._cond.notify_all()

    def position(self, key: str) -> int | None:
        """1 for the first in line, 2 for the next...; None when ``key`` is not waiting."""
        with self._cond:
            return self._waiting.index(key) + 1 if key in self._waiting else None

    def counts(self) -> tuple[int, int]:
        """(running, waiting) right now."""
        with self._cond:
            return len(self._running), len(self._waiting)

    def wait(self, key: str | None = None) -> QueueWait:
        """How long a run would wait for a slot: one joining the queue now, or the waiting ``key``.

        Asks each job's ``remaining`` callback with the lock released; a job without one counts
        as not known.
        """
        with self._cond:
            running = [self._remaining.get(k) for k in self._running]
            if key is None:
                ahead = list(self._waiting)
            else:
                ahead = self._waiting[: self._waiting.index(key)] if key in self._waiting else []
            waiting = [self._remaining.get(k) for k in ahead]
        return queue_wait(
            [f() if f else None for f in running], [f() if f else None for f in waiting], self.limit
        )

    def _busy(self) -> bool:
        with self._cond:
            return bool(self._running)

    def _is_turn(self, key: str) -> bool:  # with the lock held
        return self._waiting[0] == key and len(self._running) < self.limit

    def _take(self, key: str) -> bool:
        """Moves ``key`` from the queue to a slot when it is its turn."""
        with self._cond:
            if not self._is_turn(key):
                return False
            self._waiting.pop(0)
            self._running.add(key)
            self._cond.notify_all()  # with slots left, the next in line may take one now
            return True

    def _leave(self, key: str) -> None:
        """Takes ``key`` out of the queue if it is still there (gave up, or an error)."""
        with self._cond:
            if key in self._waiting:
                self._waiting.remove(key)
                self._remaining.pop(key, None)
            self._cond.notify_all()
