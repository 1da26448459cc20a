"""ui.startup: the server prepares the first page when it starts, without TensorFlow, and harmlessly.

``streamlit run app.py`` serves app.py through ``st.App``; its start-up hook imports our modules,
reads MNIST and builds the first page's figures before anyone connects. The preparation itself
runs in a child process here (it fills process-wide caches); the server test starts the real app.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest

from tests.browser_utils import REPO_ROOT, start_app, stop_app

# In the child: prepare as the server does, then report what it left behind.
PREPARED = """
import json, sys
from ui import startup
startup.begin().join()
from core.figures import mnist as figs
from ui import data_widgets

def broken(*args, **kwargs):
    raise AssertionError("built again: the preparation did not cache it")

figs.digit_grid = figs.digit_heatmap = figs.label_counts_bar = broken
data_widgets.grid_figure(0), data_widgets.heatmap_figure(0), data_widgets.fixed_figures()
print(json.dumps({
    "keras": "keras" in sys.modules or "tensorflow" in sys.modules,
    "shell": "ui.shell" in sys.modules,
    "switch": sys.getswitchinterval(),
}))
"""

# In the child: a preparation that fails is logged, and the first run is not held up by it.
FAILING = """
import json, sys, time
from ui import data_widgets, startup

def fails():
    raise OSError("disk on fire")

data_widgets.prepare_default_view = fails
startup.begin().join()
began = time.perf_counter()
startup.wait()
print(json.dumps({"switch": sys.getswitchinterval(), "wait_s": time.perf_counter() - began}))
"""


def _child(code: str) -> tuple[dict, str]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_the_preparation_caches_the_first_page_without_tensorflow() -> None:
    report, log = _child(PREPARED)
    assert report["shell"], "ui.shell and its imports are loaded"
    assert not report["keras"], "the first page's preparation must not import TensorFlow"
    assert report["switch"] == pytest.approx(0.005), "the GIL's switch interval is put back"
    assert "first page prepared at start" in log


def test_a_failed_preparation_is_logged_and_leaves_the_process_as_it_was() -> None:
    report, log = _child(FAILING)
    assert "preparing the first page at start failed" in log and "disk on fire" in log
    assert report["switch"] == pytest.approx(0.005)
    assert report["wait_s"] < 1.0, "the thread is done: wait() returns at once"


def test_wait_returns_at_once_when_nothing_was_begun(monkeypatch) -> None:
    from ui import startup

    monkeypatch.setattr(startup, "_thread", None)  # as under AppTest: no server, nothing begun
    began = time.perf_counter()
    startup.wait()
    assert time.perf_counter() - began < 0.5


@pytest.mark.slow  # a real server start, no browser
def test_streamlit_run_prepares_the_first_page_before_anyone_connects() -> None:
    server = start_app("app.py")
    try:
        deadline = time.monotonic() + 60
        while "first page prepared at start" not in server.log_tail():
            assert time.monotonic() < deadline, f"never prepared:\n{server.log_tail()}"
            assert server.process.poll() is None, server.log_tail()
            time.sleep(0.1)
        assert "Traceback" not in server.log_tail()
        assert "TensorFlow and Keras imported" not in server.log_tail(), "no page served yet"
    finally:
        stop_app(server)
