"""The leaderboard's data in one read transaction: one query per table, aggregates in SQL, no Keras."""

from __future__ import annotations

from sqlalchemy import Connection, Float, case, cast, func, select

from core.room.access import find_room, to_room
from core.room.entries import Board
from core.room.runs import select_runs
from core.room.schema import drawings, predictions

HARDEST = 12


def read_board(conn: Connection, code: object) -> Board:
    """Room ``code``'s board now.

    Raises:
        RoomError: no such live room.
    """
    row = find_room(conn, code, lock=False)
    entries = select_runs(conn, row.code)
    per_digit = [0] * 10
    for label, n in conn.execute(
        select(drawings.c.label, func.count())
        .where(drawings.c.room_code == row.code)
        .group_by(drawings.c.label)
    ):
        per_digit[int(label)] = int(n)
    n_drawings = sum(per_digit)
    accuracy: dict[int, float | None] = {e.run_id: None for e in entries}
    right = case((predictions.c.predicted == drawings.c.label, 1), else_=0)
    scored = (
        select(predictions.c.run_id, func.count(), func.sum(right))
        .join(drawings, drawings.c.drawing_id == predictions.c.drawing_id)
        .where(drawings.c.room_code == row.code)
        .group_by(predictions.c.run_id)
    )
    for run_id, n, n_right in conn.execute(scored) if n_drawings else ():
        if int(run_id) in accuracy and n == n_drawings:  # fully scored runs only
            accuracy[int(run_id)] = int(n_right) / n_drawings
    return Board(
        room=to_room(row),
        runs=entries,
        drawings_per_digit=tuple(per_digit),
        n_drawings=n_drawings,
        room_accuracy=accuracy,
        hardest=hardest(conn, row.code) if n_drawings and entries else (),
        version=int(row.version),
    )


def hardest(
    conn: Connection, code: str, limit: int = HARDEST
) -> tuple[tuple[int, int, float], ...]:
    """(drawing id, label, share of the runs scored on it that get it wrong), worst first."""
    wrong = func.sum(case((predictions.c.predicted != drawings.c.label, 1), else_=0))
    n = func.count()
    share = cast(wrong, Float) / cast(n, Float)
    query = (
        select(drawings.c.drawing_id, drawings.c.label, wrong, n)
        .join(predictions, predictions.c.drawing_id == drawings.c.drawing_id)
        .where(drawings.c.room_code == code)
        .group_by(drawings.c.drawing_id, drawings.c.label)
        .having(wrong > 0)
        .order_by(share.desc(), wrong.desc(), drawings.c.drawing_id.desc())
        .limit(limit)
    )
    return tuple((int(d), int(label), int(w) / int(k)) for d, label, w, k in conn.execute(query))
