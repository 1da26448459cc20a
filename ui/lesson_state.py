"""The Lesson's session state: the step shown, presentation mode and the test digit followed.

The step and the mode are mirrored to ``?step=`` and ``?present=`` through ``ui.url_state``'s
table; when Streamlit drops the query string on a page switch, the session's last values are
used and written back. Every key starts with ``lesson.``.
"""

from __future__ import annotations

import streamlit as st

from core import lesson
from ui import url_state
from ui.url_state import PRESENT, STEP

PICK = "lesson.pick"  # the step selector widget
TOGGLE = "lesson.present_toggle"  # the presentation-mode toggle
DIGIT_IN = "lesson.digit_input"  # the test-digit number box
_STEP = "lesson.step"  # the step shown last in this session
_PRESENT = "lesson.present"  # presentation mode, kept across page switches
_DIGIT = "lesson.digit"  # the test digit followed through the pretrained model


def go_to(number: int) -> None:
    """Shows step ``number`` (clamped to the lesson) and writes it to ``?step=``."""
    url_state.keep(STEP, _STEP, min(max(int(number), lesson.FIRST), lesson.LAST))


def current_step() -> tuple[int, str | None]:
    """The step to show and a note when ``?step=`` could not be used (then step 1).

    Without ``?step=`` (a page switch dropped it) the session's last step is shown.
    """
    reading = url_state.remembered(STEP, _STEP)
    return reading.value, reading.note


def presenting() -> bool:
    """Presentation mode: ``?present=1`` or the toggle; kept in the session across page switches."""
    return bool(url_state.remembered(PRESENT, _PRESENT).value)


def toggled() -> None:
    """The toggle's callback: presentation mode as the toggle now shows it."""
    url_state.keep(PRESENT, _PRESENT, bool(st.session_state.get(TOGGLE)))


def picked() -> None:
    """The step selector's callback; clicking the selected pill unselects it: stay where we are."""
    choice = st.session_state.get(PICK)
    if choice is not None:
        go_to(choice)


def digit() -> int:
    """The test digit's index in the test set (0 until the reader picks another)."""
    return int(st.session_state.get(_DIGIT, 0))


def digit_typed() -> None:
    """The number box's callback: follow the digit typed."""
    st.session_state[_DIGIT] = st.session_state[DIGIT_IN]
