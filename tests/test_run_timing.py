"""ui.run_timing: which page a session is on, for the run log; installed only when asked for."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

from streamlit.runtime.app_session import AppSession

from core import run_log
from tests.browser_utils import run_async
from ui import run_timing


class _Pages:
    current_page_script_hash = "h2"

    def get_pages(self) -> dict:
        return {"h1": {"url_pathname": "", "page_name": "MNIST at a glance"},
                "h2": {"url_pathname": "build", "page_name": "Build"}}  # fmt: skip  # two rows


def test_the_page_is_its_url_path_else_its_name_else_a_dash():
    assert run_timing.page_of(SimpleNamespace(_pages_manager=_Pages())) == "build"
    pages = _Pages()
    pages.current_page_script_hash = "h1"
    assert run_timing.page_of(SimpleNamespace(_pages_manager=pages)) == "MNIST_at_a_glance"
    assert run_timing.page_of(SimpleNamespace()) == "-"


def test_without_the_run_log_streamlit_is_left_as_it_is(monkeypatch):
    monkeypatch.delenv(run_log.ENV, raising=False)
    before = AppSession.handle_backmsg, AppSession._enqueue_forward_msg
    run_timing.install()
    assert (AppSession.handle_backmsg, AppSession._enqueue_forward_msg) == before


def test_the_event_loop_watch_logs_how_late_the_loop_woke(tmp_path):
    log = run_log.RunLog(tmp_path / "runs.log")

    async def busy_then_stop() -> None:
        watch = asyncio.create_task(run_timing.watch_event_loop(log, tick=0.01))
        await asyncio.sleep(0.05)
        time.sleep(0.2)  # a callback holding the loop: the watch wakes about 0.2 s late
        await asyncio.sleep(0.05)
        watch.cancel()

    run_async(busy_then_stop())
    lags = run_log.read_runs(tmp_path / "runs.log")
    assert len(lags) >= 3 and {r.kind for r in lags} == {"loop-lag"}
    assert max(r.wall_ms for r in lags) >= 150
    assert sorted(r.wall_ms for r in lags)[0] < 50  # the idle ticks are on time
