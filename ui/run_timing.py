"""With the run log on, each request's turnaround inside the server: rerun request in -> finished out.

A script run's own time (``ui.activity``) leaves out the wait before it starts. For the load
benchmark the figure that matters is the server's whole answer to a click: from the moment a
session's ``rerun_script`` BackMsg is handled to the moment that run's ``script_finished``
ForwardMsg is queued for its browser. ``install()`` wraps Streamlit's ``AppSession`` for that,
only when ``LAYER_BY_LAYER_RUN_LOG`` is set; each answer is a ``core.run_log.Run`` of kind
``turnaround-page`` or ``turnaround-fragment`` with the page's URL path.

That clock starts when the request is handled and stops when the answer is queued: a request
waiting for the server's event loop before, or an answer waiting for it after, is not in it.
``watch_event_loop()`` (started by ``ui.startup`` at server start, with the log on) bounds that
wait: every 50 ms it notes how late the loop woke it, as ``loop-lag`` entries.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from typing import Any

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.app_session import AppSession

from core import run_log

_MARK = "__layer_by_layer_timed__"
# A run that calls st.rerun() ends "early for rerun" and its rerun follows at once: the user
# waits for the run after it, so the answer ends at the next script_finished.
_EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN
_pending: dict[str, tuple[float, float, str]] = {}  # session id -> (time, perf_counter, kind)
_lock = threading.Lock()


def install() -> None:
    """Wrap ``AppSession.handle_backmsg`` and ``_enqueue_forward_msg`` once, if the log is on.

    Raises:
        RuntimeError: if Streamlit no longer has those methods (re-check before upgrading).
    """
    if run_log.from_env() is None:
        return
    handle = getattr(AppSession, "handle_backmsg", None)
    enqueue = getattr(AppSession, "_enqueue_forward_msg", None)
    if handle is None or enqueue is None:
        raise RuntimeError("streamlit's AppSession changed: re-check ui/run_timing.py")
    if getattr(handle, _MARK, False):
        return

    @functools.wraps(handle)
    def received(self: AppSession, msg: Any) -> Any:
        if msg.WhichOneof("type") == "rerun_script":
            kind = "turnaround-fragment" if msg.rerun_script.fragment_id else "turnaround-page"
            with _lock:  # the first request of a burst is the one the user waits on
                _pending.setdefault(self.id, (time.time(), time.perf_counter(), kind))
        return handle(self, msg)

    @functools.wraps(enqueue)
    def queued(self: AppSession, msg: Any) -> Any:
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished != _EARLY:
            with _lock:
                began = _pending.pop(self.id, None)
            log = run_log.from_env()
            if began is not None and log is not None:
                start, clock, kind = began
                ms = (time.perf_counter() - clock) * 1000
                log.add(run_log.Run(start, ms, 0.0, kind, page_of(self)))
        return enqueue(self, msg)

    for wrapper in (received, queued):
        setattr(wrapper, _MARK, True)
    AppSession.handle_backmsg = received
    AppSession._enqueue_forward_msg = queued


def page_of(session: Any) -> str:
    """The URL path of the page ``session`` is on ("-" when Streamlit does not say)."""
    manager = getattr(session, "_pages_manager", None)
    try:
        info = manager.get_pages().get(manager.current_page_script_hash, {})
    except AttributeError:
        return "-"
    return str(info.get("url_pathname") or info.get("page_name") or "-").replace(" ", "_")


LOOP_TICK_S = 0.05


async def watch_event_loop(log: run_log.RunLog, tick: float = LOOP_TICK_S) -> None:
    """Forever: sleep ``tick`` on the server's event loop and log how late it woke (ms)."""
    while True:
        began = time.perf_counter()
        await asyncio.sleep(tick)
        late_ms = max(0.0, (time.perf_counter() - began - tick) * 1000)
        log.add(run_log.Run(time.time(), late_ms, 0.0, "loop-lag", "-"))
