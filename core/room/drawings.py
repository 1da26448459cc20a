"""The room's handwriting inside one transaction: check and add a drawing, list, arrays, delete."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from sqlalchemy import Connection, Row, func, select

from core.room.access import as_id, bump, delete_entry, member_room, presenter_room
from core.room.entries import DrawingEntry, Member
from core.room.errors import RoomError
from core.room.limits import Limits
from core.room.retry import already_posted
from core.room.schema import drawings, members

SHAPE = (28, 28)
COLUMNS = (*(c for c in drawings.c if c.name != "post_key"), members.c.nickname)
BAD_IMAGE = "A drawing must be MNIST's 28×28 grey levels 0 to 255."


def check_image(image: object) -> bytes:
    """The 784 bytes of a 28×28 image of whole grey levels 0..255 (uint8 or an integral array).

    Raises:
        RoomError: another shape, values outside 0..255 or not whole, or a blank image.
    """
    if not isinstance(image, np.ndarray) or image.shape != SHAPE:
        raise RoomError(BAD_IMAGE)
    if image.dtype != np.uint8:
        if image.dtype.kind not in "iuf":
            raise RoomError(BAD_IMAGE)
        values = image.astype(np.float64)
        if not (np.isfinite(values).all() and (values == np.round(values)).all()):
            raise RoomError(BAD_IMAGE)
        if values.min() < 0 or values.max() > 255:
            raise RoomError(BAD_IMAGE)
        image = values.astype(np.uint8)
    if not image.any():
        raise RoomError("The drawing is blank; draw a digit first.")
    return np.ascontiguousarray(image).tobytes()


def check_label(label: object) -> int:
    """The digit 0..9 the writer meant.

    Raises:
        RoomError: anything else.
    """
    if isinstance(label, (int, np.integer)) and not isinstance(label, bool) and 0 <= label <= 9:
        return int(label)
    raise RoomError("Pick the digit you meant, 0 to 9.")


def insert_drawing(
    conn: Connection,
    member: Member,
    image: bytes,
    label: int,
    limits: Limits,
    key: str | None = None,
) -> DrawingEntry:
    """Inserts a checked drawing under the room's cap (room row locked).

    ``key`` is the post key: when the member already added a drawing under it (a retry whose
    first try did commit), that drawing comes back and nothing is inserted.

    Raises:
        RoomError: not in the room, paused or closed, or the cap reached.
    """
    found = None if key is None else already_posted(conn, drawings, "drawing_id", member, key)
    if found is not None:
        return select_drawings(conn, member.room_code, int(found))[0]
    room = member_room(conn, member, posting=True)
    count = select(func.count()).select_from(drawings).where(drawings.c.room_code == room.code)
    if conn.execute(count).scalar_one() >= limits.max_drawings:
        raise RoomError(f"This room already has {limits.max_drawings:,} drawings, its limit.")
    now = time.time()
    drawing_id = conn.execute(
        drawings.insert().values(
            room_code=room.code, member_id=member.member_id, label=label, image=image,
            created_at=now, post_key=key,
        )
    ).inserted_primary_key[0]  # fmt: skip  # one drawing row
    bump(conn, room.code)
    pixels = np.frombuffer(image, np.uint8).reshape(SHAPE).copy()
    return DrawingEntry(
        int(drawing_id), room.code, member.member_id, member.nickname, label, pixels, now
    )


def _image(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), np.uint8).reshape(SHAPE).copy()


def to_entry(row: Row[Any]) -> DrawingEntry:
    """A DrawingEntry from a row of ``drawings`` joined with its member's nickname."""
    return DrawingEntry(
        int(row.drawing_id), row.room_code, row.member_id, row.nickname, int(row.label),
        _image(row.image), float(row.created_at),
    )  # fmt: skip  # positional, in field order


def select_drawings(
    conn: Connection, code: str, drawing_id: int | None = None
) -> tuple[DrawingEntry, ...]:
    """Room ``code``'s drawings, newest first (or the one ``drawing_id``)."""
    query = (
        select(*COLUMNS)
        .join(members, members.c.member_id == drawings.c.member_id)
        .where(drawings.c.room_code == code)
        .order_by(drawings.c.drawing_id.desc())
    )
    if drawing_id is not None:
        query = query.where(drawings.c.drawing_id == drawing_id)
    return tuple(to_entry(r) for r in conn.execute(query))


def arrays(conn: Connection, code: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Room ``code``'s drawings as arrays, oldest first: ids (n,) int64, x (n, 28, 28) uint8, y (n,) uint8."""
    rows = conn.execute(
        select(drawings.c.drawing_id, drawings.c.label, drawings.c.image)
        .where(drawings.c.room_code == code)
        .order_by(drawings.c.drawing_id)
    ).all()
    ids = np.array([r.drawing_id for r in rows], dtype=np.int64)
    y = np.array([r.label for r in rows], dtype=np.uint8)
    x = np.frombuffer(b"".join(bytes(r.image) for r in rows), np.uint8).reshape(-1, *SHAPE).copy()
    return ids, x, y


def delete_own_drawing(conn: Connection, member: Member, drawing_id: int) -> None:
    """Deletes the member's own drawing (its scores cascade).

    Raises:
        RoomError: not in the room, a closed room, or no such drawing there.
        NotAllowed: someone else's drawing.
    """
    room, drawing_id = member_room(conn, member), as_id(drawing_id, "drawing")
    delete_entry(conn, drawings, "drawing_id", drawing_id, room.code, mine=member.member_id)


def remove_drawing(conn: Connection, code: object, token: object, drawing_id: int) -> None:
    """The presenter removes any drawing of the room (in any state).

    Raises:
        RoomError: no such room or drawing there.
        NotAllowed: not the presenter's token.
    """
    room, drawing_id = presenter_room(conn, code, token), as_id(drawing_id, "drawing")
    delete_entry(conn, drawings, "drawing_id", drawing_id, room.code)
