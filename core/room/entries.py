"""What the store hands out: plain frozen records (times are float seconds since the epoch)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

STATES = ("open", "paused", "closed")  # paused: no new runs or drawings; closed: read-only


@dataclass(frozen=True)
class Room:
    """A room: its join code, state and lifetime."""

    code: str
    state: str
    created_at: float
    expires_at: float


@dataclass(frozen=True)
class Member:
    """Someone who joined a room with a nickname; ``member_id`` (32 hex) is theirs alone."""

    room_code: str
    member_id: str = field(repr=False)
    nickname: str


@dataclass(frozen=True)
class RunEntry:
    """A posted training run, without its weights (``Store.run_weights`` fetches them)."""

    run_id: int
    room_code: str
    member_id: str = field(repr=False)
    nickname: str
    arch_json: str = field(repr=False)
    settings_json: str = field(repr=False)
    params: int
    test_accuracy: float
    test_loss: float
    train_seconds: float
    weight_bytes: int
    created_at: float


@dataclass(frozen=True, eq=False)
class DrawingEntry:
    """A drawing added to the room's handwriting: MNIST's 28×28 uint8 and the digit meant."""

    drawing_id: int
    room_code: str
    member_id: str = field(repr=False)
    nickname: str
    label: int
    image: np.ndarray = field(repr=False)
    created_at: float


@dataclass(frozen=True)
class Board:
    """Everything the leaderboard shows, read in one transaction.

    Attributes:
        room: the room.
        runs: newest first.
        drawings_per_digit: how many drawings of each digit 0..9.
        n_drawings: all drawings.
        room_accuracy: run id -> share of the room's drawings that run gets right; None while
            some drawing is not scored for it, or the room has no drawings.
        hardest: (drawing id, label, share of the runs scored on it that get it wrong), worst
            first, at most 12, only drawings some run gets wrong.
        version: the room's change counter when this was read.
    """

    room: Room
    runs: tuple[RunEntry, ...]
    drawings_per_digit: tuple[int, ...]
    n_drawings: int
    room_accuracy: dict[int, float | None]
    hardest: tuple[tuple[int, int, float], ...]
    version: int
