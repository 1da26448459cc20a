"""Where the room database is, how to connect to it, and database failures as plain RoomErrors.

SQLite (the default, a file in the data folder) runs in WAL mode with a 10 s busy timeout and
foreign keys on; a writing transaction starts with ``BEGIN IMMEDIATE`` so writers queue for the
lock instead of failing half-way with "database is locked". PostgreSQL goes through psycopg 3.
A connection that breaks (a server restart, a dropped link) raises ``LostConnection``, a
RoomUnavailable that says whether it broke during COMMIT, so a write can be tried once more
(``core.room.retry``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from core.room.errors import RoomError, RoomUnavailable, unavailable

log = logging.getLogger("layer_by_layer")

ENV_URL = "LAYER_BY_LAYER_ROOM_DB"
ENV_DATA = "LAYER_BY_LAYER_DATA_DIR"
DEFAULT_DATA = "~/.local/share/layer-by-layer"
DB_FILE = "rooms.sqlite3"
BUSY_TIMEOUT_S = 10
CONNECT_TIMEOUT_S = 5
WRITE = "room_write"  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)
REFUSED = "The room's database refused this change (it breaks one of the room's rules)."
_REASONS = (  # (words in the driver's message, the reason we show)
    (("readonly", "read-only", "read only"), "it is read-only"),
    (("full", "no space left", "could not extend"), "it is full"),
    (("locked", "busy", "deadlock"), "it is busy"),
    (
        ("connect", "unable to open", "refused", "timeout", "timed out", "closed"),
        "it cannot be reached",
    ),
)


class LostConnection(RoomUnavailable):
    """The connection broke or could not be made: nothing was written, unless ``at_commit``.

    Attributes:
        at_commit: it broke during COMMIT, so the change may have landed (the client cannot know).
    """

    def __init__(self, message: str, *, at_commit: bool) -> None:
        super().__init__(message)
        self.at_commit = at_commit


def data_dir() -> Path:
    """``$LAYER_BY_LAYER_DATA_DIR``, else ``~/.local/share/layer-by-layer`` (outside the repo)."""
    return Path(os.environ.get(ENV_DATA, "").strip() or DEFAULT_DATA).expanduser()


def resolve_url(url: str | None) -> URL:
    """The URL to open: ``url``, else ``$LAYER_BY_LAYER_ROOM_DB``, else the default SQLite file.

    A plain ``postgresql://`` (or ``postgres://``) URL is rewritten to use psycopg 3.

    >>> resolve_url("postgresql://u:secret@db/rooms").drivername
    'postgresql+psycopg'

    Raises:
        RoomUnavailable: the URL cannot be read (it is never echoed: it may hold a password).
    """
    text = (url or "").strip() or os.environ.get(ENV_URL, "").strip()
    if not text:
        folder = data_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return URL.create("sqlite", database=str(folder / DB_FILE))
    try:
        parsed = make_url(text)
    except Exception:  # noqa: BLE001 - ArgumentError, ValueError: any unreadable URL
        raise unavailable("its address cannot be read") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def url_for_log(url: URL) -> str:
    """The URL without its password.

    >>> url_for_log(make_url("postgresql+psycopg://ana:secret@db:5432/rooms"))
    'postgresql+psycopg://ana:***@db:5432/rooms'
    """
    return url.render_as_string(hide_password=True)


def make_engine(url: URL) -> Engine:
    """An Engine for ``url``: SQLite with its pragmas and ``BEGIN IMMEDIATE`` for writes, else pooled."""
    if url.get_backend_name() != "sqlite":
        args = {"connect_timeout": CONNECT_TIMEOUT_S} if url.drivername.endswith("psycopg") else {}
        # Writers queue on their room's row anyway: 20 connections per server leave room for
        # several servers under PostgreSQL's default max_connections (100).
        return create_engine(
            url, pool_size=5, max_overflow=15, pool_timeout=30, pool_pre_ping=True,
            connect_args=args,
        )  # fmt: skip  # the pool's settings read best together
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
        pool_size=8,
        max_overflow=32,
        pool_timeout=30,
    )
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection, _record) -> None:  # noqa: ANN001 - sqlite3 objects
    dbapi_connection.isolation_level = None  # we send BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA foreign_keys = ON")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


@contextmanager
def transaction(
    engine: Engine, *, write: bool = False, conflict: str | None = None
) -> Iterator[Connection]:
    """One transaction on ``engine``: committed when the block ends, rolled back on any error.

    Args:
        engine: the store's engine.
        write: the block changes data (SQLite takes the write lock at BEGIN). Reads on
            PostgreSQL run at REPEATABLE READ, so a board is one consistent snapshot.
        conflict: the message when a constraint refuses the change (else a generic one).

    Raises:
        RoomError: a constraint refused the change (``conflict``).
        LostConnection: the connection broke (a RoomUnavailable; see ``is_lost``).
        RoomUnavailable: the database cannot be reached, is read-only, full or busy.
    """
    committing = False
    try:
        with engine.connect() as conn:
            if write:
                conn.execution_options(**{WRITE: True})
            elif conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn
                committing = True  # the block is done: leaving ``begin`` sends COMMIT
    except IntegrityError:
        raise RoomError(conflict or REFUSED) from None
    except (DBAPIError, PoolTimeout) as err:
        down = database_down(err)
        if is_lost(err, engine.dialect.name):
            raise LostConnection(str(down), at_commit=committing) from None
        raise down from None


def is_lost(err: BaseException, dialect: str) -> bool:
    """Whether ``err`` is a broken connection (or, on a server, one refused for now, as during a
    restart) that a fresh connection may not meet. SQLite's own errors (locked after the busy
    timeout, read-only, full) stay as they are: trying again would not help.

    >>> is_lost(OperationalError("INSERT", {}, OSError("server closed the connection")), "postgresql")
    True
    """
    if isinstance(err, DBAPIError) and err.connection_invalidated:
        return True
    return dialect != "sqlite" and isinstance(err, OperationalError)


def database_down(err: BaseException) -> RoomUnavailable:
    """The plain RoomUnavailable for a driver or pool error (logged by type, never with the URL)."""
    why = reason(err)
    log.warning("room database error (%s): %s", type(getattr(err, "orig", err)).__name__, why)
    return unavailable(why)


def reason(err: BaseException) -> str:
    """A few plain words on why the database failed.

    >>> reason(OSError("attempt to write a readonly database"))
    'it is read-only'
    """
    if isinstance(err, PoolTimeout):
        return "too many requests at once"
    text = str(getattr(err, "orig", None) or err).lower()
    for words, why in _REASONS:
        if any(w in text for w in words):
            return why
    if isinstance(err, DBAPIError) and err.connection_invalidated:
        return "it cannot be reached"
    return "it refused the request"
