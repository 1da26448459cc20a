"""The Lesson page's widget groups: step navigation, links, the Keras pairs, and how a figure is placed.

State (the step, presentation mode, the digit) lives in ``ui.lesson_state``; each step's figure
column is in ``ui.lesson_figures``. Nothing here imports Keras until a step needs the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import lesson
from core.figures.lesson import enlarge
from core.keras_history import pairs_for
from ui import lesson_state as ls
from ui import markdown

if TYPE_CHECKING:
    from core.activations import LayerOutput

CONFIG = {"displayModeBar": False}
PRESENT_CSS = """<style>
.stMainBlockContainer { max-width: 100%; padding-top: 2.5rem; }
.stMainBlockContainer [data-testid="stMarkdownContainer"] p,
.stMainBlockContainer [data-testid="stMarkdownContainer"] li { font-size: 1.3rem; line-height: 1.55; }
.stMainBlockContainer [data-testid="stCaptionContainer"] p { font-size: 1.05rem; }
.stMainBlockContainer code { font-size: 1.05rem; }
.stMainBlockContainer h2 { font-size: 2.3rem; }
</style>"""


def navigation(number: int, present: bool) -> None:
    """Step pills, Back / Next, and the presentation toggle (and its larger type when on)."""
    st.session_state[ls.PICK] = number
    st.session_state[ls.TOGGLE] = present
    st.pills(
        "Step",
        [s.number for s in lesson.STEPS],
        key=ls.PICK,
        on_change=ls.picked,
        wrap=True,
        format_func=lambda n: f"{n} {lesson.step(n).label}",
        label_visibility="collapsed",
    )
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button(
            "Back",
            icon=":material/arrow_back:",
            key="lesson.prev",
            on_click=ls.go_to,
            args=(number - 1,),
            disabled=number == lesson.FIRST,
        )
        st.button(
            "Next",
            icon=":material/arrow_forward:",
            key="lesson.next",
            on_click=ls.go_to,
            args=(number + 1,),
            disabled=number == lesson.LAST,
            type="primary",
        )
        st.space("stretch")
        st.toggle(
            "Presentation mode",
            key=ls.TOGGLE,
            on_change=ls.toggled,
            help="Larger text and figures, fewer controls. The link gets ?present=1.",
        )
    if present:
        st.html(PRESENT_CSS)


def share_link(number: int, arch_text: str, present: bool) -> None:
    """The URL that opens this step with this architecture (normal mode only)."""
    base = (st.context.url or "/lesson").split("?")[0]
    query = f"step={number}" + ("&present=1" if present else "") + f"&arch={arch_text}"
    with st.expander("Share this step", icon=":material/link:"):
        st.caption("Opens this step with this architecture:")
        st.code(f"{base}?{query}", language=None, wrap_lines=True)


def full_page_link(step: lesson.Step, arch_text: str) -> None:
    """ "Open the full page", carrying the architecture in ``?arch=``."""
    try:
        st.page_link(
            step.page,
            label="Open the full page",
            icon=":material/open_in_new:",
            help=f"{step.page_label}, with the same architecture",
            query_params={"arch": arch_text},
        )
    except (st.errors.StreamlitAPIException, KeyError):  # run outside app.py's navigation
        st.caption(f"The full page is “{step.page_label}” in the sidebar.")


def keras_pairs(number: int) -> None:
    """The notebook's Keras 1 lines beside today's, for the pairs that belong to this step."""
    pairs = pairs_for(number)
    if not pairs:
        return
    with st.container(border=True, key=f"lesson-keras-{number}"):
        st.markdown("**The notebook's Keras 1 → Keras 3 today**")
        for pair in pairs:
            old, new = st.columns(2)
            old.code(pair.old, language="python", wrap_lines=True)
            new.code(pair.new, language="python", wrap_lines=True)
            st.caption(pair.why)


def chart(fig: go.Figure, key: str, present: bool, fixed: bool = False) -> None:
    """A Plotly figure, larger in presentation mode; ``fixed`` keeps its size in pixels."""
    fig = enlarge(fig, fixed) if present else fig
    width = "content" if fixed else "stretch"
    st.plotly_chart(fig, key=key, width=width, theme=None, config=CONFIG)


def digit_index(n_test: int, present: bool) -> int:
    """The test digit followed in steps 5–9 (default 0, a 7); a number box unless presenting."""
    index = ls.digit()
    if not present:
        st.session_state[ls.DIGIT_IN] = index
        st.number_input(
            f"Test digit (0 to {n_test - 1:,})",
            0,
            n_test - 1,
            step=1,
            key=ls.DIGIT_IN,
            on_change=ls.digit_typed,
        )
    return min(max(index, 0), n_test - 1)


def outputs(image: np.ndarray) -> list[LayerOutput]:
    """Every layer's output of the pretrained notebook CNN for one digit (call ``needs_model()`` first)."""
    from core.activations import Inspector  # Keras: only the steps that show the model import it
    from ui import models

    built = models.pretrained().built
    return Inspector(built.model, built.arch).layer_outputs(image)


def escape(text: str) -> str:
    """Text safe to put inside Markdown (user-supplied parts of notes)."""
    return markdown.escape(text)
