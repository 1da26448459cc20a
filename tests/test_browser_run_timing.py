"""The run log (``LAYER_BY_LAYER_RUN_LOG``) on a real server: every run, and each request's
turnaround inside the server, with the page it was for."""

from __future__ import annotations

from playwright.sync_api import Page

from core import run_log
from tests.browser_utils import goto_page, start_app, stop_app, wait_for_app


def test_a_real_server_logs_runs_and_turnarounds_per_page(tmp_path, monkeypatch, page: Page):
    path = tmp_path / "runs.log"
    monkeypatch.setenv(run_log.ENV, str(path))
    monkeypatch.setenv("LAYER_BY_LAYER_WARMUP", "0")  # no TensorFlow import in the background
    server = start_app("app.py", timeout=90.0)
    try:
        goto_page(page, f"{server.url}/build", timeout=60_000)  # the process's first run
        for title in ("Lesson", "Build"):
            page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
            wait_for_app(page, timeout=60_000)
    finally:
        stop_app(server)
    runs = run_log.read_runs(path)
    pages = [r for r in runs if r.kind == "page"]
    answers = [r for r in runs if r.kind == "turnaround-page"]
    assert {"build", "lesson"} <= {r.page for r in pages}
    assert {"build", "lesson"} <= {r.page for r in answers}
    # an answer spans its run: from the request (before the run starts) to the run's finish
    lesson_run = max(r.wall_ms for r in pages if r.page == "lesson")
    lesson_answer = max(r.wall_ms for r in answers if r.page == "lesson")
    assert lesson_answer >= lesson_run * 0.9 > 0
    assert all(r.start > 1.7e9 and r.cpu_ms >= 0 for r in runs)
    # the server installs the timing at start (ui.startup), so the first visit is in the log too
    assert sum(r.page == "build" for r in answers) >= 2, answers
    # ... and its event loop's lateness, every 50 ms
    lags = [r for r in runs if r.kind == "loop-lag"]
    assert len(lags) >= 10 and all(r.wall_ms >= 0 for r in lags)
