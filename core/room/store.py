"""``Store``: the room API, each method one database transaction; ``open_store`` opens one.

A write whose connection breaks (a PostgreSQL restart, a dropped link) is tried once more on a
fresh connection (``core.room.retry``); posts carry a post key and a join its member id, made
before the first try, so a retry never posts or joins twice.

>>> import tempfile, numpy as np
>>> store = open_store(f"sqlite:///{tempfile.mkdtemp()}/rooms.sqlite3")
>>> room, token = store.start_room()
>>> ana = store.join(room.code, "  Ana ")
>>> drawing = store.add_drawing(ana, np.eye(28, dtype=np.uint8) * 255, 1)
>>> store.board(room.code).drawings_per_digit[1], store.is_presenter(room.code, token)
(1, True)
>>> store.close()
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from typing import TypeVar

import numpy as np
from sqlalchemy import URL, Connection, Engine

from core.room import answers, board, drawings, export, predictions, retry, rooms, runs
from core.room.access import find_room, presenter_room, to_room
from core.room.codes import new_member_id, tokens_match
from core.room.engine import database_down, make_engine, resolve_url, transaction, url_for_log
from core.room.entries import Board, DrawingEntry, Member, Room, RunEntry
from core.room.errors import RoomError, RoomUnavailable
from core.room.limits import Limits
from core.room.names import check_nickname
from core.room.schema import SCHEMA_VERSION, create, current

T = TypeVar("T")


class Store:
    """The room store on one database (shared by every session of a process, and by servers).

    Every method is one transaction; caps are checked inside the transaction of the insert,
    with the room's row locked, so concurrent posters queue instead of overshooting. A write
    is tried once more when its connection breaks (a write that cannot tell whether it landed
    only when it finds its first try: posts by their post key, joins by their member id).
    """

    def __init__(self, engine: Engine, url: URL, limits: Limits | None = None) -> None:
        self._engine = engine
        self._url = url
        self.limits = limits or Limits()

    def __repr__(self) -> str:
        return f"Store({self.url_for_log!r})"

    @property
    def url_for_log(self) -> str:
        """The database URL without its password."""
        return url_for_log(self._url)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"`` (or another SQLAlchemy dialect's name)."""
        return self._engine.dialect.name

    def close(self) -> None:
        """Closes the pooled connections (the store can still be used: it reconnects)."""
        self._engine.dispose()

    def _read(self) -> AbstractContextManager[Connection]:
        return transaction(self._engine)

    def _write(
        self, work: Callable[[Connection], T], conflict: str | None = None, *, again: bool = False
    ) -> T:
        """``work`` in one writing transaction; ``again``: it may run again after a broken COMMIT."""
        return retry.write(self._engine, work, conflict=conflict, replayable=again)

    # --- rooms --------------------------------------------------------------------------------
    def create_schema(self) -> None:
        """Creates the tables on first use (with the schema-version row); reads when they exist.

        A database already at this schema is only read, so a read-only one still shows boards.
        """
        with self._read() as conn:
            if current(conn) == SCHEMA_VERSION:
                return
        self._write(create, again=True)  # it reads the version under the lock: replayable

    def purge_expired(self, now: float | None = None) -> int:
        """Deletes rooms past their expiry with all their data; how many went."""
        return self._write(lambda conn: rooms.purge_expired(conn, now), again=True)

    def start_room(self, now: float | None = None) -> tuple[Room, str]:
        """A new room and its presenter token (plain, 128 bits; only its SHA-256 is stored)."""
        return self._write(lambda conn: rooms.start_room(conn, self.limits, now))

    def room(self, code: str) -> Room:
        """The live room ``code`` (RoomError if unknown or expired)."""
        with self._read() as conn:
            return to_room(find_room(conn, code, lock=False))

    def version(self, code: str) -> int:
        """Room ``code``'s change counter, bumped by every change in it."""
        with self._read() as conn:
            return int(find_room(conn, code, lock=False).version)

    def is_presenter(self, code: str, token: str) -> bool:
        """Whether ``token`` is room ``code``'s presenter token (constant-time comparison)."""
        with self._read() as conn:
            return tokens_match(find_room(conn, code, lock=False).token_hash, token)

    def join(self, code: str, nickname: str) -> Member:
        """Joins room ``code`` as ``nickname`` (checked, unique in the room ignoring case).

        The member id is made before the transaction: a try whose COMMIT landed but whose reply
        was lost is found by it, so trying again gives that member, not "taken".
        """
        name, member_id = check_nickname(nickname), new_member_id()  # one id for every try

        def enter(conn: Connection) -> Member:
            return rooms.join(conn, code, name, self.limits, member_id)

        return self._write(enter, rooms.taken_message(name), again=True)

    def rejoin(self, code: str, member_id: str) -> Member | None:
        """The member again, from the id a session kept; None if they left or never were."""
        with self._read() as conn:
            return rooms.rejoin(conn, code, member_id)

    def leave(self, member: Member) -> None:
        """Leaves the room (the nickname is free again; posted entries stay)."""
        self._write(lambda conn: rooms.leave(conn, member), again=True)

    # --- runs ---------------------------------------------------------------------------------
    def post_run(
        self,
        member: Member,
        *,
        arch_json: str,
        settings_json: str,
        params: int,
        test_accuracy: float,
        test_loss: float,
        train_seconds: float,
        weights: bytes,
        post_key: str | None = None,
    ) -> RunEntry:
        """Posts a trained run; the weights must load into the architecture (``model_from_entry``).

        Args:
            post_key: the post's key (letters, digits, ``-``, ``_``; at most 64): posting again
                under the same key returns the run already posted. None: a new key per call,
                which still keeps this call's own retry from posting twice.

        Raises:
            RoomError: bad values, weights that do not fit or are too big, a paused or closed
                room, a cap reached, or the database down (RoomUnavailable).
        """
        fields, data = runs.check_run(
            self.limits, weights, arch_json=arch_json, settings_json=settings_json,
            params=params, test_accuracy=test_accuracy, test_loss=test_loss,
            train_seconds=train_seconds,
        )  # fmt: skip  # the run's fields, a few to a line
        key = retry.check_post_key(post_key)

        def post(conn: Connection) -> RunEntry:
            run_id = runs.insert_run(conn, member, fields, data, self.limits, key)
            return runs.select_runs(conn, member.room_code, run_id)[0]

        return self._write(post, retry.DUPLICATE, again=True)

    def run_weights(self, run_id: int) -> bytes:
        """The posted weights of run ``run_id`` (RoomError when it is gone)."""
        with self._read() as conn:
            return runs.run_weights(conn, run_id)

    def runs(self, code: str) -> tuple[RunEntry, ...]:
        """Room ``code``'s runs, newest first."""
        with self._read() as conn:
            return runs.select_runs(conn, find_room(conn, code, lock=False).code)

    def delete_own_run(self, member: Member, run_id: int) -> None:
        """Deletes one of the member's own runs (NotAllowed for someone else's)."""
        self._write(lambda conn: runs.delete_own_run(conn, member, run_id))

    # --- drawings -----------------------------------------------------------------------------
    def add_drawing(
        self, member: Member, image: np.ndarray, label: int, post_key: str | None = None
    ) -> DrawingEntry:
        """Adds a 28×28 uint8 drawing of the digit ``label`` to the room's handwriting.

        ``post_key`` as for ``post_run``: adding again under the same key returns the drawing
        already added.
        """
        data, digit = drawings.check_image(image), drawings.check_label(label)
        key = retry.check_post_key(post_key)
        return self._write(
            lambda conn: drawings.insert_drawing(conn, member, data, digit, self.limits, key),
            retry.DUPLICATE,
            again=True,
        )

    def drawings(self, code: str) -> tuple[DrawingEntry, ...]:
        """Room ``code``'s drawings, newest first."""
        with self._read() as conn:
            return drawings.select_drawings(conn, find_room(conn, code, lock=False).code)

    def drawing_arrays(self, code: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Room ``code``'s drawings oldest first: ids (n,), x (n, 28, 28) uint8, y (n,) uint8."""
        with self._read() as conn:
            return drawings.arrays(conn, find_room(conn, code, lock=False).code)

    def delete_own_drawing(self, member: Member, drawing_id: int) -> None:
        """Deletes one of the member's own drawings (NotAllowed for someone else's)."""
        self._write(lambda conn: drawings.delete_own_drawing(conn, member, drawing_id))

    # --- presenter ----------------------------------------------------------------------------
    def remove_run(self, code: str, token: str, run_id: int) -> None:
        """The presenter removes a run."""
        self._write(lambda conn: runs.remove_run(conn, code, token, run_id))

    def remove_drawing(self, code: str, token: str, drawing_id: int) -> None:
        """The presenter removes a drawing."""
        self._write(lambda conn: drawings.remove_drawing(conn, code, token, drawing_id))

    def set_state(self, code: str, token: str, state: str) -> Room:
        """The presenter opens, pauses or closes the room; the room as it is now."""
        return self._write(lambda conn: rooms.set_state(conn, code, token, state), again=True)

    def delete_room(self, code: str, token: str) -> None:
        """The presenter deletes the room and everything in it."""
        self._write(lambda conn: rooms.delete_room(conn, code, token))

    def export_csv(self, code: str, token: str) -> str:
        """The presenter's results table: one row per run (see ``export.HEADER``)."""
        with self._read() as conn:
            presenter_room(conn, code, token, lock=False)
            return export.results_csv(board.read_board(conn, code))

    def export_npz(self, code: str, token: str) -> bytes:
        """The presenter's copy of the room's handwriting: ``x`` (n, 28, 28) uint8, ``y`` (n,)."""
        with self._read() as conn:
            row = presenter_room(conn, code, token, lock=False)
            _, x, y = drawings.arrays(conn, row.code)
        return export.handwriting_npz(x, y)

    # --- answers, board, scores -------------------------------------------------------------
    def record_answer(self, member: Member, question: str, value: str) -> None:
        """The member's answer to a Lesson question (one per member and question, replaced)."""
        self._write(lambda conn: answers.record_answer(conn, member, question, value), again=True)

    def answers(self, code: str) -> dict[str, tuple[str, ...]]:
        """Question -> the room's answers to it."""
        with self._read() as conn:
            return answers.select_answers(conn, find_room(conn, code, lock=False).code)

    def board(self, code: str) -> Board:
        """Room ``code``'s board (one query per table, no Keras)."""
        with self._read() as conn:
            return board.read_board(conn, code)

    def missing_predictions(self, code: str) -> list[tuple[RunEntry, np.ndarray]]:
        """Each run with drawings it has not been scored on: (run, drawing ids)."""
        with self._read() as conn:
            return predictions.missing(conn, code)

    def save_predictions(self, run_id: int, drawing_ids: np.ndarray, predicted: np.ndarray) -> int:
        """Stores a run's guesses, skipping rows already there; how many were written."""
        return self._write(
            lambda conn: predictions.save(conn, run_id, drawing_ids, predicted), again=True
        )


def open_store(url: str | None = None, limits: Limits | None = None) -> Store:
    """Opens the store at ``url`` (None: ``$LAYER_BY_LAYER_ROOM_DB`` or the default SQLite file),
    creates its schema on first use and purges expired rooms.

    Raises:
        RoomUnavailable: the database cannot be opened, reached or written.
    """
    resolved = resolve_url(url)
    try:
        engine = make_engine(resolved)
    except Exception as err:  # noqa: BLE001 - a missing driver, a folder we cannot create
        raise database_down(err) from None
    store = Store(engine, resolved, limits or Limits.from_env())
    try:
        store.create_schema()
    except RoomError:
        engine.dispose()
        raise
    with suppress(RoomUnavailable):  # read-only or busy: boards still read; purged next time
        store.purge_expired(time.time())
    return store
