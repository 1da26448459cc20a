"""ui.activity: every script run (a page or a fragment) is counted in while it runs."""

from __future__ import annotations

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.testing.v1 import AppTest

from core import run_log
from core.training.courtesy import COURTESY
from ui import activity

SCRIPT = """
import streamlit as st
from core.training.courtesy import COURTESY

st.session_state.setdefault("seen", []).append(("page", COURTESY.active))

@st.fragment
def part():
    st.session_state["seen"].append(("fragment", COURTESY.active))
    st.button("again", key="again")

part()
"""


def test_install_wraps_the_script_runner_once():
    activity.install()
    wrapped = ScriptRunner._run_script
    activity.install()
    assert ScriptRunner._run_script is wrapped


def test_page_and_fragment_runs_are_counted_while_they_run():
    activity.install()
    at = AppTest.from_string(SCRIPT, default_timeout=30)
    at.run()
    at.button(key="again").click().run()  # AppTest reruns the whole page (a browser: part() only)
    seen = at.session_state["seen"]
    assert ("fragment", 1) in seen[2:]  # the fragment's rerun counted itself in
    assert all(active >= 1 for _, active in seen)
    assert COURTESY.active == 0  # and out again when each run ended


def test_runs_are_logged_when_the_log_is_asked_for(tmp_path, monkeypatch):
    path = tmp_path / "runs.log"
    monkeypatch.setenv(run_log.ENV, str(path))
    activity.install()
    at = AppTest.from_string(SCRIPT, default_timeout=30)
    at.run()
    at.button(key="again").click().run()
    runs = run_log.read_runs(path)
    assert [r.kind for r in runs] == ["page", "page"]  # AppTest has no fragment-only reruns
    assert all(r.wall_ms > 0 and r.cpu_ms >= 0 and r.start > 1.7e9 for r in runs)
    assert runs[0].start <= runs[1].start


def test_nothing_is_logged_without_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(run_log.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    activity.install()
    AppTest.from_string(SCRIPT, default_timeout=30).run()
    assert list(tmp_path.iterdir()) == []
