"""Inside a transaction: find a room (locked for writers), check who may act, bump its version."""

from __future__ import annotations

import operator
import time
from typing import Any

from sqlalchemy import Connection, Row, Table, delete, select, update

from core.room.codes import is_code, normalise_code, tokens_match
from core.room.entries import Member, Room
from core.room.errors import NotAllowed, RoomError
from core.room.schema import members, rooms

CLOSED = "This room is closed: its board is read-only."
PAUSED = "Posting is paused by the presenter."
PRESENTER_ONLY = "Only the presenter's link can do that in this room."
NOT_A_CODE = "A room code is 6 letters and digits, like K7QM2X."


def to_room(row: Row[Any]) -> Room:
    """A Room from a ``rooms`` row."""
    return Room(row.code, row.state, float(row.created_at), float(row.expires_at))


def find_room(conn: Connection, code: object, *, lock: bool, now: float | None = None) -> Row:
    """The live room ``code``; ``lock`` holds its row until the transaction ends (writers queue).

    Raises:
        RoomError: not a code, no such room, or the room has expired.
    """
    normal = normalise_code(code)
    if not is_code(normal):
        raise RoomError(NOT_A_CODE)
    query = select(rooms).where(rooms.c.code == normal)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise RoomError(f"No room has the code {normal}.")
    if row.expires_at <= (time.time() if now is None else now):
        hours = max(1, round((row.expires_at - row.created_at) / 3600))
        raise RoomError(f"Room {normal} has ended (a room lasts {hours} h); its data is deleted.")
    return row


def check_state(row: Row, *, posting: bool) -> None:
    """Refuses changes in a closed room, and new runs or drawings in a paused one."""
    if row.state == "closed":
        raise RoomError(CLOSED)
    if posting and row.state == "paused":
        raise RoomError(PAUSED)


def member_room(conn: Connection, member: object, *, posting: bool = False) -> Row:
    """The member's room, locked, after checking they are still in it and it takes changes.

    Raises:
        RoomError: not a member (any more), or the room refuses changes now.
    """
    if not isinstance(member, Member):
        raise RoomError("Join the room with a nickname first.")
    row = find_room(conn, member.room_code, lock=True)
    found = conn.execute(
        select(members.c.left_at).where(
            members.c.member_id == member.member_id, members.c.room_code == row.code
        )
    ).first()
    if found is None or found.left_at is not None:
        raise RoomError(f"You are not in room {row.code} any more; join it again.")
    check_state(row, posting=posting)
    return row


def presenter_room(conn: Connection, code: object, token: object, *, lock: bool = True) -> Row:
    """The room ``code`` (locked unless ``lock`` is False) when ``token`` is its presenter token.

    Raises:
        RoomError: no such room.
        NotAllowed: a wrong, missing or other room's token.
    """
    row = find_room(conn, code, lock=lock)
    if not tokens_match(row.token_hash, token):
        raise NotAllowed(PRESENTER_ONLY)
    return row


def bump(conn: Connection, code: str) -> None:
    """Counts one more change in room ``code`` (what every cache of its board keys on)."""
    conn.execute(update(rooms).where(rooms.c.code == code).values(version=rooms.c.version + 1))


def as_id(value: object, what: str) -> int:
    """``value`` as an entry id (ints and NumPy ints; never a bool, float or text).

    Raises:
        RoomError: "That {what} is not in this room."
    """
    try:
        if isinstance(value, bool):
            raise TypeError
        return operator.index(value)
    except TypeError:
        raise RoomError(f"That {what} is not in this room.") from None


def delete_entry(
    conn: Connection, table: Table, key: str, entry_id: int, code: str, mine: str | None = None
) -> None:
    """Deletes run or drawing ``entry_id`` of room ``code`` (``table`` and its id column ``key``).

    Args:
        mine: a member id: the entry must be that member's (None: the presenter, any entry).

    Raises:
        RoomError: no such entry in the room.
        NotAllowed: ``mine`` is given and the entry is someone else's.
    """
    noun = key.removesuffix("_id")
    owner = conn.execute(
        select(table.c.member_id).where(table.c[key] == entry_id, table.c.room_code == code)
    ).scalar_one_or_none()
    if owner is None:
        raise RoomError(f"That {noun} is not in this room.")
    if mine is not None and owner != mine:
        raise NotAllowed(f"You can delete only your own {noun}s.")
    conn.execute(delete(table).where(table.c[key] == entry_id))
    bump(conn, code)
