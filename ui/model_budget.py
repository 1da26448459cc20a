"""The process's one model budget (``core.model_budget``), and session models registered with it.

Sessions keep their models in ``core.held_model.HeldModel`` holders (the untrained models in
``ui.models``, the training and trained model in ``ui.jobs``); each is registered here with
this browser session's id, so that another session's script run, finding the server over its
budget, can put this session's idle models to sleep without reaching its ``st.session_state``.
Set the budget with ``$LAYER_BY_LAYER_MODEL_BUDGET`` (e.g. ``3GB``, the default).

Importing this module does not import Keras.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.held_model import HeldModel, keras_bytes
from core.model_budget import BUDGET_ENV, BudgetStats, ModelBudget, parse_budget

if TYPE_CHECKING:
    from core.keras_model import BuiltModel


@st.cache_resource(show_spinner=False)
def budget() -> ModelBudget:
    """The server-wide budget: ``$LAYER_BY_LAYER_MODEL_BUDGET`` bytes (3 GB when unset or bad)."""
    return ModelBudget(parse_budget(os.environ.get(BUDGET_ENV)))


def session_id() -> str | None:
    """This browser session's id (None outside a script run)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def held(
    built: BuiltModel,
    *,
    seed: int | None = None,
    slots: int = 0,
    busy: Callable[[], bool] | None = None,
    register: bool = True,
) -> HeldModel:
    """A holder of ``built`` for this session, accounted by the budget (unless ``register=False``).

    Args:
        built: the model.
        seed: the seed it was built with while its weights are still those (rebuilt from it).
        slots: optimizer slots per weight to account before training makes them.
        busy: never released while this returns True.
        register: False to register later with ``holder.register(budget())`` (e.g. once
            ``busy`` is set).
    """
    holder = HeldModel(built, seed=seed, session=session_id(), slots=slots, busy=busy)
    return holder.register(budget()) if register else holder


def pin(name: str, model: object) -> None:
    """Accounts a shared model that is never released (the pretrained one)."""
    budget().pin(name, keras_bytes(model))


def stats() -> BudgetStats:
    """The budget's accounting now (for a server status line or a benchmark)."""
    return budget().stats()
