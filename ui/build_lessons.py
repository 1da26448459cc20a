"""The Build page's lesson boxes: Dense layers on an image, and Dense layers that collapse into one.

The facts and words come from ``core.build_lessons`` and ``core.collapse``; each box returns
whether its one-click fix was pressed.
"""

from __future__ import annotations

import streamlit as st

from core import build_lessons as lessons
from core.build_lessons import DenseOnImage, LinearStack
from core.collapse import collapse_text


def dense_lesson(lesson: DenseOnImage, stacks: list[LinearStack]) -> bool:
    """The notebook's lesson for Dense layers on an image, with its one-click fix.

    Returns:
        True when "Add Flatten first and end with Dense(10, softmax)" was pressed.
    """
    with st.container(border=True, key="dense-lesson"):
        st.markdown(lessons.LESSON_HEADING)
        left, right = st.columns(2, gap="large")
        with left:
            st.markdown(lessons.dense_on_image_text(lesson))
        with right:
            st.markdown(collapse_text(stacks[0]) if stacks else lessons.FLATTEN_FIRST)
        return st.button(
            lessons.FIX_DENSE_LABEL,
            type="primary",
            icon=":material/auto_fix_high:",
            key="fix-dense",
        )


def collapse_note(stack: LinearStack) -> bool:
    """A note on Dense layers without activations between them, with a fix.

    Returns:
        True when "Give them relu" was pressed.
    """
    with st.container(border=True, key=f"collapse-{stack.start}"):
        st.markdown(":material/info: " + collapse_text(stack))
        return st.button(
            lessons.fix_stack_label(stack),
            key=f"fix-collapse-{stack.start}",
            icon=":material/auto_fix_high:",
        )
