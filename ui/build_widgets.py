"""Build page widget groups for editing: palette, toolbar, layer rows, the open layer's settings.

Each draws one group and returns plain values (what was asked for); ``ui.build_actions``
decides what to do with them ("change state, then rebuild"). The tables, the lesson notes and
the export box are in ``ui.build_panels``, ``ui.build_lessons`` and ``ui.build_export``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.build_view import WHERE, number_bounds, shown_value
from core.layers import CATALOGUE, ParamSpec
from core.shapes import LayerTrace


@dataclass(frozen=True)
class AddRequest:
    """The palette's answer: add a layer of ``kind`` with ``params`` at ``where``."""

    kind: str
    params: dict[str, Any]
    where: str  # a key of WHERE


# --- parameters ---------------------------------------------------------------------------------


def param_inputs(kind: str, values: dict[str, Any], key: str, columns: int = 3) -> dict[str, Any]:
    """One widget per catalogue parameter of ``kind``: number inputs with the catalogue's ranges,
    selectboxes for choices, and an empty number input ("auto") for an optional parameter.

    Args:
        kind: the layer kind (Keras class name).
        values: the starting values (a layer's params, or the catalogue defaults).
        key: prefix for the widget keys; change it to reset the widgets.
        columns: widgets per row.

    Returns:
        The parameters as the widgets show them (None for an empty "auto" field).
    """
    specs = CATALOGUE[kind].params
    if not specs:
        st.caption("This layer has no settings.")
        return {}
    out: dict[str, Any] = {}
    cols = st.columns(columns)
    for i, p in enumerate(specs):
        with cols[i % columns]:
            out[p.name] = _param_input(p, values.get(p.name, p.default), f"{key}-{p.name}")
    return out


def _param_input(p: ParamSpec, value: Any, key: str) -> Any:
    if p.kind == "choice":
        index = p.choices.index(value) if value in p.choices else 0
        return st.selectbox(p.label, p.choices, index=index, help=p.help, key=key)
    low, high, step = number_bounds(p)
    value = shown_value(p, value)
    return st.number_input(
        p.label,
        min_value=low,
        max_value=high,
        value=value,
        step=step,
        help=p.help,
        key=key,
        placeholder="auto" if p.optional else None,
        format="%.2f" if p.kind == "float" else None,
    )


# --- palette, toolbar, rows ---------------------------------------------------------------------


def palette(selected: int | None) -> AddRequest | None:
    """The "Add a layer" box: kind, its parameters, where to insert, and the Add button.

    Returns:
        An AddRequest when "Add layer" was pressed in this run, else None.
    """
    with st.container(border=True, key="palette"):
        kinds = list(CATALOGUE)
        kind = st.selectbox(
            "Add a layer",
            kinds,
            index=kinds.index("Conv2D"),
            key="add-kind",
            format_func=lambda k: f"{CATALOGUE[k].label} — {CATALOGUE[k].summary}",
        )
        with st.form("add-form", border=False, enter_to_submit=False):
            params = param_inputs(kind, CATALOGUE[kind].defaults(), key=f"add-{kind}", columns=5)
            after = f"after #{selected + 1} (the open layer)" if selected is not None else None
            options = ["end", "after", "start"] if after else ["end", "start"]
            with st.container(horizontal=True, vertical_alignment="bottom"):
                where = st.radio(
                    "Where",
                    options,
                    horizontal=True,
                    key="add-where",
                    format_func=lambda w: after if w == "after" and after else WHERE[w],
                )
                st.space("stretch")
                pressed = st.form_submit_button(
                    "Add layer", type="primary", icon=":material/add:", key="add-button"
                )
    return AddRequest(kind, params, where or "end") if pressed else None


