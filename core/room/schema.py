"""The room tables (SQLAlchemy Core), their constraints, the schema-version row and its migrations.

Every rule the data must keep lives here, in the database: a nickname is unique per room
ignoring case, a label is a digit, an image is 784 bytes, a state is one of three, a post key
is used once per room (a retried post finds its first try instead of posting twice), and
deleting a room, run or drawing takes everything that hangs on it (``ON DELETE CASCADE``).
Schema 2 added the post keys; a schema-1 database is migrated in place when a store opens it.
"""

from __future__ import annotations

import logging

from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    inspect,
    select,
    text,
    update,
)

from core.room.errors import unavailable

log = logging.getLogger("layer_by_layer")

SCHEMA_VERSION = 2
POST_KEY_CHARS = 64
IMAGE_BYTES = 28 * 28
LOCK_KEY = 1_102_011  # PostgreSQL advisory lock taken while the schema is created

metadata = MetaData()


def _fk(target: str) -> ForeignKey:
    return ForeignKey(target, ondelete="CASCADE")


schema_info = Table(
    "room_schema",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Integer, nullable=False),
)

rooms = Table(
    "rooms",
    metadata,
    Column("code", String(6), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("state", String(8), nullable=False, server_default="open"),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False, index=True),
    Column("version", Integer, nullable=False, server_default="1"),
    CheckConstraint("state IN ('open', 'paused', 'closed')", name="room_state"),
)

members = Table(
    "members",
    metadata,
    Column("member_id", String(32), primary_key=True),
    Column("room_code", String(6), _fk("rooms.code"), nullable=False),
    Column("nickname", String(100), nullable=False),
    # The case-folded nickname while the member is in the room; NULL once they leave.
    Column("nickname_key", String(200)),
    Column("joined_at", Double, nullable=False),
    Column("left_at", Double),
    UniqueConstraint("room_code", "nickname_key", name="nickname_unique_in_room"),
    CheckConstraint("length(nickname) >= 1 AND length(nickname) <= 24", name="nickname_length"),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("room_code", String(6), _fk("rooms.code"), nullable=False, index=True),
    Column("member_id", String(32), _fk("members.member_id"), nullable=False, index=True),
    Column("arch_json", String, nullable=False),
    Column("settings_json", String, nullable=False),
    Column("params", Integer, nullable=False),
    Column("test_accuracy", Double, nullable=False),
    Column("test_loss", Double, nullable=False),
    Column("train_seconds", Double, nullable=False),
    Column("weight_bytes", Integer, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("post_key", String(POST_KEY_CHARS)),  # NULL for runs posted before schema 2
    CheckConstraint("test_accuracy >= 0 AND test_accuracy <= 1", name="run_accuracy"),
    CheckConstraint("params >= 0 AND weight_bytes > 0", name="run_sizes"),
    sqlite_autoincrement=True,  # ids are never reused: caches key on them
)

weights = Table(
    "weights",
    metadata,
    Column("run_id", Integer, _fk("runs.run_id"), primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

drawings = Table(
    "drawings",
    metadata,
    Column("drawing_id", Integer, primary_key=True, autoincrement=True),
    Column("room_code", String(6), _fk("rooms.code"), nullable=False),
    Column("member_id", String(32), _fk("members.member_id"), nullable=False, index=True),
    Column("label", Integer, nullable=False),
    Column("image", LargeBinary, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("post_key", String(POST_KEY_CHARS)),
    CheckConstraint("label >= 0 AND label <= 9", name="drawing_label"),
    CheckConstraint(f"length(image) = {IMAGE_BYTES}", name="drawing_image"),
    sqlite_autoincrement=True,
)

predictions = Table(
    "predictions",
    metadata,
    Column("run_id", Integer, _fk("runs.run_id"), primary_key=True),
    Column("drawing_id", Integer, _fk("drawings.drawing_id"), primary_key=True),
    Column("predicted", Integer, nullable=False),
    CheckConstraint("predicted >= 0 AND predicted <= 9", name="prediction_digit"),
)
# Covering indexes: the board's aggregates read only these, never the tables' rows.
Index("drawings_by_room", drawings.c.room_code, drawings.c.drawing_id, drawings.c.label)
Index(
    "predictions_by_drawing",
    predictions.c.drawing_id,
    predictions.c.run_id,
    predictions.c.predicted,
)
# One post per key and room (NULLs, the entries from before schema 2, never clash).
POST_KEYS = (
    Index("runs_by_post_key", runs.c.room_code, runs.c.post_key, unique=True),
    Index("drawings_by_post_key", drawings.c.room_code, drawings.c.post_key, unique=True),
)

answers = Table(
    "answers",
    metadata,
    Column("member_id", String(32), _fk("members.member_id"), primary_key=True),
    Column("question", String(80), primary_key=True),
    Column("room_code", String(6), _fk("rooms.code"), nullable=False, index=True),
    Column("value", String(200), nullable=False),
    Column("created_at", Double, nullable=False),
)


def current(conn: Connection) -> int | None:
    """The schema version the database holds (None before the tables exist)."""
    if not inspect(conn).has_table(schema_info.name):
        return None
    return conn.execute(
        select(schema_info.c.value).where(schema_info.c.name == "version")
    ).scalar_one_or_none()


def create(conn: Connection) -> None:
    """Creates the tables on first use, migrates an older schema, checks the version (inside
    ``conn``'s transaction; on PostgreSQL under a lock, so two servers starting do it once).

    Raises:
        RoomUnavailable: the database was made by a newer schema than this code reads.
    """
    if conn.dialect.name == "postgresql":  # two servers starting at once create it once
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    metadata.create_all(conn, checkfirst=True)
    found = conn.execute(
        select(schema_info.c.value).where(schema_info.c.name == "version")
    ).scalar_one_or_none()
    if found is None:
        conn.execute(schema_info.insert().values(name="version", value=SCHEMA_VERSION))
    elif found in MIGRATIONS:
        migrate(conn, found)
    elif found != SCHEMA_VERSION:
        raise unavailable(f"it holds schema {found}; this app reads schema {SCHEMA_VERSION}")


def add_post_keys(conn: Connection) -> None:
    """Schema 1 -> 2: the nullable ``post_key`` of runs and drawings, unique per room."""
    for index in POST_KEYS:
        table = index.table
        kind = table.c.post_key.type.compile(dialect=conn.dialect)
        conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN post_key {kind}"))
        index.create(conn)


MIGRATIONS = {1: add_post_keys}  # found version -> the step to the next one


def migrate(conn: Connection, found: int) -> None:
    """Brings a database at schema ``found`` to ``SCHEMA_VERSION``, one step at a time, inside
    ``conn``'s transaction (PostgreSQL and SQLite both roll DDL back: never half-migrated)."""
    for version in range(found, SCHEMA_VERSION):
        MIGRATIONS[version](conn)
        log.info("room database migrated from schema %d to %d", version, version + 1)
    conn.execute(
        update(schema_info).where(schema_info.c.name == "version").values(value=SCHEMA_VERSION)
    )
