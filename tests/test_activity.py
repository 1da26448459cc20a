"""ui.activity: every script run (a page or a fragment) is counted in while it runs."""

from __future__ import annotations

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.testing.v1 import AppTest

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
    at.button(key="again").click().run()  # a fragment rerun: only part() runs
    seen = at.session_state["seen"]
    assert ("fragment", 1) in seen[2:]  # the fragment's rerun counted itself in
    assert all(active >= 1 for _, active in seen)
    assert COURTESY.active == 0  # and out again when each run ended