def toolbar(
    preset_names: list[str], index: int | None, blurbs: dict[str, str], undo_note: str | None
) -> tuple[str, str | None]:
    """Preset picker (starting at ``index``, or empty), Load, Undo and Clear in one row.

    Returns:
        (action, preset): action is "load", "undo", "clear" or "" (nothing pressed).
    """
    with st.container(horizontal=True, vertical_alignment="bottom", key="toolbar"):
        preset = st.selectbox(
            "Preset",
            preset_names,
            index=index,
            key="preset-choice",
            width=300,
            placeholder="Choose a ready-made model…",
        )
        load = st.button(
            "Load preset",
            icon=":material/download_for_offline:",
            key="preset-load",
            disabled=preset is None,
        )
        st.space("stretch")
        undo = st.button(
            "Undo",
            icon=":material/undo:",
            key="undo",
            disabled=undo_note is None,
            help=f"Take back: {undo_note}" if undo_note else "Nothing to undo yet",
        )
        clear = st.button(
            "Clear",
            icon=":material/delete_sweep:",
            key="clear",
            help="Remove every layer (Undo brings them back)",
        )
    about = (
        f"**{preset}:** {blurbs[preset]}"
        if preset
        else "Presets: the notebook's models and a quick one."
    )
    st.caption(about + (f" · Last change: {undo_note}." if undo_note else ""))
    action = "load" if load else "undo" if undo else "clear" if clear else ""
    return action, preset


def layer_row(layer: LayerTrace, selected: bool, count: int) -> str | None:
    """One layer in the list: its name (click to open it), move up, move down, remove.

    Returns:
        "select", "up", "down", "remove", or None when nothing was pressed.
    """
    i = layer.index
    broken = layer.status == "error"
    with st.container(horizontal=True, vertical_alignment="center", gap="xxsmall", key=f"row-{i}"):
        label = f"{i + 1}\u2002{layer.spec.describe()}" + (
            "\u2002(not reached)" if layer.status == "skipped" else ""
        )
        chosen = st.button(
            label,
            key=f"row-select-{i}",
            type="primary" if selected else "tertiary",
            icon=":material/error:" if broken else None,
            help="Open this layer: explanation and settings",
        )
        st.space("stretch")
        up = st.button(
            "",
            icon=":material/arrow_upward:",
            key=f"row-up-{i}",
            type="tertiary",
            disabled=i == 0,
            help="Move up",
        )
        down = st.button(
            "",
            icon=":material/arrow_downward:",
            key=f"row-down-{i}",
            type="tertiary",
            disabled=i == count - 1,
            help="Move down",
        )
        remove = st.button(
            "", icon=":material/close:", key=f"row-remove-{i}", type="tertiary", help="Remove"
        )
    if broken:
        st.error(f"**Layer {i + 1} breaks here:** {layer.error}", icon=":material/error:")
    return "select" if chosen else "up" if up else "down" if down else "remove" if remove else None


def layer_editor(layer: LayerTrace) -> tuple[dict[str, Any] | None, bool]:
    """The open layer: what it does (catalogue text), its settings, and a Close button.

    Returns:
        (params, close): the new parameters when a setting was changed in this run (else
        None), and whether Close was pressed.
    """
    spec, entry = layer.spec, CATALOGUE[layer.spec.kind]
    with st.container(border=True, key="editor"):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(f"**Layer {layer.index + 1}: {entry.label}**")
            st.space("stretch")
            close = st.button("Close", icon=":material/close:", key="editor-close", type="tertiary")
        st.markdown(f"{entry.summary} {entry.explanation}")
        if layer.status == "error":
            st.error(f"**This layer breaks:** {layer.error}", icon=":material/error:")
        version = abs(hash(spec)) % 10**8  # new widgets when the layer changes (edit, undo)
        if entry.params:
            st.caption("Its settings (a change applies at once):")
        values = param_inputs(
            spec.kind, spec.params, key=f"edit-{layer.index}-{version}", columns=5
        )
    shown = {p.name: shown_value(p, spec.params[p.name]) for p in entry.params}
    changed = values if values and values != shown else None
    return changed, close
