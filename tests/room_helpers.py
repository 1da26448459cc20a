"""Plain helpers of the room store's tests (fixtures are in ``tests/room_fixtures.py``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.room import Member, Store

TINY_LINK = "norm-conv(4,3)-flatten-dense(10,softmax)"  # 27,090 parameters, built in milliseconds


def digit(seed: int = 0) -> np.ndarray:
    """A non-blank 28×28 uint8 image, different per seed."""
    rng = np.random.default_rng(seed)
    image = np.zeros((28, 28), np.uint8)
    image[4:24, 10:18] = rng.integers(1, 256, (20, 8), dtype=np.uint8)
    return image


def joined(store: Store, nickname: str = "Ana") -> tuple[str, str, Member]:
    """A new room's code, its presenter token, and a member of it."""
    room, token = store.start_room()
    return room.code, token, store.join(room.code, nickname)


def sqlite_url(folder: Path) -> str:
    """A SQLite file URL in ``folder``."""
    return f"sqlite:///{folder / 'rooms.sqlite3'}"
