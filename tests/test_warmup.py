"""ui.warmup: one background import at a time, ready when done, a failure logged and retried on demand.

These use stand-in module lists (json, csv, a module that does not exist) so they run in
milliseconds; tests/test_no_tensorflow.py checks the real TensorFlow import in a fresh process.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import runtime, warmup
from ui.warmup import Warmup

ROOT = Path(__file__).resolve().parents[1]
MISSING = "no_such_module_for_the_warmup_test"


def _finish(w: Warmup) -> None:
    thread = w.start()
    if thread is not None:
        thread.join(timeout=30)


def test_start_imports_in_a_named_thread_and_then_is_a_no_op():
    w = Warmup(("json", "csv"))
    thread = w.start()
    if thread is not None:  # already imported modules may finish before start() returns
        assert thread.name == "keras-warmup" and thread.daemon
        thread.join(timeout=30)
    assert w.ready() and w.error is None
    assert w.start() is None  # idempotent once ready
    assert not w.busy()


def test_ready_when_something_else_imported_the_modules_first():
    assert Warmup(("json",)).ready()
    assert not Warmup((MISSING,)).ready()


def test_concurrent_starts_share_one_thread():
    w = Warmup(("json",))
    gate = threading.Barrier(8)
    started: list[threading.Thread | None] = []

    def go() -> None:
        gate.wait()
        started.append(w.start())

    callers = [threading.Thread(target=go) for _ in range(8)]
    for c in callers:
        c.start()
    for c in callers:
        c.join(timeout=30)
    assert len({id(t) for t in started if t is not None}) <= 1
    _finish(w)
    assert w.ready()


def test_a_failed_import_is_logged_and_retried_on_the_next_start(caplog, monkeypatch):
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)  # so the retry really imports
    w = Warmup(("colorsys", MISSING))
    with caplog.at_level(logging.ERROR, logger="layer_by_layer"):
        _finish(w)
    assert not w.ready()
    assert isinstance(w.error, ModuleNotFoundError)
    (record,) = [r for r in caplog.records if MISSING in r.getMessage()]
    assert record.exc_info is not None  # the traceback is in the log
    w.modules = ("colorsys",)  # whatever broke is fixed: the next start tries again
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    _finish(w)
    assert w.ready() and w.error is None and w.seconds is not None


def test_start_puts_the_streamlit_patch_in_place_first():
    runtime.uninstall()
    try:
        assert not runtime.is_installed()
        _finish(Warmup(("json",)))
        assert runtime.is_installed()
    finally:
        runtime.install()


@pytest.mark.parametrize("value, starts", [("0", False), ("1", True), (None, True)])
def test_start_after_page_honours_the_environment(monkeypatch, value, starts):
    fresh = Warmup((MISSING,))  # never ready, so a started thread shows up as an error
    monkeypatch.setattr(warmup, "_WARMUP", fresh)
    if value is None:
        monkeypatch.delenv(warmup.ENV, raising=False)
    else:
        monkeypatch.setenv(warmup.ENV, value)
    monkeypatch.setattr(warmup, "AFTER_PAGE_S", 0.0)
    warmup.start_after_page()
    if fresh._thread is not None:
        fresh._thread.join(timeout=30)
    assert (fresh.error is not None) is starts


def _wait_script() -> None:
    import streamlit as st

    from ui.warmup import Warmup

    ok = Warmup(("json", "no_such_module_for_the_warmup_test")).wait("Loading the test module…")
    st.write(f"ready={ok}")


def test_wait_shows_a_short_error_instead_of_crashing_the_page():
    at = AppTest.from_function(_wait_script, default_timeout=30)
    at.run()
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("TensorFlow could not be loaded")
    assert (
        "ModuleNotFoundError: No module named 'no_such_module_for_the_warmup_test'" in error.value
    )
    assert "Traceback" not in error.value
    assert at.markdown[-1].value == "ready=False"


def test_a_page_that_needs_tensorflow_says_so_when_it_cannot_load(monkeypatch):
    monkeypatch.setattr(warmup, "_WARMUP", Warmup((MISSING,)))
    monkeypatch.setenv(warmup.ENV, "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception and not at.error
    assert at.title[0].value == "MNIST at a glance"
    # AppTest runs a switched-to page on its own unless the patch is missing, which sends the
    # run through app.py (ui.runtime.run_through_app, as on a fresh server): take it away.
    runtime.uninstall()
    at.switch_page("pages/inside.py").run()
    assert not at.exception
    assert [e.value.split(":")[0] for e in at.error] == [
        "TensorFlow could not be loaded, so this part cannot run"
    ]
    assert not at.title  # the page did not run half-way
    assert at.sidebar.caption  # app.py drew the rest (the sidebar) as usual
