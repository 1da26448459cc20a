"""Training gives way to clicks: between batches, a job waits while a page run is in progress.

On a shared server the page runs (a click, a slider move, a stroke) and the training jobs compete
for the same cores. A run that waits behind a batch feels broken; a batch that waits 10–300 ms
behind a run is not noticed. So every script run counts itself in (``ui.activity`` hooks
Streamlit's script runner), and the training callback calls ``give_way()`` after each batch: it
sleeps while any run is in progress, up to ``max_wait_s`` per batch, so a job never stalls for
good however busy the room is.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

MAX_WAIT_S = (
    0.25  # per batch: training slows at most to one batch per quarter second plus its own time
)
STEP_S = 0.005  # how often a waiting job looks again


class Courtesy:
    """A count of page runs in progress, and a bounded wait for it to reach zero.

    >>> c = Courtesy(max_wait_s=0.05)
    >>> c.give_way()  # nobody running: no wait
    0.0
    >>> with c.running():
    ...     round(c.give_way(), 2) >= 0.05  # a run in progress: waits, but only max_wait_s
    True
    """

    def __init__(self, max_wait_s: float = MAX_WAIT_S, step_s: float = STEP_S) -> None:
        self.max_wait_s, self.step_s = max_wait_s, step_s
        self._lock = threading.Lock()
        self._active = 0
        self.waited_s = 0.0  # in total, for benchmarks and the log

    @property
    def active(self) -> int:
        """How many runs are in progress now."""
        return self._active

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Counts a run in for as long as the block lasts (exceptions included)."""
        with self._lock:
            self._active += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1

    def give_way(self) -> float:
        """Sleeps while a run is in progress, at most ``max_wait_s``; returns the seconds waited."""
        if self._active <= 0:
            return 0.0
        began = time.monotonic()
        deadline = began + self.max_wait_s
        while self._active > 0 and time.monotonic() < deadline:
            time.sleep(self.step_s)
        waited = time.monotonic() - began
        self.waited_s += waited
        return waited


COURTESY = Courtesy()  # one per process: every session's runs and every job share it
