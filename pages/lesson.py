"""Lesson: the notebook's story in eleven steps, each text beside the live figure it talks about.

URL: ``/lesson?step=4&present=1&arch=...`` opens step 4 in presentation mode with that architecture.
"""

from __future__ import annotations

import streamlit as st

from core import lesson
from core.presets import DENSE_ONLY
from core.shapes import trace
from ui import lesson_figures, lesson_quiz, runtime, state
from ui import lesson_state as ls
from ui import lesson_widgets as w

runtime.run_through_app()

state.sync_url()  # ?arch= in, or the session's architecture out
number, note = ls.current_step()
present = ls.presenting()
step = lesson.step(number)

if not present:
    st.title("Lesson")
    st.caption(
        "The notebook's story in order: one idea per step, beside the real data, model and figures."
    )
w.navigation(number, present)
if note:
    st.info(w.escape(note), icon=":material/info:")
notice = state.take_notice()
if notice is not None:
    st.warning(notice.text)

arch = state.get_arch()
st.header(f"{number}. {step.title}", anchor=f"step-{step.id}")
text_col, figure_col = st.columns([2, 3], gap="large")
with text_col:
    lesson_quiz.box(step.id, present)  # "Predict first" at the steps with a number to find
    waiting = lesson_quiz.hides_answer(step.id, present)
    st.caption(lesson_quiz.HIDDEN_NOTE) if waiting else st.markdown(step.text)
    carried = DENSE_ONLY if step.id == "dense-only" else arch  # step 3 opens the model it shows
    w.full_page_link(step, carried.to_url())
    if not present:
        w.share_link(number, state.share_query(), present)

with figure_col:
    try:
        if not waiting:
            lesson_figures.show(step, trace(arch), present)
    except (FileNotFoundError, ValueError) as err:
        st.error(f"This step's figure needs the shipped data and model: {err}")

w.keras_pairs(number)
