"""What the server does once, at start, before anyone connects: the first page made ready.

``streamlit run app.py`` serves ``app.py`` through ``st.App``, whose start-up hook is
``lifespan``: it starts one background thread that imports our modules (``ui.shell`` and the
first page's), reads MNIST and builds the first page's figures into their caches, while the
first visitor's browser is still loading Streamlit's JavaScript (about 0.6 s here, longer on
workshop Wi-Fi). The server answers at once; a session's first script run calls ``wait()``
before importing anything of ours, so it never imports beside that thread, and finds the work
done: its run takes a few tens of milliseconds instead of about 0.9 s.

While it prepares, Python hands the GIL on every millisecond instead of every 5 ms, so that the
event loop serving the browser's JavaScript files gets it back sooner (not measured on its own).
A failure is logged and harmless: the first run does the same work itself and reports any error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
import time
from collections.abc import AsyncIterator

from core import run_log
from ui import run_timing

log = logging.getLogger("layer_by_layer")

SWITCH_S = 0.001  # the GIL's switch interval while preparing (Python's default: 0.005 s)
WAIT_S = 30.0  # a first run waits at most this long for the preparation, then does it itself

_lock = threading.Lock()
_thread: threading.Thread | None = None


def prepare() -> None:
    """Import the app's modules, start reading MNIST, build the first page's figures (cached)."""
    from ui import activity, data_widgets, shell  # noqa: F401 - shell's imports are the point

    activity.install()  # so the first run of the process is counted and timed too
    data_widgets.prepare_default_view()


def _run() -> None:
    began, switch = time.perf_counter(), sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_S)
    try:
        prepare()
    except Exception:  # noqa: BLE001 - the first run does the same work and shows the error
        log.warning("preparing the first page at start failed", exc_info=True)
        return
    finally:
        sys.setswitchinterval(switch)
    log.info("first page prepared at start in %.2f s", time.perf_counter() - began)


def begin() -> threading.Thread:
    """Start preparing in a background thread, once per process; returns that thread."""
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_run, name="first-page", daemon=True)
            _thread.start()
        return _thread


def wait() -> None:
    """Wait (at most ``WAIT_S``) for a preparation under way; returns at once if none was begun."""
    thread = _thread
    if thread is not None and thread is not threading.current_thread():
        thread.join(WAIT_S)


@contextlib.asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[None]:
    """``st.App``'s start-up hook: begin preparing, and serve at once (with the run log on, the
    event loop's lateness is logged too: ``ui.run_timing.watch_event_loop``)."""
    begin()
    runs = run_log.from_env()
    watch = asyncio.create_task(run_timing.watch_event_loop(runs)) if runs else None
    try:
        yield
    finally:
        if watch is not None:
            watch.cancel()
