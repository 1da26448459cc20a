"""The Train page's own widget state: the settings as typed, and the confusion-matrix cell shown.

Pages and widget groups call these functions instead of touching ``st.session_state`` keys
(prefix ``train.``). The session's job, trained model and runs are in ``ui.jobs``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from core.evaluation import biggest_mistake
from core.training import NOTEBOOK, TrainSettings
from core.training.settings import SETTING_NAMES, TYPICAL_LR

_WIDGET = "train.w."  # prefix of the settings widgets' keys, then the setting's name
_SAVED = "train.settings"  # the settings as last shown (raw values, maybe invalid)
_CELL = "train.cell"  # (true digit, predicted digit, job id) of the confusion-matrix cell shown
CELL_TRUE = _WIDGET + "cell_true"
CELL_PRED = _WIDGET + "cell_pred"
MATRIX = "train.cm"  # the confusion matrix chart, whose selection picks a cell
GROUPS_OPEN = "train.groups-open"  # the "How your model groups digits" section is open


def widget_key(name: str) -> str:
    """The key of the widget of setting ``name`` (``train.w.batch_size``)."""
    return _WIDGET + name


def value(name: str) -> Any:
    """What the widget of setting ``name`` holds now (maybe invalid)."""
    return st.session_state[widget_key(name)]


def form_settings() -> TrainSettings:
    """The settings as the widgets hold them (validated later)."""
    return TrainSettings(**{name: value(name) for name in SETTING_NAMES})


def use_recipe(settings: TrainSettings) -> None:
    """Callback: fill the settings widgets from a recipe."""
    for name, v in settings.as_dict().items():
        st.session_state[widget_key(name)] = v


def restore_settings() -> None:
    """Puts the saved settings back into the widgets that lost them.

    Streamlit forgets the widgets' state while another page runs, so the values are also kept
    under a key of their own (``save_settings``); the notebook's recipe is the first default.
    """
    saved = st.session_state.get(_SAVED) or NOTEBOOK.as_dict()
    for name in SETTING_NAMES:
        st.session_state.setdefault(widget_key(name), saved[name])


def save_settings() -> None:
    """Keeps what the widgets hold, for ``restore_settings`` after a page switch."""
    st.session_state[_SAVED] = {name: value(name) for name in SETTING_NAMES}


def on_optimizer_change() -> None:
    """Switching optimizer moves the learning rate to the new one's usual value if it was at the old one's."""
    if value("learning_rate") in TYPICAL_LR.values():
        st.session_state[widget_key("learning_rate")] = TYPICAL_LR[value("optimizer")]


def chosen_cell(job_id: str, cm: np.ndarray) -> tuple[int, int]:
    """The confusion-matrix cell to show: kept per model; a new model starts at its biggest mistake."""
    cell = st.session_state.get(_CELL)
    if cell is None or cell[2] != job_id:
        cell = st.session_state[_CELL] = (*biggest_mistake(cm), job_id)
        st.session_state.pop(CELL_TRUE, None)
        st.session_state.pop(CELL_PRED, None)
    st.session_state.setdefault(CELL_TRUE, cell[0])  # the boxes forget while other pages run
    st.session_state.setdefault(CELL_PRED, cell[1])
    return cell[0], cell[1]


def _set_cell(true_digit: int, pred_digit: int) -> None:
    cell = st.session_state[_CELL]
    st.session_state[_CELL] = (true_digit, pred_digit, cell[2])
    st.session_state[CELL_TRUE], st.session_state[CELL_PRED] = true_digit, pred_digit


def on_cell_click() -> None:
    """Callback: a click on the confusion matrix selects a point of its transparent scatter layer."""
    points = st.session_state[MATRIX]["selection"]["points"]
    if points:
        _set_cell(int(points[0]["y"]), int(points[0]["x"]))


def on_cell_box() -> None:
    """Callback: the two boxes under the matrix chose a cell."""
    _set_cell(st.session_state[CELL_TRUE], st.session_state[CELL_PRED])
