"""One table drives the URL state: every query-string value, read from and written to ``st.query_params``.

Each row (a ``core.url_fields.UrlField``) says the key, how its text is parsed, the default,
how a bad value falls back (and with which note), and how the value is written back:

========  ============================  ======================  ==========================
key       parser                        default                 bad value
========  ============================  ======================  ==========================
arch      ``Architecture.from_url``     the notebook's CNN      default (or the session's
                                                                layers), with a warning
step      ``core.lesson.step_number``   step 1                  step 1, with a note
present   ``core.lesson.parse_present`` off                     off, silently
room      ``core.room_board.normal_code`` no room                 no room, with a note
presenter ``presenter_token``           none                    none; never written back
me        ``member_id``                 none                    none, with a note
========  ============================  ======================  ==========================

Add a row to carry a new value. ``ui.state`` keeps the architecture's session side (undo,
"seen this link"); ``ui.lesson_state`` the step and presentation mode; ``ui.room_state`` the
room: ``?room=CODE`` is a join link, and the presenter's private link adds ``&presenter=TOKEN``,
which ``ui.room_state`` reads once into the session and removes from the address bar. A member's
Room page adds ``&me=MEMBER_ID``, their own way back in after a reload or a server restart: a
bearer secret, never shown on a page nor put in a join link.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core import lesson
from core.architecture import Architecture
from core.presets import DEFAULT
from core.room_board import normal_code
from core.url_fields import Reading, UrlField

TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
TOKEN_MAX = 64  # a presenter token is 22 characters (secrets.token_urlsafe(16))
MEMBER_CHARS = frozenset("0123456789abcdef")
MEMBER_LEN = 32  # a member id is secrets.token_hex(16)


def presenter_token(text: str) -> str:
    """A presenter token from a link; ValueError (without quoting it) unless it looks like one."""
    token = text.strip()
    if not token or len(token) > TOKEN_MAX or not set(token) <= TOKEN_CHARS:
        raise ValueError("the presenter link is damaged")
    return token


def member_id(text: str) -> str:
    """A member id from a link; ValueError (not quoting it) unless it is 32 lowercase hex digits."""
    value = text.strip()
    if len(value) != MEMBER_LEN or not set(value) <= MEMBER_CHARS:
        raise ValueError("it is damaged")
    return value


ARCH: UrlField[Architecture] = UrlField(
    key="arch",
    parse=Architecture.from_url,
    default=lambda: DEFAULT,
    write=Architecture.to_url,
    fallback="The link's architecture could not be read: {error}. "
    "Showing the notebook's VGG-like CNN instead.",
    kept="The link's architecture could not be read: {error}. Your layers are unchanged.",
)
STEP: UrlField[int] = UrlField(
    key=lesson.URL_STEP,
    parse=lesson.step_number,
    default=lambda: lesson.FIRST,
    write=str,
    fallback=lesson.STEP_FALLBACK,
)
PRESENT: UrlField[bool] = UrlField(
    key=lesson.URL_PRESENT,
    parse=lesson.parse_present,
    default=lambda: False,
    write=lambda on: "1" if on else None,
)
ROOM: UrlField[str | None] = UrlField(
    key="room",
    parse=normal_code,
    default=lambda: None,
    write=lambda code: code,
    fallback="The link's room code could not be read: {error}.",
)
PRESENTER: UrlField[str | None] = UrlField(
    key="presenter",
    parse=presenter_token,
    default=lambda: None,
    write=lambda token: None,  # read once, then removed: the token never stays in the address bar
    fallback="This presenter link could not be read: {error}.",
)
ME: UrlField[str | None] = UrlField(
    key="me",
    parse=member_id,
    default=lambda: None,
    write=lambda member: member,
    fallback="This link's place in a room could not be read ({error}): join with a nickname.",
)
FIELDS: dict[str, UrlField[Any]] = {f.key: f for f in (ARCH, STEP, PRESENT, ROOM, PRESENTER, ME)}


def raw(field: UrlField[Any]) -> str | None:
    """The query string's text for ``field``, or None when the key is missing."""
    return st.query_params.get(field.key)


def read(field: UrlField[Any]) -> Reading[Any]:
    """``field``'s value in the URL now: parsed, or its default (with a note when it was bad)."""
    return field.read(raw(field))


def write(field: UrlField[Any], value: Any) -> str | None:
    """Writes ``value`` to the URL (removing the key when the field writes None).

    Returns:
        The text written, or None when the key was removed. The URL is only touched when it
        changes, so an unchanged value costs the browser no history entry.
    """
    text = field.write(value)
    if text is None:
        if field.key in st.query_params:
            del st.query_params[field.key]
    elif st.query_params.get(field.key) != text:
        st.query_params[field.key] = text
    return text


def remembered(field: UrlField[Any], session_key: str) -> Reading[Any]:
    """The URL's value, or the session's last one when the key is missing; kept and written back.

    Streamlit drops the query string on a page switch: coming back, the session's value is
    used (and restored in the URL). A bad value falls back to the default with the field's note.

    Args:
        field: a row of the table.
        session_key: where the session keeps the field's last value.
    """
    reading = read(field)
    if not reading.given and session_key in st.session_state:
        reading = Reading(st.session_state[session_key])
    keep(field, session_key, reading.value)
    return reading


def keep(field: UrlField[Any], session_key: str, value: Any) -> None:
    """Makes ``value`` the session's value of ``field`` and writes it to the URL."""
    st.session_state[session_key] = value
    write(field, value)
