"""Getting into a room: start one, join with a code and a nickname, follow a link, come back, leave.

A member's Room page carries ``?room=CODE&me=MEMBER_ID`` (``keep_in_address``): a new session
with both (a reload, or a server that stopped behind nginx) asks ``Store.rejoin`` once and is that
member again. The id is the member's bearer secret: never shown, never in the join link.

Wrong codes (typed, or in a join or presenter link) count against the session's limit in
``ui.room_state``; past it the form says how long to wait. Every refusal is the store's own short
message (``core.room.RoomError``); nothing here shows a traceback.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import streamlit as st

from core.room_board import normal_code
from core.text import short_error
from ui import reconnect, room_state, url_state
from ui.markdown import escape
from ui.url_state import ME, PRESENTER, ROOM

if TYPE_CHECKING:
    from core.room import Store

log = logging.getLogger("layer_by_layer")
CODE_IN = "room.join.code"
NAME_IN = "room.join.nickname"


def _wait_text(seconds: int) -> str:
    return f"Too many wrong room codes from this browser: wait {seconds} s and try again."


def from_link(store: Store) -> None:
    """Reads ``?room=``, ``?me=`` and ``?presenter=``; the token leaves the address bar at once."""
    token = url_state.read(PRESENTER)
    url_state.write(PRESENTER, None)  # never left in the address bar, whatever happens next
    room, me = url_state.read(ROOM), url_state.read(ME)
    for reading in (room, token, me):
        if reading.note:
            st.warning(reading.note, icon=":material/link_off:")
    if me.bad:
        url_state.write(ME, None)
    if token.given and token.value is not None:
        _presenter_link(store, room.value, token.value)
        return
    if (
        room.value is not None
        and me.value is not None
        and room_state.code() is None
        and _rejoin(store, room.value, me.value)
    ):
        return
    if room.value is not None and room.value not in (
        room_state.code(),
        room_state.pending_code(),
    ):
        _join_link(store, room.value)


def keep_in_address(code: str) -> None:
    """The address bar: the room's code, and the member's id (their way back in after a reload)."""
    joined = room_state.member()
    url_state.write(ROOM, code)
    url_state.write(
        ME, joined.member_id if joined is not None and joined.room_code == code else None
    )


def _rejoin(store: Store, code: str, member_id: str) -> bool:
    """This session becomes the link's member again (and reruns, welcoming them back).

    Returns:
        True when nothing more is to be done with the link (the room gone, or the database
        down); False (and no ``me`` in the address) when the room is there but the member left
        or never was: the join form follows.
    """
    from core.room import RoomError, RoomUnavailable

    if room_state.rejoin_asked(code, member_id):
        return False
    try:
        again = store.rejoin(code, member_id)
    except RoomUnavailable as err:  # asked again on the next run: the place is not lost
        st.error(str(err), icon=":material/cloud_off:")
        return True
    except RoomError as err:  # deleted or expired
        room_state.note_rejoin_asked(code, member_id)
        url_state.write(ME, None)
        url_state.write(ROOM, None)
        st.info(f"{err} The room you were in is gone: start or join another one.")
        return True
    room_state.note_rejoin_asked(code, member_id)
    if again is None:
        url_state.write(ME, None)
        st.info(
            f"Your place in room {code} has ended (you left it, or the link is not yours): "
            "join it again with a nickname.",
            icon=":material/person_off:",
        )
        return False
    room_state.enter(code, as_member=again)
    room_state.set_notice(f"Welcome back, {escape(again.nickname)}: you are in room {code} again.")
    reconnect.carry_over()  # a restart's notice stays for the rerun
    st.rerun()  # the sidebar, drawn before this page, shows the room too


def _presenter_link(store: Store, code: str | None, token: str) -> None:
    from core.room import RoomError, RoomUnavailable

    wait = room_state.wrong_code_wait()
    if code is None or wait:
        st.error(_wait_text(wait) if wait else "This presenter link has no room code.")
        return
    try:
        allowed = store.is_presenter(code, token)
    except RoomUnavailable as err:
        st.error(str(err), icon=":material/cloud_off:")
        return
    except RoomError:
        allowed = False
    if not allowed:
        room_state.note_wrong_code()
        st.error(
            f"This presenter link does not open room {code}: the room is gone or the link is "
            "wrong. Ask for the link again, or start a new room.",
            icon=":material/key_off:",
        )
        return
    room_state.enter(code, token=token)
    st.toast("You control this room from this browser.", icon=":material/key:")


def _join_link(store: Store, code: str) -> None:
    from core.room import RoomError, RoomUnavailable

    if room_state.code() is not None:
        st.info(
            f"This link is for room {code}, but you are in room {room_state.code()}: "
            "leave it first to join the other one.",
            icon=":material/info:",
        )
        return
    if wait := room_state.wrong_code_wait():
        st.error(_wait_text(wait))
        return
    try:
        store.room(code)
    except RoomUnavailable as err:
        st.error(str(err), icon=":material/cloud_off:")
        return
    except RoomError as err:
        room_state.note_wrong_code()
        url_state.write(ROOM, None)
        st.error(str(err), icon=":material/link_off:")
        return
    room_state.set_pending_code(code)
    st.session_state[CODE_IN] = code


def start_or_join(store: Store) -> None:
    """Outside a room: "Start a room" for the presenter beside the join form for everyone else."""
    join_col, start_col = st.columns([3, 2], gap="large")
    with join_col:
        st.subheader("Join a room")
        join_form(store, room_state.pending_code())
    with start_col:
        st.subheader("Run a room")
        st.markdown(
            "Start a room for a workshop: you get a short code and a link (with a QR code) for "
            "the learners, and a private link that lets you control the room from any browser."
        )
        if st.button("Start a room", icon=":material/add_circle:", type="primary"):
            _start(store)


def _start(store: Store) -> None:
    from core.room import RoomError

    try:
        room, token = store.start_room()
    except RoomError as err:
        st.error(str(err), icon=":material/block:")
        return
    room_state.enter(room.code, token=token)
    url_state.write(ROOM, room.code)
    st.rerun()


def join_form(store: Store, code: str | None = None) -> None:
    """The code (pre-filled from a link, or fixed when ``code`` is this session's room) and a nickname."""
    fixed = code is not None and code == room_state.code()
    if code is not None and not fixed:
        st.session_state.setdefault(CODE_IN, code)
    with st.form("room.join", border=False, enter_to_submit=True):
        typed = code if fixed else st.text_input("Room code", key=CODE_IN, placeholder="K7QM2X")
        nickname = st.text_input(
            "Your nickname",
            key=NAME_IN,
            max_chars=60,
            help="1 to 24 characters, unique in the room.",
        )
        joined = st.form_submit_button("Join the room", icon=":material/login:", type="primary")
    if joined:
        _join(store, typed or "", nickname or "")


def _join(store: Store, typed: str, nickname: str) -> None:
    from core.room import RoomError, RoomUnavailable

    if wait := room_state.wrong_code_wait():
        st.error(_wait_text(wait), icon=":material/hourglass:")
        return
    try:
        code = normal_code(typed)
        store.room(code)
    except RoomUnavailable as err:
        st.error(str(err), icon=":material/cloud_off:")
        return
    except (ValueError, RoomError) as err:
        room_state.note_wrong_code()
        st.error(_code_refusal(typed, err), icon=":material/error:")
        return
    try:
        joined = store.join(code, nickname)
    except RoomError as err:  # the nickname's reason, a closed room, a database that is down
        st.error(str(err), icon=":material/person_off:")
        return
    room_state.enter(code, as_member=joined)
    keep_in_address(code)
    st.rerun()


def _code_refusal(typed: str, err: Exception) -> str:
    if isinstance(err, ValueError):
        return f"That is not a room code: {err}." if typed.strip() else "Type the room's code."
    return str(err)


def leave_button(store: Store) -> None:
    """Leave the room (what was posted stays); the presenter's control goes too."""
    from core.room import RoomError

    if not st.button("Leave the room", icon=":material/logout:", key="room.leave"):
        return
    joined = room_state.member()
    if joined is not None:
        try:
            store.leave(joined)
        except RoomError as err:  # the database is down: this browser leaves all the same
            log.info("leaving the room was not recorded: %s", short_error(err, limit=120))
    room_state.leave()
    url_state.write(ROOM, None)
    url_state.write(ME, None)
    st.rerun()


def membership(store: Store) -> None:
    """Who this session is in the room, and the way out (or in, for a presenter without a nickname)."""
    code, joined = room_state.code(), room_state.member()
    with st.container(horizontal=True, vertical_alignment="center"):
        if joined is not None:
            st.markdown(f"You are in room **{code}** as **{escape(joined.nickname)}**.")
        else:
            st.markdown(f"You run room **{code}** from this browser.")
        leave_button(store)
    if joined is None:
        with st.expander("Join as a participant too (to post runs and drawings)"):
            join_form(store, code)
