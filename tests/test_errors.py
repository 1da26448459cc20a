"""ui.errors.guard: the user sees a short message and no traceback; the server log gets the traceback."""

from __future__ import annotations

import logging

import pytest
from streamlit.testing.v1 import AppTest

from ui.errors import STRICT_ENV, guard, user_message

pytestmark = pytest.mark.page


@pytest.fixture(autouse=True)
def polite(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the polite message, so guard() must not re-raise (see conftest.py)."""
    monkeypatch.delenv(STRICT_ENV, raising=False)


def _page_with_failure() -> None:
    import streamlit as st

    from ui.errors import guard

    st.title("Before")
    with guard("loading your model"):
        st.write("inside")
        raise ValueError("secret internal detail 0xDEADBEEF")
    st.write("after the failure the page goes on")


def _page_with_decorated_failure() -> None:
    import streamlit as st

    from ui.errors import guard

    @guard("drawing the feature maps")
    def figures() -> str:
        return {}["missing-key"]

    st.write(f"returned {figures()!r}")


def _page_with_control_flow() -> None:
    import streamlit as st

    from ui.errors import guard

    st.session_state.runs = st.session_state.get("runs", 0) + 1
    with guard("switching pages"):
        if st.session_state.runs == 1:
            st.rerun()
    st.write(f"runs {st.session_state.runs}")
    with guard("stopping"):
        st.stop()
    st.write("not reached")


def _texts(at: AppTest) -> str:
    parts = (
        [e.value for e in at.markdown] + [e.value for e in at.error] + [e.value for e in at.title]
    )
    return "\n".join(str(p) for p in parts)


def test_failure_shows_short_message_and_logs_traceback(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.ERROR, logger="layer_by_layer")
    at = AppTest.from_function(_page_with_failure).run(timeout=30)
    assert not at.exception
    assert [e.value for e in at.error] == [user_message("loading your model")]
    shown = _texts(at)
    assert "Traceback" not in shown and "0xDEADBEEF" not in shown and "ValueError" not in shown
    assert "after the failure the page goes on" in shown  # the rest of the page still draws
    records = [r for r in caplog.records if r.name == "layer_by_layer"]
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.ERROR
    assert "loading your model" in record.getMessage() and "ValueError" in record.getMessage()
    assert "session" in record.getMessage()  # which browser session it was
    assert record.exc_info is not None and record.exc_info[0] is ValueError
    assert "Traceback" in caplog.text and "0xDEADBEEF" in caplog.text  # the details are in the log
    assert "_page_with_failure" in caplog.text  # the frame where it happened


def test_decorator_form_returns_none_and_logs(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.ERROR, logger="layer_by_layer")
    at = AppTest.from_function(_page_with_decorated_failure).run(timeout=30)
    assert not at.exception
    assert at.error[0].value == user_message("drawing the feature maps")
    assert "returned None" in _texts(at)
    assert "KeyError" in caplog.text and "missing-key" in caplog.text


def test_rerun_and_stop_pass_through(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.ERROR, logger="layer_by_layer")
    at = AppTest.from_function(_page_with_control_flow).run(timeout=30)
    assert not at.exception and not at.error
    shown = _texts(at)
    assert "runs 2" in shown  # st.rerun() inside a guard reran the script
    assert "not reached" not in shown  # st.stop() inside a guard stopped it
    assert not [r for r in caplog.records if r.name == "layer_by_layer"]


def test_outside_a_script_run_logs_and_does_not_raise(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.ERROR, logger="layer_by_layer")
    shown: list[str] = []
    with guard("testing", show=lambda text, icon=None: shown.append(text)):
        raise RuntimeError("boom")
    assert shown == [user_message("testing")]
    assert "RuntimeError: boom" in caplog.text


def test_keyboard_interrupt_is_not_swallowed():
    with pytest.raises(KeyboardInterrupt), guard("testing", show=lambda *a, **k: None):
        raise KeyboardInterrupt


def test_under_test_it_logs_and_reraises(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    # conftest.py sets this for the whole suite, so a broken page fails its test.
    monkeypatch.setenv(STRICT_ENV, "1")
    caplog.set_level(logging.ERROR, logger="layer_by_layer")
    shown: list[str] = []
    with (
        pytest.raises(RuntimeError, match="boom"),
        guard("testing", show=lambda text, icon=None: shown.append(text)),
    ):
        raise RuntimeError("boom")
    assert not shown and "RuntimeError: boom" in caplog.text
