"""The Train page's settings form, built from the settings table, with its recipes and Train button."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.architecture import Architecture
from core.training import RECIPES, SETTINGS, Setting, TrainSettings
from ui import jobs, train_state
from ui.errors import guard

COLUMNS = 4  # settings per row
ON_CHANGE: dict[str, Callable[[], None]] = {"optimizer": train_state.on_optimizer_change}


def settings_form(disabled: bool) -> TrainSettings:
    """The recipe buttons and one widget per setting; returns what they say (validated later)."""
    buttons = st.columns([1] * len(RECIPES) + [2])
    for column, recipe in zip(buttons, RECIPES, strict=False):
        column.button(
            recipe.label,
            on_click=train_state.use_recipe,
            args=(recipe.settings,),
            disabled=disabled,
            width="stretch",
            help=recipe.help,
        )
    for start in range(0, len(SETTINGS), COLUMNS):
        for column, setting in zip(
            st.columns(COLUMNS), SETTINGS[start : start + COLUMNS], strict=False
        ):
            _widget(column, setting, disabled)
    return train_state.form_settings()


def _widget(column, setting: Setting, disabled: bool) -> None:
    """The widget of one setting: a radio for a choice, a select box for a few offered values,
    else a number box (without bounds: validate() says what is wrong with a value)."""
    key = train_state.widget_key(setting.name)
    off = disabled or bool(setting.only_for and train_state.value("optimizer") != setting.only_for)
    common = dict(key=key, disabled=off, help=setting.help, on_change=ON_CHANGE.get(setting.name))
    if setting.kind == "choice":
        column.radio(
            setting.label, setting.values, horizontal=True, format_func=setting.text, **common
        )
    elif setting.options:
        column.selectbox(setting.label, setting.values, format_func=setting.text, **common)
    else:
        column.number_input(setting.label, step=setting.step, format=setting.fmt, **common)


def train_button(arch: Architecture, settings: TrainSettings, disabled: bool) -> None:
    """The Train button: starts a run, or says why it cannot start."""
    if st.button(
        "Train",
        type="primary",
        disabled=disabled,
        icon=":material/play_arrow:",
        help="Builds a fresh model with these settings and trains it beside the page.",
    ):
        with guard("starting the training"):
            error = jobs.start_training(arch, settings)
            if error:
                st.error(error)
            else:
                st.rerun()  # draws the page with the job running and polling on
