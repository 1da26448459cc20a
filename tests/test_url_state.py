"""The URL state: one table of fields (arch, step, present), each read with a fallback and written back.

``core.url_fields`` says what a field is; ``ui.url_state`` holds the table and talks to
``st.query_params`` (checked here under AppTest, which gives a single value as a plain ``str``).
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.presets import DEFAULT, WORKSHOP_CNN
from core.url_fields import Reading, UrlField
from ui import url_state


def _even(text: str) -> int:
    if not text.isdigit() or int(text) % 2:
        raise ValueError(f"{text!r} is not an even number")
    return int(text)


EVEN = UrlField("n", _even, lambda: 0, str, "{error}, so n is 0.", "{error}; n stays as it was.")


def test_a_field_reads_good_missing_and_bad_values():
    assert EVEN.read("4") == Reading(4, None, given=True)
    assert EVEN.read(None) == Reading(0, None, given=False)
    bad = EVEN.read("3")
    assert (bad.value, bad.given, bad.bad) == (0, True, True)
    assert bad.note == "'3' is not an even number, so n is 0."
    assert EVEN.kept_note(bad) == "'3' is not an even number; n stays as it was."
    assert EVEN.kept_note(EVEN.read("4")) is None


def test_a_silent_field_falls_back_without_a_note():
    silent = UrlField("n", _even, lambda: 0, str)
    assert silent.read("3") == Reading(0, None, given=True, error="'3' is not an even number")
    assert silent.kept_note(silent.read("3")) is None


def test_the_table_has_one_row_per_key():
    assert list(url_state.FIELDS) == ["arch", "step", "present", "room", "presenter", "me"]
    assert all(key == field.key for key, field in url_state.FIELDS.items())


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [(url_state.ARCH, WORKSHOP_CNN.to_url(), WORKSHOP_CNN), (url_state.STEP, "4", 4),
     (url_state.STEP, " 11 ", 11), (url_state.PRESENT, "1", True), (url_state.PRESENT, "on", True),
     (url_state.ME, "0123456789abcdef" * 2, "0123456789abcdef" * 2)],
)  # fmt: skip  # one case per row
def test_each_row_parses_its_values(field, text, value):
    assert field.read(text) == Reading(value, None, given=True)


@pytest.mark.parametrize(
    ("field", "text", "default", "words"),
    [(url_state.ARCH, "conv(0)", DEFAULT, "Showing the notebook's VGG-like CNN instead"),
     (url_state.STEP, "0", 1, "There is no step “0”: the lesson has steps 1 to 11, so it starts at step 1."),
     (url_state.PRESENT, "maybe", False, None),
     (url_state.ME, "0123456789ABCDEF" * 2, None, "join with a nickname"),
     (url_state.ME, "ab" * 15, None, "could not be read (it is damaged)"),
     (url_state.ME, "<script>" * 4, None, "join with a nickname")],
)  # fmt: skip  # one case per row
def test_each_row_falls_back_to_its_default(field, text, default, words):
    reading = field.read(text)
    assert reading.value == default and reading.given
    if words is None:
        assert reading.note is None
    else:
        assert words in reading.note


def test_defaults_and_writers():
    assert url_state.ARCH.read(None).value == DEFAULT
    assert url_state.ARCH.write(WORKSHOP_CNN) == WORKSHOP_CNN.to_url()
    assert (url_state.STEP.read(None).value, url_state.STEP.write(7)) == (1, "7")
    assert [url_state.PRESENT.write(v) for v in (True, False)] == ["1", None]
    assert "Your layers are unchanged" in url_state.ARCH.kept_note(url_state.ARCH.read("conv(0)"))


def _script() -> None:
    import streamlit as st

    from core.presets import WORKSHOP_CNN
    from ui import url_state

    step = url_state.remembered(url_state.STEP, "t.step")
    present = url_state.remembered(url_state.PRESENT, "t.present")
    if st.session_state.get("t.action") == "write":
        url_state.write(url_state.ARCH, WORKSHOP_CNN)
        url_state.keep(url_state.PRESENT, "t.present", True)
    st.write(f"step={step.value} note={step.note} present={present.value}")


def _app(**query: str) -> AppTest:
    at = AppTest.from_function(_script)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_values_are_read_from_and_written_to_the_query_string():
    at = _app(step="5", present="1")
    assert at.markdown[0].value == "step=5 note=None present=True"
    assert at.query_params == {"step": "5", "present": "1"}
    at.session_state["t.action"] = "write"
    at.run()
    assert at.query_params == {"step": "5", "present": "1", "arch": WORKSHOP_CNN.to_url()}


def test_a_bad_value_falls_back_and_the_url_is_corrected():
    at = _app(step="abc", present="no")
    assert at.markdown[0].value.startswith("step=1 note=There is no step “abc”")
    assert at.query_params == {"step": "1"}  # present=off leaves the key out


def test_a_missing_key_uses_the_sessions_value_and_writes_it_back():
    at = _app(step="7", present="1")
    at.query_params.clear()  # what a page switch does to the query string
    at.run()
    assert at.markdown[0].value == "step=7 note=None present=True"
    assert at.query_params == {"step": "7", "present": "1"}


def test_keys_outside_the_table_are_left_alone():
    at = _app(step="3", room="ab12")
    assert at.query_params == {"step": "3", "room": "ab12"}
