"""A room database from the last release (schema 1, without post keys) is migrated in place:
its rooms, runs and drawings stay, and posts made after it are keyed like any other."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from core.room import model_from_entry
from core.room.codes import hash_token
from core.room.schema import (
    SCHEMA_VERSION,
    answers,
    members,
    metadata,
    predictions,
    rooms,
    schema_info,
    weights,
)
from tests.room_helpers import digit

pytest_plugins = ["tests.room_fixtures"]

CODE, TOKEN, MEMBER = "K7QM2X", "old-token", "a" * 32
# The two tables schema 2 changed, as schema 1 (the last release) created them.
V1_RUNS = """CREATE TABLE runs (
    run_id {serial},
    room_code VARCHAR(6) NOT NULL REFERENCES rooms (code) ON DELETE CASCADE,
    member_id VARCHAR(32) NOT NULL REFERENCES members (member_id) ON DELETE CASCADE,
    arch_json VARCHAR NOT NULL, settings_json VARCHAR NOT NULL, params INTEGER NOT NULL,
    test_accuracy DOUBLE PRECISION NOT NULL, test_loss DOUBLE PRECISION NOT NULL,
    train_seconds DOUBLE PRECISION NOT NULL, weight_bytes INTEGER NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    CONSTRAINT run_accuracy CHECK (test_accuracy >= 0 AND test_accuracy <= 1),
    CONSTRAINT run_sizes CHECK (params >= 0 AND weight_bytes > 0))"""
V1_DRAWINGS = """CREATE TABLE drawings (
    drawing_id {serial},
    room_code VARCHAR(6) NOT NULL REFERENCES rooms (code) ON DELETE CASCADE,
    member_id VARCHAR(32) NOT NULL REFERENCES members (member_id) ON DELETE CASCADE,
    label INTEGER NOT NULL, image {blob} NOT NULL, created_at DOUBLE PRECISION NOT NULL,
    CONSTRAINT drawing_label CHECK (label >= 0 AND label <= 9),
    CONSTRAINT drawing_image CHECK (length(image) = 784))"""
V1_INDEXES = (
    "CREATE INDEX ix_runs_room_code ON runs (room_code)",
    "CREATE INDEX ix_runs_member_id ON runs (member_id)",
    "CREATE INDEX ix_drawings_member_id ON drawings (member_id)",
    "CREATE INDEX drawings_by_room ON drawings (room_code, drawing_id, label)",
)
TYPES = {
    "sqlite": {"serial": "INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT", "blob": "BLOB"},
    "postgresql": {"serial": "SERIAL PRIMARY KEY", "blob": "BYTEA"},
}


def make_v1_database(url: str, fields: dict) -> None:
    """A schema-1 database holding one room, one member, one run and one drawing."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            types = TYPES[conn.dialect.name]
            metadata.create_all(conn, tables=[schema_info, rooms, members])
            for ddl in (V1_RUNS, V1_DRAWINGS, *V1_INDEXES):
                conn.execute(text(ddl.format(**types)))
            metadata.create_all(conn, tables=[weights, predictions, answers])
            conn.execute(schema_info.insert().values(name="version", value=1))
            conn.execute(
                rooms.insert().values(
                    code=CODE, token_hash=hash_token(TOKEN), state="open", created_at=1.0,
                    expires_at=4e9, version=3,
                )
            )  # fmt: skip  # one room row
            conn.execute(
                members.insert().values(
                    member_id=MEMBER, room_code=CODE, nickname="Ana", nickname_key="ana",
                    joined_at=1.0,
                )
            )  # fmt: skip  # one member row
            run = {k: v for k, v in fields.items() if k != "weights"}
            conn.execute(
                text(
                    "INSERT INTO runs (room_code, member_id, arch_json, settings_json, params, "
                    "test_accuracy, test_loss, train_seconds, weight_bytes, created_at) VALUES "
                    "(:code, :member, :arch_json, :settings_json, :params, :test_accuracy, "
                    ":test_loss, :train_seconds, :size, 2.0)"
                ),
                run | {"code": CODE, "member": MEMBER, "size": len(fields["weights"])},
            )
            run_id = conn.execute(text("SELECT max(run_id) FROM runs")).scalar_one()
            conn.execute(weights.insert().values(run_id=run_id, data=fields["weights"]))
            conn.execute(
                text(
                    "INSERT INTO drawings (room_code, member_id, label, image, created_at) "
                    "VALUES (:code, :member, 7, :image, 3.0)"
                ),
                {"code": CODE, "member": MEMBER, "image": digit(7).tobytes()},
            )
    finally:
        engine.dispose()


def test_a_schema_1_database_is_migrated_and_keeps_its_rooms(db_url, open_stores, run_fields):
    make_v1_database(db_url, run_fields)
    store = open_stores()  # opening it migrates it
    (old_run,) = store.runs(CODE)
    assert old_run.nickname == "Ana" and store.run_weights(old_run.run_id) == run_fields["weights"]
    assert model_from_entry(old_run.arch_json, store.run_weights(old_run.run_id)).count_params()
    (old_drawing,) = store.drawings(CODE)
    assert old_drawing.label == 7 and (old_drawing.image == digit(7)).all()
    assert store.is_presenter(CODE, TOKEN) and store.version(CODE) == 3
    ana = store.rejoin(CODE, MEMBER)
    new = store.post_run(ana, **run_fields, post_key="after-upgrade")
    assert store.post_run(ana, **run_fields, post_key="after-upgrade") == new
    store.add_drawing(ana, digit(8), 8, post_key="d-after")
    store.add_drawing(ana, digit(8), 8, post_key="d-after")
    assert [e.run_id for e in store.runs(CODE)] == [new.run_id, old_run.run_id]
    assert [d.label for d in store.drawings(CODE)] == [8, 7]
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT value FROM room_schema WHERE name = 'version'"))
            assert version.scalar_one() == SCHEMA_VERSION == 2
            found = inspect(conn)
            for table in ("runs", "drawings"):
                keyed = [i for i in found.get_indexes(table) if i["column_names"][-1] == "post_key"]
                assert [(i["column_names"], bool(i["unique"])) for i in keyed] == [
                    (["room_code", "post_key"], True)
                ]
    finally:
        engine.dispose()
    assert open_stores().runs(CODE) == store.runs(CODE)  # a second server: nothing migrated twice
