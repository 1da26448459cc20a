"""Posted runs inside one transaction: check the inputs, insert under the room's caps, list, delete."""

from __future__ import annotations

import json
import math
import numbers
import time
from typing import Any

import numpy as np
from sqlalchemy import Connection, Row, func, select

from core.room.access import as_id, bump, delete_entry, member_room, presenter_room
from core.room.entries import Member, RunEntry
from core.room.errors import RoomError
from core.room.limits import MAX_SETTINGS_CHARS, Limits
from core.room.retry import already_posted
from core.room.schema import members, runs, weights
from core.room.weights import model_from_entry

COLUMNS = (*(c for c in runs.c if c.name != "post_key"), members.c.nickname)
MB = 1_000_000


def to_entry(row: Row[Any]) -> RunEntry:
    """A RunEntry from a row of ``runs`` joined with its member's nickname."""
    return RunEntry(
        run_id=int(row.run_id),
        room_code=row.room_code,
        member_id=row.member_id,
        nickname=row.nickname,
        arch_json=row.arch_json,
        settings_json=row.settings_json,
        params=int(row.params),
        test_accuracy=float(row.test_accuracy),
        test_loss=float(row.test_loss),
        train_seconds=float(row.train_seconds),
        weight_bytes=int(row.weight_bytes),
        created_at=float(row.created_at),
    )


def check_numbers(test_accuracy: object, test_loss: object, train_seconds: object) -> None:
    """Refuses an accuracy outside 0..1, or a loss or time that is negative or not finite."""
    for name, value, top in (
        ("test accuracy", test_accuracy, 1.0),
        ("test loss", test_loss, math.inf),
        ("training time", train_seconds, math.inf),
    ):
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or not 0 <= value <= top:
            raise RoomError(f"This run cannot be posted: its {name} is not a usable number.")


def check_settings(settings_json: object) -> None:
    """Refuses settings that are not a JSON object of at most 10,000 characters."""
    ok = isinstance(settings_json, str) and len(settings_json) <= MAX_SETTINGS_CHARS
    try:
        ok = ok and isinstance(json.loads(settings_json), dict)
    except (ValueError, RecursionError):
        ok = False
    if not ok:
        raise RoomError("This run cannot be posted: its settings are not a short JSON object.")


def check_size(n_bytes: int, limits: Limits) -> None:
    """Refuses weights above the per-run limit, before anything else is done with them."""
    if n_bytes > limits.max_run_bytes:
        raise RoomError(
            f"This model's weights take {n_bytes / MB:,.1f} MB; a room takes runs of at most "
            f"{limits.max_run_bytes / MB:,.0f} MB. Try a smaller model."
        )


def check_run(limits: Limits, weights: object, **fields: Any) -> tuple[dict[str, Any], bytes]:
    """The run's columns and its weights' bytes, after every check a post makes outside the
    database: sizes, numbers, settings, and that the weights load into the architecture
    (``model_from_entry``) with the parameter count the run claims.

    Raises:
        RoomError: the first check that fails, in plain words.
    """
    if not isinstance(weights, (bytes, bytearray, memoryview)):
        raise RoomError("This run's weights are not plain arrays.")
    data = bytes(weights)
    check_size(len(data), limits)
    check_numbers(fields["test_accuracy"], fields["test_loss"], fields["train_seconds"])
    check_settings(fields["settings_json"])
    model = model_from_entry(fields["arch_json"], data)
    params = fields["params"]
    if isinstance(params, bool) or not isinstance(params, (int, np.integer)):
        raise RoomError("This run cannot be posted: its parameter count is not a number.")
    if int(params) != model.count_params():
        raise RoomError(
            f"This run says {int(params):,} parameters; its architecture has "
            f"{model.count_params():,}."
        )
    floats = ("test_accuracy", "test_loss", "train_seconds")
    columns = {name: float(fields[name]) for name in floats}
    columns |= {"arch_json": str(fields["arch_json"]), "params": int(params)}
    return columns | {"settings_json": fields["settings_json"]}, data


def insert_run(
    conn: Connection,
    member: Member,
    fields: dict,
    data: bytes,
    limits: Limits,
    key: str | None = None,
) -> int:
    """Inserts a checked run and its weights under the room's caps (room row locked); its id.

    The run row, its weights and the room's version change commit together or not at all.
    ``key`` is the post key: when the member already posted under it (a retry whose first try
    did commit), that run's id comes back and nothing is inserted.

    Raises:
        RoomError: not in the room, paused or closed, or a cap reached.
    """
    found = None if key is None else already_posted(conn, runs, "run_id", member, key)
    if found is not None:
        return int(found)
    room = member_room(conn, member, posting=True)
    count, total = conn.execute(
        select(func.count(), func.coalesce(func.sum(runs.c.weight_bytes), 0)).where(
            runs.c.room_code == room.code
        )
    ).one()
    if count >= limits.max_runs:
        raise RoomError(f"This room already has {limits.max_runs} runs, its limit.")
    if total + len(data) > limits.max_room_bytes:
        raise RoomError(
            f"This room's runs already take {total / MB:,.0f} MB of its "
            f"{limits.max_room_bytes / MB:,.0f} MB; this one does not fit."
        )
    values = fields | {"room_code": room.code, "member_id": member.member_id}
    run_id = conn.execute(
        runs.insert().values(**values, weight_bytes=len(data), created_at=time.time(), post_key=key)
    ).inserted_primary_key[0]
    conn.execute(weights.insert().values(run_id=run_id, data=data))
    bump(conn, room.code)
    return int(run_id)


def select_runs(conn: Connection, code: str, run_id: int | None = None) -> tuple[RunEntry, ...]:
    """Room ``code``'s runs, newest first (or the one ``run_id``), without weights."""
    query = select(*COLUMNS).join(members, members.c.member_id == runs.c.member_id)
    query = query.where(runs.c.room_code == code).order_by(runs.c.run_id.desc())
    if run_id is not None:
        query = query.where(runs.c.run_id == run_id)
    return tuple(to_entry(r) for r in conn.execute(query))


def run_weights(conn: Connection, run_id: int) -> bytes:
    """The stored weights of run ``run_id``.

    Raises:
        RoomError: the run is gone.
    """
    data = conn.execute(
        select(weights.c.data).where(weights.c.run_id == as_id(run_id, "run"))
    ).scalar_one_or_none()
    if data is None:
        raise RoomError("That run is no longer in the room.")
    return bytes(data)


def delete_own_run(conn: Connection, member: Member, run_id: int) -> None:
    """Deletes the member's own run (its weights and scores cascade).

    Raises:
        RoomError: not in the room, a closed room, or no such run there.
        NotAllowed: someone else's run.
    """
    room, run_id = member_room(conn, member), as_id(run_id, "run")
    delete_entry(conn, runs, "run_id", run_id, room.code, mine=member.member_id)


def remove_run(conn: Connection, code: object, token: object, run_id: int) -> None:
    """The presenter removes any run of the room (in any state).

    Raises:
        RoomError: no such room or run there.
        NotAllowed: not the presenter's token.
    """
    room, run_id = presenter_room(conn, code, token), as_id(run_id, "run")
    delete_entry(conn, runs, "run_id", run_id, room.code)
