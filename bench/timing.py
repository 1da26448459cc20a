"""The one timing helper of the benchmarks: the median of repeated calls, after warm-up calls."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(
    fn: Callable[[], object],
    repeats: int,
    *,
    warmup: int = 1,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """The median time of ``fn()`` over ``repeats`` calls in milliseconds, after ``warmup`` calls.

    ``clock`` is wall time by default; ``time.process_time`` measures this process's CPU instead.
    """
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times) * 1000
