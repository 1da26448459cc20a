"""The room's database: one ``core.room.Store`` per process and URL, and its failures as messages.

Where the database is (first found wins):

1. ``$LAYER_BY_LAYER_ROOM_DB`` (any SQLAlchemy URL; tests point it at a temporary SQLite file);
2. ``.streamlit/secrets.toml``: ``[room] url = "postgresql+psycopg://..."``, so several app
   servers share one room;
3. the store's default SQLite file in the data folder (``core.room.open_store``).

The environment comes first so that a test or a one-off server never writes into the database a
deployment's secrets name. The cache is keyed on that URL, so a changed variable opens a new
Store. A database that cannot be opened is tried again at most every ``RETRY_S`` seconds: a room
of 30 refreshing boards would otherwise pile up connection attempts on a server that is down.
Nothing here imports ``core.room`` (SQLAlchemy) until a room is used.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import TYPE_CHECKING

import streamlit as st

from core.text import short_error

if TYPE_CHECKING:
    from core.room import Store

log = logging.getLogger("layer_by_layer")
ENV = "LAYER_BY_LAYER_ROOM_DB"
RETRY_S = 5.0
_failures: dict[str, tuple[float, str]] = {}  # url -> (when, message) of the last failed open
_lock = threading.Lock()


def configured_url() -> str:
    """The database URL to use: the environment, then secrets, then "" (the default SQLite file)."""
    url = os.environ.get(ENV, "").strip()
    if url:
        return url
    try:
        room = st.secrets.get("room")
    except (FileNotFoundError, KeyError, ValueError):  # no secrets file, or one we cannot read
        return ""
    value = room.get("url") if hasattr(room, "get") else None
    return str(value).strip() if value else ""


def _redacted(url: str) -> str:
    """The URL for a log line, without its password."""
    if not url:
        return "the default SQLite file"
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL: say so without echoing it
        return "an unreadable database URL"


@st.cache_resource(show_spinner=False, max_entries=4)
def _open(url: str) -> Store:
    """Opens (and creates, on first use) the store at ``url``; failures are not cached."""
    from core.room import Limits, open_store

    return open_store(url or None, Limits.from_env())


def unavailable_message(reason: str) -> str:
    """The sentence a page shows when the database cannot be used.

    >>> unavailable_message("timeout")[:56]
    "The room's database is unavailable right now (timeout); "
    """
    return (
        f"The room's database is unavailable right now ({reason}); the rest of the app works "
        "and nothing of yours is lost."
    )


def store() -> Store:
    """This process's Store for the configured database.

    Raises:
        core.room.RoomUnavailable: when it cannot be opened (the message is for the user).
    """
    from core.room import RoomError, RoomUnavailable

    url = configured_url()
    with _lock:
        failed = _failures.get(url)
    if failed is not None and time.monotonic() - failed[0] < RETRY_S:
        raise RoomUnavailable(failed[1])
    try:
        opened = _open(url)
    except RoomError as err:
        message = str(err)
    except Exception as err:  # noqa: BLE001 - a bad URL, a missing driver, a refused connection
        message = unavailable_message(short_error(err, limit=120))
        log.warning(
            "the room store at %s could not be opened: %s", _redacted(url), type(err).__name__
        )
    else:
        with _lock:
            _failures.pop(url, None)
        return opened
    with _lock:
        _failures[url] = (time.monotonic(), message)
    raise RoomUnavailable(message)


def problem() -> str | None:
    """Why the room's database cannot be used right now (None when it can be opened)."""
    from core.room import RoomError

    try:
        store()
    except RoomError as err:
        return str(err)
    return None
