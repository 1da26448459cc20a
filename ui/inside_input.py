"""Look inside's choosers: which model, and which digit (a test digit or the latest drawing)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from core.inside_captions import STALE_S, age_text
from core.model_choice import ModelChoice
from ui import draw_state

_MODEL = "inside.model"
_SOURCE = "inside.source"
_INDEX = "inside.index"
_CLASS = "inside.class"
SOURCES = ("Test digit", "Your drawing")


@dataclass(frozen=True)
class DigitChoice:
    """The image to look at: (28, 28) uint8, what it is, and its true label if known."""

    image: np.ndarray
    caption: str
    label: int | None
    source: str  # "test" or "drawing"


def choose_model(choices: list[ModelChoice]) -> ModelChoice:
    """A radio over the available models, with a line about the chosen one; returns it."""
    labels = [c.label for c in choices]
    chosen = st.radio(
        "Model",
        labels,
        key=_MODEL,
        horizontal=True,
        help="The same digit through different weights.",
    )
    choice = choices[labels.index(chosen)] if chosen in labels else choices[0]
    st.caption(choice.about)
    return choice


def choose_input(x_test: np.ndarray, y_test: np.ndarray) -> DigitChoice | None:
    """Test digit by index, at random or by class; or the latest drawing. None after a message."""
    source = st.segmented_control("Input", SOURCES, default=SOURCES[0], key=_SOURCE)
    if source == SOURCES[1]:
        return _drawing()
    return _test_digit(x_test, y_test)


def _drawing() -> DigitChoice | None:
    drawing = draw_state.latest_drawing()
    if drawing is None:
        st.warning("You have not drawn a digit yet: draw one on the Draw page, then come back.")
        return None
    age = draw_state.drawing_age() or 0.0
    when = age_text(age)
    if age >= STALE_S:
        st.info(f"This drawing is from {when}: draw a new one on the Draw page to see it here.")
    caption = f"your latest drawing from the Draw page, drawn {when}"
    return DigitChoice(drawing, caption, None, "drawing")


def _test_digit(x_test: np.ndarray, y_test: np.ndarray) -> DigitChoice | None:
    st.session_state.setdefault(_INDEX, 0)
    n = len(x_test)
    left, mid, right = st.columns([1.1, 1, 0.8], vertical_alignment="bottom")
    index = left.number_input(
        "Test digit number",
        min_value=0,
        step=1,
        key=_INDEX,
        help=f"0 to {n - 1:,}: MNIST's {n:,} test digits.",
    )
    mid.selectbox(
        "Class",
        ["any", *range(10)],
        key=_CLASS,
        on_change=_pick_class,
        args=(y_test,),
        help="Jump to a random test example of this digit.",
    )
    right.button(
        "Random", icon=":material/casino:", on_click=_pick_random, args=(y_test,), width="stretch"
    )
    i = int(index)
    if not 0 <= i < n:
        st.error(f"There is no test digit {i:,}: they are numbered 0 to {n - 1:,}.")
        return None
    return DigitChoice(
        np.asarray(x_test[i]), f"test digit {i:,} (labelled {y_test[i]})", int(y_test[i]), "test"
    )


def _pick_class(labels: np.ndarray) -> None:
    """on_change of the class box: a random test digit of that class."""
    digit = st.session_state.get(_CLASS)
    if digit is None or digit == "any":
        return
    st.session_state[_INDEX] = int(np.random.default_rng().choice(np.flatnonzero(labels == digit)))


def _pick_random(labels: np.ndarray) -> None:
    """on_click of Random: any test digit, or one of the chosen class."""
    digit = st.session_state.get(_CLASS, "any")
    pool = np.arange(len(labels)) if digit in (None, "any") else np.flatnonzero(labels == digit)
    st.session_state[_INDEX] = int(np.random.default_rng().choice(pool))
