"""What the board shows, read from the store once per process per room version, and scored.

``current(store, code)`` asks the store only for ``store.version(code)`` when nothing changed
(one cheap query per refresh); a new version reads the board, the hardest drawings' images and
the answers once for every session of this process. When a posted model has not yet been
scored on the room's drawings (or the pretrained model, the reference, has not), it is scored
here (``core.room.scoring.score_room``, models from ``ui.room_models``): once per version, one
session at a time, and only then is TensorFlow needed.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from core.text import short_error
from ui import room_models, room_store, warmup

if TYPE_CHECKING:
    from core.room import Board, Store

log = logging.getLogger("layer_by_layer")
KEEP = 32  # board views kept per process (a few rooms, a few versions each)
SCORE_TEXT = "Scoring the room's models on its handwriting (loading TensorFlow first)…"


@dataclass(frozen=True, eq=False)
class View:
    """One version of a room's board and what goes with it.

    Attributes:
        board: the store's ``Board`` (runs, counts, room accuracy, hardest drawings).
        images: drawing id -> (28, 28) uint8, for the hardest drawings.
        answers: question id -> every member's answer.
        pretrained_room: the shipped model's share right on the room's drawings (None: not
            scored yet, or no drawings).
    """

    board: Board
    images: dict[int, np.ndarray] = field(default_factory=dict)
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pretrained_room: float | None = None

    @property
    def unscored(self) -> bool:
        """True when the room has drawings and some model's accuracy on them is missing."""
        if not self.board.n_drawings:
            return False
        runs = self.board.runs
        missing = any(self.board.room_accuracy.get(r.run_id) is None for r in runs)
        return missing or self.pretrained_room is None


class _Shared:
    """The process's views and scoring bookkeeping (one lock for both)."""

    def __init__(self) -> None:
        self.views: OrderedDict[tuple, View] = OrderedDict()
        self.tried: OrderedDict[tuple, bool] = OrderedDict()  # versions scoring was tried at
        self.lock = threading.Lock()
        self.scoring = threading.Lock()


@st.cache_resource(show_spinner=False)
def _shared() -> _Shared:
    return _Shared()


def _keep(entries: OrderedDict, key: tuple, value: object) -> None:
    entries[key] = value
    entries.move_to_end(key)
    while len(entries) > KEEP:
        entries.popitem(last=False)


def current(store: Store, code: str) -> View:
    """The board of room ``code`` now, scored when something is missing.

    Raises:
        core.room.RoomError: the room is gone (deleted or expired), or the database is down.
    """
    shared = _shared()
    url = room_store.configured_url()
    version = store.version(code)
    view = _cached(shared, (url, code, version)) or _read(store, code, version)
    if view.unscored and _first_try(shared, (url, code, version)) and _score(store, code):
        view = _read(store, code, store.version(code))
    return view


def _cached(shared: _Shared, key: tuple) -> View | None:
    with shared.lock:
        view = shared.views.get(key)
        if view is not None:
            shared.views.move_to_end(key)
        return view


def _first_try(shared: _Shared, key: tuple) -> bool:
    with shared.lock:
        if key in shared.tried:
            return False
        _keep(shared.tried, key, True)
        return True


def _read(store: Store, code: str, version: int) -> View:
    """Reads one version of the board (and the drawings it needs) and keeps it for every session."""
    board = store.board(code)
    images: dict[int, np.ndarray] = {}
    pretrained_room = None
    if board.n_drawings:
        ids, x, y = store.drawing_arrays(code)
        wanted = {d for d, _, _ in board.hardest}
        images = {int(d): x[i] for i, d in enumerate(ids) if int(d) in wanted}
        if warmup.keras_ready():  # the reference needs the model; never import it just to paint
            pretrained_room = _pretrained(ids, x, y)
    view = View(board, images, dict(store.answers(code)), pretrained_room)
    shared = _shared()
    with shared.lock:
        _keep(shared.views, (room_store.configured_url(), code, version), view)
    return view


def _pretrained(ids: np.ndarray, x: np.ndarray, y: np.ndarray) -> float | None:
    try:
        return room_models.pretrained_accuracy(ids, x, y)
    except (FileNotFoundError, ValueError) as err:
        log.warning("the pretrained model could not score the room: %s", short_error(err))
        return None


def _score(store: Store, code: str) -> bool:
    """Scores what is missing; False when another session is at it or TensorFlow failed to load."""
    from core.room import RoomError
    from core.room.scoring import score_room

    shared = _shared()
    if not shared.scoring.acquire(blocking=False):
        return False  # another session of this process is scoring; its result shows next refresh
    try:
        if not warmup.wait_for_keras(SCORE_TEXT):
            return False
        try:
            score_room(store, code, room_models.load)
        except RoomError as err:
            log.warning("scoring room models failed: %s", short_error(err, limit=160))
        return True
    finally:
        shared.scoring.release()
