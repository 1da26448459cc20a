"""The optional server-wide time limit per run: read from the environment, and one run's clock."""

from __future__ import annotations

import functools
import logging
import math
import os
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

RUN_LIMIT_ENV = "LAYER_BY_LAYER_RUN_LIMIT_S"  # seconds a run may hold its training slot


def run_limit_from_env(environ: Mapping[str, str] | None = None) -> float | None:
    """The limit in seconds from ``$LAYER_BY_LAYER_RUN_LIMIT_S``, or None for no limit.

    Unset or empty means no limit; anything but a positive, finite number of seconds is ignored
    with a warning in the server log (a typo must not stop every run at once).

    >>> run_limit_from_env({RUN_LIMIT_ENV: "120"}), run_limit_from_env({})
    (120.0, None)
    >>> run_limit_from_env({RUN_LIMIT_ENV: "two minutes"}) is None
    True
    """
    return _parse((os.environ if environ is None else environ).get(RUN_LIMIT_ENV, "").strip())


@functools.lru_cache(maxsize=16)  # read on every page run: warn once per value, not per run
def _parse(text: str) -> float | None:
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        log.warning(
            "%s=%r ignored: it must be a positive number of seconds; runs have no time limit.",
            RUN_LIMIT_ENV,
            text[:40],
        )
        return None
    return seconds


def limit_duration(seconds: float) -> str:
    """A limit as the page writes it: ``2 min``, ``1 min 30 s``, ``45 s``, ``1 h``.

    >>> limit_duration(120), limit_duration(90), limit_duration(45.4), limit_duration(3600)
    ('2 min', '1 min 30 s', '45 s', '1 h')
    """
    s = max(1, round(seconds))
    hours, minutes, secs = s // 3600, s % 3600 // 60, s % 60
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    parts.append(f"{secs} s" if secs else "")
    return " ".join(p for p in parts if p)


def limit_line(limit_s: float) -> str:
    """What the Train page says about the limit before anyone trains."""
    return (
        f"Runs on this server stop after {limit_duration(limit_s)}, so that everyone gets a turn; "
        "the weights learnt by then are kept."
    )


def limit_stop_message(limit_s: float) -> str:
    """The message of a run the limit stopped."""
    return (
        f"Stopped at this server's time limit of {limit_duration(limit_s)} per run: the weights "
        "learnt so far are kept."
    )


class RunClock:
    """One run's time against the limit, counted from when the run gets its training slot.

    >>> now = [100.0]
    >>> clock = RunClock(60, now=lambda: now[0])
    >>> clock.left(), clock.passed()
    (None, False)
    >>> clock.start(); now[0] = 130.0
    >>> clock.left(), clock.passed()
    (30.0, False)
    >>> now[0] = 161.0; clock.passed()
    True
    """

    def __init__(self, limit_s: float | None, now: Callable[[], float] = time.monotonic) -> None:
        self.limit_s = limit_s
        self._now = now
        self._since: float | None = None

    def start(self) -> None:
        """The run got its slot: the limit's clock starts."""
        self._since = self._now()

    def elapsed(self) -> float | None:
        """Seconds since ``start`` (None before)."""
        return None if self._since is None else self._now() - self._since

    def left(self) -> float | None:
        """Seconds until the limit stops the run (None without a limit or before ``start``)."""
        elapsed = self.elapsed()
        if self.limit_s is None or elapsed is None:
            return None
        return max(0.0, self.limit_s - elapsed)

    def passed(self) -> bool:
        """True once the run has held its slot for the limit."""
        left = self.left()
        return left is not None and left <= 0
