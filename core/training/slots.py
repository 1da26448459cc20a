"""The server-wide queue of training jobs: a fair limit on how many train at once, with positions."""

from __future__ import annotations

import threading
from collections.abc import Callable


class JobSlots:
    """A server-wide, first-come-first-served limit on concurrent jobs, with queue positions.

    Works like a fair semaphore whose waiters can ask where they stand and give up: only the
    first in line may take a free slot, so nobody is overtaken.

    Lock order: JobSlots has one lock (its condition) and it is always the innermost: no method
    calls out while holding it. In particular ``acquire`` asks its ``give_up`` callback with the
    lock released, so the callback may take other locks or call ``position``, ``counts`` or
    ``release`` (from its own thread or by waiting on another one) without a deadlock. Callers
    may hold their own locks while calling any method.

    >>> slots = JobSlots(1)
    >>> slots.acquire("a", give_up=lambda: False), slots.counts()
    (True, (1, 0))
    >>> slots.acquire("b", give_up=lambda: True), slots.counts()
    (False, (1, 0))
    """

    def __init__(self, limit: int) -> None:
        self.limit = max(1, int(limit))
        self._cond = threading.Condition()
        self._running: set[str] = set()
        self._waiting: list[str] = []

    def acquire(self, key: str, give_up: Callable[[], bool], poll_s: float = 0.2) -> bool:
        """Waits for a slot in turn; returns False (and leaves the queue) once ``give_up()`` is true.

        Args:
            key: who waits (a job id); it holds the slot until ``release(key)``.
            give_up: asked before each wait of at most ``poll_s`` seconds, with no lock held.
            poll_s: how often ``give_up`` is asked while waiting.
        """
        with self._cond:
            self._waiting.append(key)
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
            self._cond.notify_all()

    def position(self, key: str) -> int | None:
        """1 for the first in line, 2 for the next...; None when ``key`` is not waiting."""
        with self._cond:
            return self._waiting.index(key) + 1 if key in self._waiting else None

    def counts(self) -> tuple[int, int]:
        """(running, waiting) right now."""
        with self._cond:
            return len(self._running), len(self._waiting)

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
            self._cond.notify_all()
