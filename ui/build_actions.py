"""The Build page's handlers: read what a widget group asked for, change the state, then rebuild.

Every change goes through ``apply``: a change that raises ``ArchitectureError`` keeps the old
architecture and says why; any other is pushed on the undo stack with a note, then the script
reruns so every panel shows the new architecture.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core import build_lessons as lessons
from core.architecture import Architecture, ArchitectureError, LayerSpec
from core.build_view import insert_position
from core.presets import PRESETS
from core.shapes import Trace
from ui import build_widgets as w
from ui import state
from ui.build_lessons import collapse_note, dense_lesson

KEEP = object()  # apply(): leave the selection as it is


def apply(
    change: Callable[[Architecture], Architecture], note: str, select: int | None | object = KEEP
) -> None:
    """Change state, then rebuild: a change that raises ArchitectureError keeps the old architecture.

    Args:
        change: current architecture -> new one.
        note: what changed, in words, for the Undo button.
        select: the layer to open afterwards (None closes the editor; KEEP leaves it).
    """
    try:
        state.set_arch(change(state.get_arch()), note)
    except ArchitectureError as err:
        state.notify("error", f"That change was not made: {err}")
    else:
        if select is not KEEP:
            state.select(select)  # type: ignore[arg-type]
    st.rerun()


def palette(selected: int | None) -> None:
    """The "Add a layer" box; a pressed Add inserts the layer and opens it (its explanation shows)."""
    req = w.palette(selected)
    if req is None:
        return
    at, where = insert_position(req.where, selected, len(state.get_arch()))
    layer = LayerSpec.make(req.kind, **req.params)
    apply(lambda a: a.insert(at, layer), f"added {req.kind} {where}", select=at)


def toolbar(arch: Architecture) -> None:
    """Preset picker, Load, Undo and Clear."""
    names = list(PRESETS)
    current = next((names.index(n) for n, (a, _) in PRESETS.items() if a == arch), None)
    blurbs = {name: blurb for name, (_, blurb) in PRESETS.items()}
    action, preset = w.toolbar(names, current, blurbs, state.undo_note())
    if action == "load" and preset is not None:
        state.notify("success", f"Loaded “{preset}”. {blurbs[preset]}")
        apply(lambda _: PRESETS[preset][0], f"loaded “{preset}”", select=None)
    elif action == "undo":
        state.undo()
        st.rerun()
    elif action == "clear":
        apply(lambda _: Architecture(), "cleared every layer", select=None)


def layer_list(t: Trace, selected: int | None) -> None:
    """One row per layer: open it, move it up or down, remove it."""
    if not t.layers:
        st.info("No layers yet: add one, or load a preset.", icon=":material/add_circle:")
    else:
        st.caption(f"**Your {len(t.layers)} layers** · click one to open it")
    for layer in t.layers:
        i, name = layer.index, layer.spec.describe()
        action = w.layer_row(layer, i == selected, len(t.layers))
        if action == "select":
            state.select(None if i == selected else i)
            st.rerun()
        elif action in ("up", "down"):
            offset = -1 if action == "up" else 1
            move = lambda a, i=i, o=offset: a.move(i, o)  # noqa: E731
            apply(move, f"moved {name} {action}", select=i + offset)
        elif action == "remove":
            apply(lambda a, i=i: a.remove(i), f"removed {name}", select=None)


def editor(t: Trace, selected: int) -> None:
    """The open layer beside the list: what it does, its settings, and a close button."""
    params, close = w.layer_editor(t.layers[selected])
    if close:
        state.select(None)
        st.rerun()
    if params is not None:
        apply(
            lambda a: a.replace_layer(selected, a.layers[selected].with_params(**params)),
            f"changed layer {selected + 1}",
        )


def lessons_for(t: Trace) -> None:
    """The notebook's lessons this architecture calls for, each with its one-click fix."""
    lesson, stacks = lessons.dense_on_image(t), lessons.linear_stacks(t)
    if lesson is not None:
        if dense_lesson(lesson, stacks):
            fix = lessons.fix_dense_on_image
            apply(lambda a: fix(a, lesson), lessons.FIX_DENSE_NOTE, select=None)
        return
    for stack in stacks:
        if collapse_note(stack):
            apply(lambda a, s=stack: lessons.fix_linear_stack(a, s), lessons.FIX_STACK_NOTE)
