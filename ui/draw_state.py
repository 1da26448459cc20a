"""Draw page state: the shared pretrained model, this session's latest drawing, the models to ask."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import streamlit as st

from core import predict
from core.keras_model import BuiltModel

_LATEST = "draw.latest_drawing"  # (28, 28) uint8, the last digit drawn or uploaded
_LATEST_AT = "draw.latest_at"  # when the latest drawing last changed (time.time())
_CANVAS_ROUND = "draw.canvas_round"  # bumped by "Clear" to give the canvas a fresh key


@st.cache_resource(show_spinner="Loading the pretrained model…")
def pretrained() -> predict.Pretrained:
    """The shipped model (models/pretrained.keras), loaded once per process in Keras's safe mode.

    Raises:
        FileNotFoundError: if the file is missing (the message says how to make it).
        Failures are not cached: the next call tries again.
    """
    return predict.load_pretrained()


@dataclass(frozen=True, eq=False)
class ModelChoice:
    """A model the page can ask: its label and the built model (spec + Keras model)."""

    label: str
    built: BuiltModel
    note: str = ""


def own_model() -> ModelChoice | None:
    """This session's own trained model (Train page), once its job has ended, else None.

    ``ui.jobs`` only hands over a model after its training job has finished or stopped (a new
    run trains a new model), so predicting here never reads weights in the middle of an update.
    """
    try:
        from ui import jobs
    except ImportError:
        return None
    record = jobs.trained() if callable(getattr(jobs, "trained", None)) else None
    if record is None or tuple(record.built.arch.input_shape) != (28, 28, 1):
        return None
    accuracy = getattr(record, "test_accuracy", None)
    note = f"run {record.run}, {accuracy:.2%} on the test digits" if accuracy is not None else ""
    return ModelChoice("Your model", record.built, note)


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


def canvas_key() -> str:
    """The canvas's widget key; :func:`clear_canvas` changes it so the canvas starts empty."""
    return f"draw.canvas.{st.session_state.get(_CANVAS_ROUND, 0)}"


def clear_canvas() -> None:
    """An on_click callback: a fresh, empty canvas (its toolbar's bin does the same in place)."""
    st.session_state[_CANVAS_ROUND] = st.session_state.get(_CANVAS_ROUND, 0) + 1
    st.session_state[_LATEST] = None
