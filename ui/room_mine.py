"""The Room page's "Your runs and drawings": what this member posted, each one deletable.

The list comes from the store by member (the id is never shown), so it is there after a reload or
a server restart too, when this session no longer has the trained model or the drawing that Train
and Draw offer to take back. It is read only while its expander is open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from core.figures.draw import tile
from ui import room_state

if TYPE_CHECKING:
    from core.room import DrawingEntry, Member, RunEntry, Store

OPEN = "room.mine.open"  # the expander's key
_ERROR = "room.mine.error"  # the last deletion's refusal, shown once
DRAWINGS_SHOWN = 30  # newest first
PER_ROW = 6


def _delete(store: Store, kind: str, entry_id: int) -> None:
    """The buttons' callback: deletes one of the member's runs or drawings, or keeps the refusal."""
    from core.room import RoomError

    joined = room_state.member()
    if joined is None:
        return
    try:
        if kind == "run":
            store.delete_own_run(joined, entry_id)
            room_state.forget_run(entry_id)
        else:
            store.delete_own_drawing(joined, entry_id)
    except RoomError as err:
        st.session_state[_ERROR] = str(err)
        return
    st.toast(f"Your {kind} is deleted from the room.", icon=":material/delete:")


def panel(store: Store) -> None:
    """The member's own entries, in an expander; nothing for a session without a nickname."""
    joined = room_state.member()
    if joined is None:
        return
    opened = st.expander(
        "Your runs and drawings in the room", icon=":material/person:", on_change="rerun", key=OPEN
    )
    if not opened.open:
        return
    with opened:
        refusal = st.session_state.pop(_ERROR, None)
        if refusal:
            st.error(refusal, icon=":material/block:")
        _entries(store, joined)


def _entries(store: Store, joined: Member) -> None:
    from core.room import RoomError

    try:
        runs = [r for r in store.runs(joined.room_code) if r.member_id == joined.member_id]
        drawings = [d for d in store.drawings(joined.room_code) if d.member_id == joined.member_id]
    except RoomError as err:
        st.error(str(err), icon=":material/cloud_off:")
        return
    if not runs and not drawings:
        st.caption("Nothing yet: post a run from Train or add a drawing on Draw.")
        return
    for run in runs:
        _run_row(store, run)
    if drawings:
        st.caption(
            f"Your drawings ({len(drawings):,}"
            + (f", the newest {DRAWINGS_SHOWN} shown)" if len(drawings) > DRAWINGS_SHOWN else ")")
        )
        _drawing_grid(store, drawings[:DRAWINGS_SHOWN])


def _run_row(store: Store, run: RunEntry) -> None:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(
            f"Run #{run.run_id}: {run.test_accuracy:.2%} on MNIST's test digits, "
            f"{run.params:,} parameters."
        )
        st.button(
            "Delete this run",
            icon=":material/delete:",
            key=f"room.mine.run.{run.run_id}",
            on_click=_delete,
            args=(store, "run", run.run_id),
        )


def _drawing_grid(store: Store, drawings: list[DrawingEntry]) -> None:
    for start in range(0, len(drawings), PER_ROW):
        columns = st.columns(PER_ROW)
        for column, drawing in zip(columns, drawings[start : start + PER_ROW], strict=False):
            with column:
                image = tile(np.asarray(drawing.image, dtype=np.uint8), 56)
                st.image(image, caption=f"a {drawing.label}", width=56)
                st.button(
                    "Delete",
                    icon=":material/delete:",
                    key=f"room.mine.drawing.{drawing.drawing_id}",
                    help="Delete this drawing from the room's handwriting.",
                    on_click=_delete,
                    args=(store, "drawing", drawing.drawing_id),
                )
