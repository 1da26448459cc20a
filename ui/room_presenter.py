"""The presenter's controls: pause, close, remove entries, download the results, delete the room.

Shown only to a session holding the room's presenter token (``ui.room_state``); every action
passes the token to the store, which compares it in constant time and refuses a wrong one
(``core.room.NotAllowed``). Actions run as button callbacks, before the page draws, so the board
below already shows their effect; their outcome is a toast or a message, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from core import room_board as rb
from core.figures.draw import tile
from ui import room_state, url_state
from ui.room_view import View
from ui.url_state import ME, ROOM

if TYPE_CHECKING:
    from core.room import Store

_ERROR = "room.presenter.error"  # the last action's refusal, shown once
_FILES = "room.presenter.files"  # (version, csv text, npz bytes) prepared for download
CONFIRM = "room.presenter.confirm"
RUN_PICK = "room.presenter.run"
DRAWING_PICK = "room.presenter.drawing"
RECENT_DRAWINGS = 60  # drawings offered for removal, newest first


def _act(store: Store, action: Callable[[Store, str, str], object], done: str) -> None:
    """Runs ``action(store, code, token)``; its refusal (a wrong token, a database down) is kept."""
    from core.room import RoomError

    code, token = room_state.code(), room_state.presenter_token()
    if code is None or token is None:
        return
    st.session_state.pop(_FILES, None)  # prepared files are of the room before this action
    try:
        action(store, code, token)
    except RoomError as err:
        st.session_state[_ERROR] = str(err)
        return
    st.toast(done, icon=":material/check:")


def _delete(store: Store, code: str, token: str) -> None:
    store.delete_room(code, token)
    room_state.leave()
    room_state.set_notice(f"Room {code} and everything in it are deleted.")
    url_state.write(ROOM, None)
    url_state.write(ME, None)


def controls(store: Store, view: View, address: str) -> None:
    """Everything only the presenter can do, under the board."""
    room_state.set_controls_version(view.board.version)
    refusal = st.session_state.pop(_ERROR, None)
    if refusal:
        st.error(refusal, icon=":material/block:")
    st.subheader("Presenter")
    _state_buttons(store, view.board.room.state)
    runs_col, drawings_col = st.columns(2, gap="large")
    with runs_col:
        _remove_run(store, view)
    with drawings_col:
        _remove_drawing(store, view)
    _downloads(store, view)
    _private_link(address)
    _delete_room(store)


def _state_buttons(store: Store, state: str) -> None:
    with st.container(horizontal=True):
        if state == "open":
            st.button(
                "Pause posting",
                icon=":material/pause:",
                on_click=_act,
                args=(store, lambda s, c, t: s.set_state(c, t, "paused"), "Posting is paused."),
            )
        else:
            st.button(
                "Reopen the room",
                icon=":material/play_arrow:",
                on_click=_act,
                args=(store, lambda s, c, t: s.set_state(c, t, "open"), "The room is open again."),
            )
        st.button(
            "Close the room",
            icon=":material/lock:",
            disabled=state == "closed",
            help="Read-only: the board stays, nobody can post, draw or join.",
            on_click=_act,
            args=(store, lambda s, c, t: s.set_state(c, t, "closed"), "The room is closed."),
        )


def _remove_run(store: Store, view: View) -> None:
    board_rows = rb.rows(view.board.runs, view.board.room_accuracy)
    if not board_rows:
        st.caption("No runs to remove.")
        return
    by_id = {r.run_id: r for r in board_rows}
    chosen = st.selectbox(
        "Remove a run", list(by_id), format_func=lambda i: rb.run_label(by_id[i]), key=RUN_PICK
    )
    st.button(
        "Remove this run",
        icon=":material/delete:",
        key="room.presenter.remove_run",
        on_click=_act,
        args=(store, lambda s, c, t: s.remove_run(c, t, chosen), "The run is removed."),
    )


def _remove_drawing(store: Store, view: View) -> None:
    if not view.board.n_drawings:
        st.caption("No drawings to remove.")
        return
    opened = st.expander("Remove a drawing", on_change="rerun", key="room.presenter.drawings")
    if not opened.open:
        return
    with opened:
        from core.room import RoomError

        try:
            recent = store.drawings(room_state.code() or "")[:RECENT_DRAWINGS]
        except RoomError as err:
            st.error(str(err))
            return
        by_id = {d.drawing_id: d for d in recent}
        chosen = st.selectbox(
            "Drawing",
            list(by_id),
            format_func=lambda i: f"#{i}: a {by_id[i].label} by {by_id[i].nickname}",
            key=DRAWING_PICK,
        )
        if chosen in by_id:
            st.image(tile(np.asarray(by_id[chosen].image, dtype=np.uint8), 84), width=84)
        st.button(
            "Remove this drawing",
            icon=":material/delete:",
            on_click=_act,
            args=(store, lambda s, c, t: s.remove_drawing(c, t, chosen), "The drawing is removed."),
        )


def _prepare(store: Store, code: str, token: str, version: int) -> None:
    st.session_state[_FILES] = (
        version,
        store.export_csv(code, token),
        store.export_npz(code, token),
    )


def _downloads(store: Store, view: View) -> None:
    code = view.board.room.code
    files = st.session_state.get(_FILES)
    with st.container(horizontal=True, vertical_alignment="center"):
        if files is None or files[0] != view.board.version:
            st.button(
                "Prepare the downloads",
                icon=":material/download:",
                help="The results as CSV and the room's handwriting as .npz (MNIST's layout).",
                on_click=_act,
                args=(store, lambda s, c, t: _prepare(s, c, t, view.board.version), "Ready."),
            )
            return
        _, csv_text, npz_bytes = files
        st.download_button(
            "Results (.csv)", csv_text, f"room-{code}.csv", "text/csv", icon=":material/table:"
        )
        st.download_button(
            "Handwriting (.npz)",
            npz_bytes,
            f"room-{code}-handwriting.npz",
            "application/octet-stream",
            icon=":material/draw:",
        )
        st.caption("`x` (n, 28, 28) uint8 and `y` (n,), as MNIST's arrays.")


def _private_link(address: str) -> None:
    with st.popover("Your presenter link", icon=":material/key:"):
        st.caption(
            "Whoever has this link controls the room: keep it to yourself. It opens these "
            "controls in any browser."
        )
        st.code(address, language=None, wrap_lines=True)


def _delete_room(store: Store) -> None:
    with st.container(horizontal=True, vertical_alignment="center"):
        sure = st.checkbox("Yes, delete this room and all its runs and drawings", key=CONFIRM)
        st.button(
            "Delete the room",
            icon=":material/delete_forever:",
            type="primary",
            disabled=not sure,
            on_click=_act,
            args=(store, _delete, "The room is deleted."),
        )
