"""The start-up patch in ui/runtime.py: Streamlit must not reset Keras after a script run."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import streamlit
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from ui import runtime

REPO = Path(__file__).resolve().parent.parent

# Keras numbers auto-named layers per thread, and every script run gets a new thread, so a
# layer made in the script is always "dense". A long-lived worker thread (like a training
# job) keeps its counter across runs, unless clear_session() swaps Keras's state away.
SCRIPT = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from concurrent.futures import ThreadPoolExecutor
import keras
import streamlit as st
from ui import runtime

runtime.install()
worker = st.session_state.setdefault("worker", ThreadPoolExecutor(max_workers=1))
name = worker.submit(lambda: keras.layers.Dense(1).name).result()
st.session_state.setdefault("names", []).append(name)
st.session_state.setdefault("script_names", []).append(keras.layers.Dense(1).name)
"""


def _run_twice(script: str) -> AppTest:
    at = AppTest.from_string(script, default_timeout=60)
    try:
        at.run()
        at.run()
    finally:
        if "worker" in at.session_state:
            at.session_state["worker"].shutdown()
    assert not at.exception, at.exception
    return at


def test_streamlit_version_is_the_pinned_one() -> None:
    """A Streamlit bump must come with a re-check of ui/runtime.py."""
    text = (REPO / "requirements.txt").read_text()
    pinned = re.search(r"^streamlit==(\S+)\s*$", text, re.MULTILINE)
    assert pinned, "requirements.txt must pin streamlit==X.Y.Z"
    assert streamlit.__version__ == pinned.group(1)


def test_install_replaces_clean_problem_modules_with_a_no_op() -> None:
    assert callable(getattr(script_runner, "_clean_problem_modules", None)), (
        "Streamlit moved _clean_problem_modules; re-check ui/runtime.py"
    )
    runtime.install()
    runtime.install()  # idempotent
    assert runtime.is_installed()
    patched = script_runner._clean_problem_modules
    assert patched() is None
    assert patched.__module__ == "ui.runtime"


def test_install_fails_loudly_if_streamlit_moves_the_function(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(script_runner, "_clean_problem_modules")
    with pytest.raises(RuntimeError, match="_clean_problem_modules is missing"):
        runtime.install()


def test_keras_state_survives_script_runs_with_the_patch() -> None:
    at = _run_twice(SCRIPT)
    assert runtime.is_installed()
    assert at.session_state["names"] == ["dense", "dense_1"]
    # Per-thread numbering: the script thread's own counter starts afresh every run.
    assert at.session_state["script_names"] == ["dense", "dense"]


def test_without_the_patch_streamlit_resets_keras_after_each_run() -> None:
    """Control: AppTest runs ScriptRunner._run_script, which calls the real function."""
    runtime.install()
    runtime.uninstall()
    try:
        at = _run_twice(SCRIPT.replace("runtime.install()", ""))
        assert not runtime.is_installed()
        assert at.session_state["names"] == ["dense", "dense"]
    finally:
        runtime.install()
    assert runtime.is_installed()


def test_config_turns_off_post_script_gc() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
    assert config["client"]["showErrorDetails"] == "none"


def test_install_skips_streamlits_one_time_repl_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit's check walks inspect.stack() on the first element: 0.1-0.6 s of the first page."""
    from streamlit import delta_generator, env_util

    assert hasattr(delta_generator, "_use_warning_has_been_displayed"), (
        "Streamlit moved its REPL warning flag; re-check ui/runtime.py"
    )
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    calls: list[int] = []
    monkeypatch.setattr(env_util, "is_repl", lambda: calls.append(1) or False)
    runtime.install()
    delta_generator._maybe_print_use_warning()
    assert calls == []


def test_plotly_waits_for_a_module_another_thread_is_still_importing(tmp_path, monkeypatch):
    """The warm-up imports pandas while pages serialise figures: Plotly must get it whole."""
    import sys
    import threading
    import time

    from _plotly_utils import utils

    (tmp_path / "slow_pandas_like.py").write_text("import time\ntime.sleep(0.5)\nSeries = object\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    runtime.install()
    importer = threading.Thread(target=__import__, args=("slow_pandas_like",))
    importer.start()
    while "slow_pandas_like" not in sys.modules:  # the other thread is inside its import now
        time.sleep(0.01)
    module = utils.get_module("slow_pandas_like", should_load=False)
    importer.join()
    assert module.Series is object  # whole, not "partially initialized"
    monkeypatch.delitem(sys.modules, "slow_pandas_like")
