"""Writes that outlive a lost database connection: tried once more on a fresh one, never doubled.

A PostgreSQL restart or a dropped link breaks the connection a write is using. Before COMMIT
nothing was written (the server rolls an unfinished transaction back), so the write runs again
on a fresh connection after a short pause. During COMMIT the client cannot know whether the
change landed: only a *replayable* write runs again, one that first looks for what an earlier
try of it committed (posts carry a post key, unique per room, and return the entry already
there; a join carries the member id it was given and returns that member). A second failure is
the plain RoomUnavailable.

>>> import tempfile
>>> from core.room.engine import make_engine, resolve_url
>>> engine = make_engine(resolve_url(f"sqlite:///{tempfile.mkdtemp()}/rooms.sqlite3"))
>>> write(engine, lambda conn: conn.exec_driver_sql("SELECT 40 + 2").scalar_one())
42
>>> engine.dispose()
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine, Table, select

from core.room.codes import normalise_code
from core.room.engine import LostConnection, transaction
from core.room.entries import Member
from core.room.errors import RoomError
from core.room.schema import POST_KEY_CHARS

log = logging.getLogger("layer_by_layer")

T = TypeVar("T")
PAUSE_S = 0.5  # a fast restart of a small PostgreSQL takes ~0.2 s before it takes connections
KEY_FORM = re.compile(rf"[A-Za-z0-9_-]{{1,{POST_KEY_CHARS}}}")
DUPLICATE = "This entry is already in the room; refresh the board to see it."


def check_post_key(key: object = None) -> str:
    """The key a post is stored under: ``key`` when the caller gives one (letters, digits,
    ``-`` and ``_``, at most 64), else a new random one (32 hex characters).

    >>> check_post_key("run-7"), len(check_post_key())
    ('run-7', 32)

    Raises:
        RoomError: ``key`` is not such a text.
    """
    if key is None:
        return secrets.token_hex(16)
    if isinstance(key, str) and KEY_FORM.fullmatch(key):
        return key
    raise RoomError(f"A post key is 1 to {POST_KEY_CHARS} letters, digits, - or _.")


def already_posted(
    conn: Connection, table: Table, id_column: str, member: object, key: str
) -> int | None:
    """The id of the entry of ``table`` that ``member`` posted under ``key`` (an earlier try that
    committed, or the same post sent twice), else None."""
    if not isinstance(member, Member):
        return None
    return conn.execute(
        select(table.c[id_column]).where(
            table.c.room_code == normalise_code(member.room_code),
            table.c.post_key == key,
            table.c.member_id == member.member_id,
        )
    ).scalar_one_or_none()


def write(
    engine: Engine,
    work: Callable[[Connection], T],
    *,
    conflict: str | None = None,
    replayable: bool = False,
) -> T:
    """``work(conn)`` in one writing transaction, run once more if the connection is lost.

    Args:
        engine: the store's engine.
        work: the transaction's body; it may run twice, never both committed.
        conflict: the message when a constraint refuses the change.
        replayable: ``work`` finds what an earlier try of it committed, so it may run again
            after a connection that broke during COMMIT (else only a break before COMMIT is
            tried again, and one during COMMIT is RoomUnavailable at once).

    Raises:
        RoomError: what ``work`` raises, or a constraint refused the change.
        RoomUnavailable: the database failed twice, or once during COMMIT of a write that is
            not replayable.
    """
    try:
        with transaction(engine, write=True, conflict=conflict) as conn:
            return work(conn)
    except LostConnection as lost:
        if lost.at_commit and not replayable:
            raise
        when = "during COMMIT" if lost.at_commit else "before COMMIT"
        log.warning("room database connection lost %s; trying once more", when)
    time.sleep(PAUSE_S)
    with transaction(engine, write=True, conflict=conflict) as conn:
        return work(conn)
