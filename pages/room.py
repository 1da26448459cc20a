"""Room: a workshop's shared board of models and handwriting, live, for the presenter and everyone in it.

URL: ``/room?room=K7QM2X`` is a join link; the presenter's private link adds ``&presenter=...``,
which the page reads once and removes from the address bar. A member's address bar also carries
``&me=...``, their way back in after a reload or a server restart (never in the join link).
"""

from __future__ import annotations

import streamlit as st

from core import room_board as rb
from core.room import RoomError
from ui import (
    room_board,
    room_join,
    room_mine,
    room_presenter,
    room_state,
    room_store,
    room_view,
    runtime,
)
from ui.errors import guard

runtime.run_through_app()

present = room_state.presenting()
if not present:
    st.title("Room")
    st.caption(
        "A workshop's shared board: everyone's posted models side by side, how they read the "
        "room's own handwriting, live."
    )
notice = room_state.take_notice()
if notice:
    st.info(notice, icon=":material/info:")
try:
    store = room_store.store()
except RoomError as err:  # the database is down or misconfigured: this page says so, nothing else
    st.error(str(err), icon=":material/cloud_off:")
    st.stop()

room_join.from_link(store)
code = room_state.code()
if code is None:
    room_join.start_or_join(store)
    st.stop()
room_join.keep_in_address(code)  # the join link, plus the member's own way back in

st.toggle("Presentation mode", key=room_state.PRESENT, help="The board large, for a projector.")
room_board.header(code, rb.join_address(st.context.url, code), present)
if not present:
    room_join.membership(store)
    room_mine.panel(store)
board = st.container()  # drawn after the presenter's controls, so they agree on the version

if room_state.is_presenter() and not present:
    with guard("showing the presenter's controls"):
        try:
            view = room_view.current(store, code)
        except RoomError as err:
            st.error(str(err), icon=":material/cloud_off:")
        else:
            private = rb.presenter_address(st.context.url, code, room_state.presenter_token() or "")
            room_presenter.controls(store, view, private)
else:
    room_state.set_controls_version(None)
with board:
    room_board.board(store, code, present)
