"""This session's room: which room, as whom, the presenter token, wrong codes, what was posted.

Every key starts with ``room.``; pages and widgets call these functions. Joining is per browser
session: nothing here is shared. The presenter token lives only in this session's state (it is
never written to the URL, a log line or a message). Importing this module imports neither
SQLAlchemy nor Keras, so the sidebar's room line costs nothing.

``record_answer(question_id, value)`` is for the Lesson's predict-first questions: it stores the
learner's answer in the room's histogram, and does nothing outside a room.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import streamlit as st

from core.text import short_error

if TYPE_CHECKING:
    from core.room import Member

log = logging.getLogger("layer_by_layer")
WRONG_CODES = 5  # wrong room codes (or presenter links) a session may try ...
WRONG_WINDOW_S = 60.0  # ... within this many seconds; then it waits

_CODE = "room.code"  # the room this session is in (as a member, the presenter, or both)
_MEMBER = "room.member"  # core.room.Member once joined with a nickname
_TOKEN = "room.token"  # the presenter token of _CODE, once checked against the store
_WRONG = "room.wrong"  # time.monotonic() of each recent wrong code
_POSTED = "room.posted"  # {training job id: run id} posted from this session
_PENDING = "room.pending"  # a code from a join link, waiting for a nickname
_SORT = "room.sort"  # the leaderboard's order (the widget's key)
_NOTICE = "room.notice"  # one message for the next full run (e.g. "the room is gone")
_CONTROLS = "room.controls_version"  # the board version the presenter's controls were drawn for
_REJOINED = "room.rejoined"  # (code, member id) of a link's member this session asked the store for
PRESENT = "room.present"  # presentation mode (the toggle's key)


def code() -> str | None:
    """The code of the room this session is in, or None."""
    return st.session_state.get(_CODE)


def member() -> Member | None:
    """This session's membership (nickname, member id) in its room, or None."""
    return st.session_state.get(_MEMBER)


def presenter_token() -> str | None:
    """The presenter token for this session's room, when it came through the presenter link."""
    return st.session_state.get(_TOKEN)


def is_presenter() -> bool:
    """True when this session controls its room."""
    return code() is not None and presenter_token() is not None


def presenting() -> bool:
    """Presentation mode: the board large, without controls."""
    return bool(st.session_state.get(PRESENT, False))


def enter(room_code: str, *, as_member: Member | None = None, token: str | None = None) -> None:
    """Makes ``room_code`` this session's room (leaving another one), as a member and/or presenter."""
    if code() != room_code:
        leave()
    st.session_state[_CODE] = room_code
    st.session_state.pop(_PENDING, None)
    if as_member is not None:
        st.session_state[_MEMBER] = as_member
    if token is not None:
        st.session_state[_TOKEN] = token


def leave() -> None:
    """Forgets the room (the runs and drawings posted stay in it)."""
    for key in (_CODE, _MEMBER, _TOKEN, _POSTED, _PENDING, PRESENT, _CONTROLS):
        st.session_state.pop(key, None)


def rejoin_asked(room_code: str, member_id: str) -> bool:
    """True when this session already asked the store about this link's member (it asks once)."""
    return st.session_state.get(_REJOINED) == (room_code, member_id)


def note_rejoin_asked(room_code: str, member_id: str) -> None:
    """Notes that the store answered about this link's member (who is back, gone, or unknown)."""
    st.session_state[_REJOINED] = (room_code, member_id)


def forget_member() -> None:
    """Drops the nickname but stays in the room (the presenter keeps the board)."""
    st.session_state.pop(_MEMBER, None)


def pending_code() -> str | None:
    """A room code from a join link, shown in the join form until the learner picks a nickname."""
    return st.session_state.get(_PENDING)


def set_pending_code(room_code: str | None) -> None:
    """Remembers (or, with None, forgets) a join link's code."""
    if room_code is None:
        st.session_state.pop(_PENDING, None)
    else:
        st.session_state[_PENDING] = room_code


def controls_version() -> int | None:
    """The board version the presenter's controls list (None: no controls on the page)."""
    return st.session_state.get(_CONTROLS)


def set_controls_version(version: int | None) -> None:
    """Notes which board version the presenter's controls were drawn for (None: not drawn)."""
    st.session_state[_CONTROLS] = version


def set_notice(text: str) -> None:
    """A message the Room page shows once, on its next run."""
    st.session_state[_NOTICE] = text


def take_notice() -> str | None:
    """The pending message, if any (it is then forgotten)."""
    return st.session_state.pop(_NOTICE, None)


def card_line() -> str | None:
    """The sidebar's room line: "Room K7QM2X · as Ana", "Room K7QM2X · presenter", or None."""
    room_code = code()
    if room_code is None:
        return None
    joined = member()
    if joined is not None:
        return f"Room {room_code} · as {joined.nickname}"
    return f"Room {room_code} · presenter" if is_presenter() else f"Room {room_code}"


def wrong_code_wait(now: float | None = None) -> int:
    """Seconds before this session may try another code (0: now), after too many wrong ones."""
    now = time.monotonic() if now is None else now
    recent = [t for t in st.session_state.get(_WRONG, []) if now - t < WRONG_WINDOW_S]
    st.session_state[_WRONG] = recent
    if len(recent) < WRONG_CODES:
        return 0
    return max(1, int(WRONG_WINDOW_S - (now - recent[-WRONG_CODES]) + 0.999))


def note_wrong_code(now: float | None = None) -> None:
    """Counts one wrong code (or presenter link) against this session's limit."""
    st.session_state.setdefault(_WRONG, []).append(time.monotonic() if now is None else now)


def posted_run(job_id: str) -> int | None:
    """The room's run id of the training job ``job_id`` if this session posted it."""
    return st.session_state.get(_POSTED, {}).get(job_id)


def remember_post(job_id: str, run_id: int) -> None:
    """Notes that the model of ``job_id`` is posted as ``run_id``."""
    st.session_state.setdefault(_POSTED, {})[job_id] = run_id


def forget_post(job_id: str) -> None:
    """Notes that the model of ``job_id`` was taken off the board."""
    st.session_state.get(_POSTED, {}).pop(job_id, None)


def forget_run(run_id: int) -> None:
    """Notes that run ``run_id`` was taken off the board (from the Room page's list of yours)."""
    posted = st.session_state.get(_POSTED, {})
    for job_id in [job for job, run in posted.items() if run == run_id]:
        posted.pop(job_id)


def sort_key() -> str:
    """The session-state key of the leaderboard's "Sort by" control."""
    return _SORT


def record_answer(question_id: str, value: str) -> None:
    """Adds this learner's answer to a question to the room's histogram; a no-op outside a room.

    One answer per learner and question (a new one replaces it). A database that is down is
    logged and ignored: the Lesson goes on.
    """
    joined = member()
    if joined is None:
        return
    from core.room import RoomError
    from ui import room_store

    try:
        room_store.store().record_answer(joined, str(question_id)[:80], str(value)[:80])
    except RoomError as err:
        log.info("an answer was not recorded in the room: %s", short_error(err, limit=120))
