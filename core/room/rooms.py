"""A room's life inside one transaction: start, join, rejoin, leave, state, delete, expiry."""

from __future__ import annotations

import time
from dataclasses import replace

from sqlalchemy import Connection, delete, func, select, update

from core.room.access import bump, check_state, find_room, presenter_room, to_room
from core.room.codes import hash_token, is_code, new_code, new_member_id, new_token, normalise_code
from core.room.entries import STATES, Member, Room
from core.room.errors import RoomError
from core.room.limits import Limits
from core.room.names import nickname_key
from core.room.schema import members, rooms, schema_info

CODE_TRIES = 20


def purge_expired(conn: Connection, now: float | None = None) -> int:
    """Deletes every room past its ``expires_at``, with everything in it (cascades); their count."""
    now = time.time() if now is None else now
    expired = rooms.c.expires_at <= now
    if conn.execute(select(rooms.c.code).where(expired).limit(1)).first() is None:
        return 0  # nothing written: a read-only database opens all the same
    return conn.execute(delete(rooms).where(expired)).rowcount or 0


def start_room(conn: Connection, limits: Limits, now: float | None = None) -> tuple[Room, str]:
    """A new room and its presenter token (only the token's SHA-256 is stored).

    Raises:
        RoomError: this database already holds ``limits.max_rooms`` live rooms.
    """
    now = time.time() if now is None else now
    # One room at a time per database: the schema row is the lock (SQLite: BEGIN IMMEDIATE).
    conn.execute(select(schema_info.c.value).with_for_update()).all()
    purge_expired(conn, now)
    if conn.execute(select(func.count()).select_from(rooms)).scalar_one() >= limits.max_rooms:
        raise RoomError(
            f"The room database already holds {limits.max_rooms} rooms, its limit; "
            "try again when one has ended."
        )
    for _ in range(CODE_TRIES):
        code = new_code()
        if conn.execute(select(rooms.c.code).where(rooms.c.code == code)).first() is None:
            break
    else:  # pragma: no cover - 31**6 codes against at most max_rooms taken
        raise RoomError("No free room code was found; try again.")
    token = new_token()
    room = Room(code, "open", now, now + limits.ttl_s)
    conn.execute(
        rooms.insert().values(
            code=code, token_hash=hash_token(token), state="open",
            created_at=now, expires_at=room.expires_at, version=1,
        )
    )  # fmt: skip  # one room row, in two lines
    return room, token


def taken_message(nickname: str) -> str:
    """The refusal for a nickname someone in the room already has."""
    return f"{nickname} is taken in this room; pick another nickname."


def join(
    conn: Connection, code: object, nickname: str, limits: Limits, member_id: str | None = None
) -> Member:
    """A new member of room ``code`` (``nickname`` already checked by ``check_nickname``).

    ``member_id`` is the id to join under (None: a new one). When a member with that id and
    nickname is already in the room, an earlier try of this join committed (its reply was
    lost): that member comes back and nothing is inserted, so a join may run again.

    Raises:
        RoomError: no such live room, a closed room, the member cap, or the nickname is taken
            (checked here, and by the database's unique index when two join at once).
    """
    row = find_room(conn, code, lock=True)
    key = nickname_key(nickname)
    member_id = new_member_id() if member_id is None else member_id
    same = members.c.room_code == row.code, members.c.nickname_key == key
    earlier = select(members.c.nickname).where(*same, members.c.member_id == member_id)
    found = conn.execute(earlier).first()
    if found is not None:  # before the state and cap checks: they already let it in
        return Member(row.code, member_id, found.nickname)
    check_state(row, posting=False)
    count = select(func.count()).select_from(members).where(members.c.room_code == row.code)
    if conn.execute(count).scalar_one() >= limits.max_members:
        raise RoomError(f"This room already has {limits.max_members} members, its limit.")
    if conn.execute(select(members.c.member_id).where(*same)).first() is not None:
        raise RoomError(taken_message(nickname))
    member = Member(row.code, member_id, nickname)
    conn.execute(
        members.insert().values(
            member_id=member.member_id, room_code=row.code, nickname=nickname,
            nickname_key=key, joined_at=time.time(),
        )
    )  # fmt: skip  # one member row, in two lines
    bump(conn, row.code)
    return member


def rejoin(conn: Connection, code: object, member_id: object) -> Member | None:
    """The member ``member_id`` of room ``code`` if they are still in it, else None.

    Raises:
        RoomError: no such live room.
    """
    row = find_room(conn, code, lock=False)
    if not isinstance(member_id, str):
        return None
    found = conn.execute(
        select(members.c.nickname).where(
            members.c.member_id == member_id,
            members.c.room_code == row.code,
            members.c.left_at.is_(None),
        )
    ).first()
    return None if found is None else Member(row.code, member_id, found.nickname)


def leave(conn: Connection, member: Member) -> None:
    """Marks the member as gone and frees their nickname; their posted entries stay."""
    code = normalise_code(getattr(member, "room_code", ""))
    if not isinstance(member, Member) or not is_code(code):
        return
    # The room's row first, as every writer does (PostgreSQL: no lock-order deadlock).
    conn.execute(select(rooms.c.code).where(rooms.c.code == code).with_for_update()).first()
    done = conn.execute(
        update(members)
        .where(
            members.c.member_id == member.member_id,
            members.c.room_code == code,
            members.c.left_at.is_(None),
        )
        .values(left_at=time.time(), nickname_key=None)
    )
    if done.rowcount:
        bump(conn, code)


def set_state(conn: Connection, code: object, token: object, state: str) -> Room:
    """The presenter opens, pauses or closes the room; the room as it is now.

    Raises:
        RoomError: not a state (open, paused, closed), or no such room.
        NotAllowed: not the presenter's token.
    """
    row = presenter_room(conn, code, token)
    if state not in STATES:
        raise RoomError(f"A room is open, paused or closed; not {str(state)[:20]!r}.")
    conn.execute(update(rooms).where(rooms.c.code == row.code).values(state=state))
    bump(conn, row.code)
    return replace(to_room(row), state=state)


def delete_room(conn: Connection, code: object, token: object) -> None:
    """The presenter deletes the room and all its data (the database cascades).

    Raises:
        RoomError: no such room.
        NotAllowed: not the presenter's token.
    """
    row = presenter_room(conn, code, token)
    conn.execute(delete(rooms).where(rooms.c.code == row.code))
