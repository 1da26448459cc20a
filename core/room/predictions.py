"""Posted models' guesses on the room's drawings, stored per (run, drawing) once scored."""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection, and_, select

from core.room.access import as_id, bump, find_room
from core.room.entries import RunEntry
from core.room.errors import RoomError
from core.room.runs import select_runs
from core.room.schema import drawings, predictions, runs


def missing(conn: Connection, code: object) -> list[tuple[RunEntry, np.ndarray]]:
    """Each run of room ``code`` with drawings it has no guess for: (run, drawing ids ascending)."""
    room = find_room(conn, code, lock=False)
    gaps = conn.execute(
        select(runs.c.run_id, drawings.c.drawing_id)
        .join(drawings, drawings.c.room_code == runs.c.room_code)
        .outerjoin(
            predictions,
            and_(
                predictions.c.run_id == runs.c.run_id,
                predictions.c.drawing_id == drawings.c.drawing_id,
            ),
        )
        .where(runs.c.room_code == room.code, predictions.c.run_id.is_(None))
        .order_by(runs.c.run_id.desc(), drawings.c.drawing_id)
    ).all()
    wanted: dict[int, list[int]] = {}
    for run_id, drawing_id in gaps:
        wanted.setdefault(int(run_id), []).append(int(drawing_id))
    if not wanted:
        return []
    return [
        (entry, np.array(wanted[entry.run_id], dtype=np.int64))
        for entry in select_runs(conn, room.code)
        if entry.run_id in wanted
    ]


def save(conn: Connection, run_id: object, drawing_ids: object, predicted: object) -> int:
    """Stores run ``run_id``'s guesses; rows another server already wrote, and drawings or runs
    deleted meanwhile, are skipped. The number of rows written.

    Raises:
        RoomError: ids and guesses of different lengths, or a guess that is not a digit.
    """
    ids = np.asarray(drawing_ids).reshape(-1)
    said = np.asarray(predicted).reshape(-1)
    if ids.shape != said.shape or ids.dtype.kind not in "iu" or said.dtype.kind not in "iu":
        raise RoomError("Scores need one whole-number guess per drawing id.")
    if said.size and (said.min() < 0 or said.max() > 9):
        raise RoomError("A model's guess must be a digit 0 to 9.")
    run_id = as_id(run_id, "run")
    code = conn.execute(
        select(runs.c.room_code).where(runs.c.run_id == run_id)
    ).scalar_one_or_none()
    if code is None or not ids.size:
        return 0
    find_room(conn, code, lock=True)  # no drawing can go while we write; writers queue here
    live = set(
        conn.execute(
            select(drawings.c.drawing_id).where(
                drawings.c.room_code == code, drawings.c.drawing_id.in_(ids.tolist())
            )
        ).scalars()
    )
    done = set(
        conn.execute(
            select(predictions.c.drawing_id).where(predictions.c.run_id == run_id)
        ).scalars()
    )
    rows, seen = [], set()
    for drawing_id, digit in zip(ids.tolist(), said.tolist(), strict=True):
        if drawing_id in live and drawing_id not in done and drawing_id not in seen:
            seen.add(drawing_id)
            rows.append({"run_id": run_id, "drawing_id": drawing_id, "predicted": digit})
    if rows:
        conn.execute(predictions.insert(), rows)
        bump(conn, code)
    return len(rows)
