"""Draw page state: this session's latest drawing (Look inside shows it too) and the canvas's key."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

_LATEST = "draw.latest_drawing"  # (28, 28) uint8, the last digit drawn or uploaded
_LATEST_AT = "draw.latest_at"  # when the latest drawing last changed (time.time())
# One key for the whole session: a changed key remounts the canvas, and strokes drawn on the old
# one during that rerun never reach the server. The toolbar's bin clears it in place instead.
CANVAS_KEY = "draw.canvas"
DROVE_OPEN = "draw.drove-open"  # the "What drove the guess" section is open
MOVE_OPEN = "draw.move-open"  # the "Move it, turn it, thicken it" section is open


def latest_drawing() -> np.ndarray | None:
    """The last digit drawn or uploaded in this session, as the (28, 28) uint8 model image."""
    image = st.session_state.get(_LATEST)
    return None if image is None else image.copy()


def set_latest_drawing(image: np.ndarray | None) -> None:
    """Remember the digit for other pages (Look inside shows its feature maps), and when it changed."""
    previous = st.session_state.get(_LATEST)
    if image is None or previous is None or not np.array_equal(previous, image):
        st.session_state[_LATEST_AT] = time.time()
    st.session_state[_LATEST] = None if image is None else np.array(image, dtype=np.uint8)


def drawing_age() -> float | None:
    """Seconds since the latest drawing last changed, or None when there is none."""
    if st.session_state.get(_LATEST) is None:
        return None
    return time.time() - st.session_state.get(_LATEST_AT, time.time())


def canvas_changed() -> None:
    """The canvas's on_change: emptied (the bin, or undo to nothing) forgets the drawing."""
    state = st.session_state.get(CANVAS_KEY) or {}
    drawing = state.get("drawing") or {}
    if not (drawing.get("raw") or {}).get("objects"):
        st.session_state[_LATEST] = None
