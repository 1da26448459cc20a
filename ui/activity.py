"""Counts every script run of this process (pages and fragments) in ``core.training.courtesy``.

Streamlit runs each page run and each fragment rerun through ``ScriptRunner._run_script``;
``install()`` wraps it once so the training jobs can give way while any run is in progress
(see ``core/training/courtesy.py``), and, with ``LAYER_BY_LAYER_RUN_LOG`` set, logs each run's
time (``core/run_log.py``). ``tests/test_activity.py`` fails if Streamlit renames it.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

from core import run_log
from core.training.courtesy import COURTESY
from ui import run_timing

_TARGET = "_run_script"
_MARK = "__layer_by_layer_counted__"


def install() -> None:
    """Wrap ``ScriptRunner._run_script`` so every run is counted; idempotent.

    Raises:
        RuntimeError: if Streamlit no longer has ``ScriptRunner._run_script``.
    """
    original: Callable[..., Any] | None = getattr(ScriptRunner, _TARGET, None)
    if original is None:
        raise RuntimeError(
            f"streamlit's ScriptRunner.{_TARGET} is missing: re-check ui/activity.py against the "
            "installed Streamlit before changing its pinned version."
        )
    run_timing.install()  # each request's turnaround too, when the run log is on
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def counted(self: ScriptRunner, *args: Any, **kwargs: Any) -> Any:
        start, wall, cpu = time.time(), time.perf_counter(), time.thread_time()
        try:
            with COURTESY.running():
                return original(self, *args, **kwargs)
        finally:
            log = run_log.from_env()  # read per run: cheap, and a test can set it
            if log is not None:
                data = args[0] if args else kwargs.get("rerun_data")
                log.add(_run(data, run_timing.page_of(self), start, wall, cpu))

    setattr(counted, _MARK, True)
    setattr(ScriptRunner, _TARGET, counted)


def _run(data: Any, page: str, start: float, wall: float, cpu: float) -> run_log.Run:
    """The log's record of the run of ``page`` that began at ``start`` (``data``: its RerunData)."""
    fragment = bool(getattr(data, "fragment_id_queue", None) or getattr(data, "fragment_id", None))
    return run_log.Run(
        start=start,
        wall_ms=(time.perf_counter() - wall) * 1000,
        cpu_ms=(time.thread_time() - cpu) * 1000,
        kind="fragment" if fragment else "page",
        page=page,
    )
