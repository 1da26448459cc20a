"""core.room.Store on SQLite and PostgreSQL: rooms, members, versions, expiry, schema, rules."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, inspect, text

from core.room import Limits, Member, RoomError, RoomUnavailable, normalise_code
from core.room.codes import ALPHABET
from core.room.schema import SCHEMA_VERSION
from tests.hostile import assert_clear
from tests.room_helpers import digit, joined

pytest_plugins = ["tests.room_fixtures"]


def test_a_new_room_has_a_code_a_token_and_a_day(store):
    before = time.time()
    room, token = store.start_room()
    assert len(room.code) == 6 and set(room.code) <= set(ALPHABET)
    assert room.state == "open" and before <= room.created_at <= time.time()
    assert room.expires_at - room.created_at == pytest.approx(24 * 3600)
    assert len(token) >= 22 and token not in repr(room)
    assert store.room(room.code) == room
    assert store.room(f" {room.code[:3].lower()}-{room.code[3:]} ") == room  # typed loosely


def test_codes_differ_and_normalise():
    assert normalise_code(" k7 qm-2x\n") == "K7QM2X"
    assert normalise_code(None) == ""


def test_wrong_codes_get_a_clear_message(store):
    store.start_room()
    for code, words in [("K7QM2X", ["No room", "K7QM2X"]), ("", ["6"]), ("O0O0O0", ["6"])]:
        with pytest.raises(RoomError) as err:
            store.room(code)
        assert_clear(err.value, *words)
        with pytest.raises(RoomError):
            store.join(code, "Ana")
    with pytest.raises(RoomError) as err:
        store.room("x" * 10_000)
    assert "x" * 20 not in str(err.value)


def test_join_leave_rejoin(store):
    code, _, ana = joined(store, "Ana")
    assert isinstance(ana, Member) and ana.room_code == code and ana.nickname == "Ana"
    assert len(ana.member_id) == 32 and int(ana.member_id, 16) >= 0
    assert ana.member_id not in repr(ana)
    assert store.rejoin(code, ana.member_id) == ana
    assert store.rejoin(code, "0" * 32) is None
    store.leave(ana)
    assert store.rejoin(code, ana.member_id) is None
    again = store.join(code, "ana")  # the nickname is free once its holder left
    assert again.member_id != ana.member_id and again.nickname == "ana"
    other_code, _, _ = joined(store, "Bo")
    assert store.rejoin(other_code, again.member_id) is None  # a member of another room


def test_nicknames_are_unique_per_room_ignoring_case(store):
    code, _, _ = joined(store, "Ana")
    for taken in ["ana", "ANA", " Ana ", "Ａｎａ"]:  # the last is full-width: NFKC makes it Ana
        with pytest.raises(RoomError) as err:
            store.join(code, taken)
        assert_clear(err.value, "taken")
    other, _ = store.start_room()
    assert store.join(other.code, "ana").nickname == "ana"  # another room is another namespace


def test_every_change_bumps_the_version(store, run_fields):
    code, token, ana = joined(store)
    seen = [store.version(code)]

    def changed():
        seen.append(store.version(code))
        assert seen[-1] > seen[-2], seen

    bo = store.join(code, "Bo")
    changed()
    run = store.post_run(ana, **run_fields)
    changed()
    drawing = store.add_drawing(bo, digit(), 4)
    changed()
    store.record_answer(ana, "q1", "7")
    changed()
    store.delete_own_drawing(bo, drawing.drawing_id)
    changed()
    store.set_state(code, token, "paused")
    changed()
    store.remove_run(code, token, run.run_id)
    changed()
    store.leave(bo)
    changed()
    store.board(code), store.runs(code), store.version(code)
    assert store.version(code) == seen[-1]  # reading changes nothing


def test_paused_and_closed_rooms(store, run_fields):
    code, token, ana = joined(store)
    drawing = store.add_drawing(ana, digit(), 1)
    store.set_state(code, token, "paused")
    for post in (
        lambda: store.post_run(ana, **run_fields),
        lambda: store.add_drawing(ana, digit(), 1),
    ):
        with pytest.raises(RoomError) as err:
            post()
        assert_clear(err.value, "paused")
    store.join(code, "Bo")  # joining and answering go on while posting is paused
    store.record_answer(ana, "q", "1")
    store.set_state(code, token, "closed")
    assert store.room(code).state == "closed"
    for act in (
        lambda: store.post_run(ana, **run_fields),
        lambda: store.add_drawing(ana, digit(), 1),
        lambda: store.join(code, "Cy"),
        lambda: store.record_answer(ana, "q", "2"),
        lambda: store.delete_own_drawing(ana, drawing.drawing_id),
    ):
        with pytest.raises(RoomError) as err:
            act()
        assert_clear(err.value, "closed", "read-only")
    assert store.board(code).n_drawings == 1 and store.answers(code) == {"q": ("1",)}
    store.set_state(code, token, "open")
    store.add_drawing(ana, digit(), 1)


def test_expired_rooms_refuse_and_are_purged(store):
    ttl = store.limits.ttl_s
    old, _ = store.start_room(now=time.time() - ttl - 60)
    for act in (store.room, store.version, store.board, lambda c: store.join(c, "Ana")):
        with pytest.raises(RoomError) as err:
            act(old.code)
        assert_clear(err.value, "ended")
    assert store.purge_expired() == 1
    with pytest.raises(RoomError) as err:
        store.room(old.code)
    assert_clear(err.value, "No room")
    older, _ = store.start_room(now=time.time() - ttl - 60)
    live, _ = store.start_room()  # starting a room purges the expired ones
    assert store.room(live.code) == live and store.purge_expired() == 0
    with pytest.raises(RoomError):
        store.room(older.code)


def test_a_room_purged_takes_all_its_data(store, run_fields):
    code, token, ana = joined(store)
    store.post_run(ana, **run_fields)
    store.add_drawing(ana, digit(), 1)
    store.record_answer(ana, "q", "1")
    assert store.purge_expired(now=time.time() + store.limits.ttl_s + 1) == 1
    assert _row_counts(store) == dict.fromkeys(
        ["rooms", "members", "runs", "weights", "drawings", "predictions", "answers"], 0
    )


def _row_counts(store) -> dict[str, int]:
    engine = store._engine
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            for table in [
                "rooms",
                "members",
                "runs",
                "weights",
                "drawings",
                "predictions",
                "answers",
            ]
        }


def test_the_schema_is_created_once_with_its_version(db_url, open_stores):
    first = open_stores()
    code, _, _ = joined(first)
    second = open_stores()  # another server on the same database: nothing is recreated
    assert second.room(code).code == code
    engine = create_engine(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"rooms", "members", "runs", "drawings", "predictions", "answers"} <= tables
        with engine.connect() as conn:
            version = conn.execute(text("SELECT value FROM room_schema WHERE name = 'version'"))
            assert version.scalar_one() == SCHEMA_VERSION
            conn.execute(text("UPDATE room_schema SET value = 99"))
            conn.commit()
    finally:
        engine.dispose()
    with pytest.raises(RoomUnavailable) as err:
        open_stores()
    assert_clear(err.value, "schema 99")


def test_the_database_keeps_the_rules_itself(store):
    """Constraints live in the database: raw inserts that break them are refused there."""
    from sqlalchemy.exc import IntegrityError

    code, _, ana = joined(store)
    bad = [
        f"INSERT INTO drawings (room_code, member_id, label, image, created_at) "
        f"VALUES ('{code}', '{ana.member_id}', 12, :image, 0)",
        f"INSERT INTO members (member_id, room_code, nickname, nickname_key, joined_at) "
        f"VALUES ('{'e' * 32}', '{code}', 'ANA', 'ana', 0)",
        "UPDATE rooms SET state = 'gone'",
        f"INSERT INTO drawings (room_code, member_id, label, image, created_at) "
        f"VALUES ('NOROOM', '{ana.member_id}', 1, :image, 0)",
    ]
    images = [bytes(784), bytes(784), bytes(784), bytes(784)]
    for statement, image in zip(bad, images, strict=True):
        with store._engine.connect() as conn, pytest.raises(IntegrityError):
            conn.execute(text(statement), {"image": image})
    with store._engine.connect() as conn, pytest.raises(IntegrityError):
        conn.execute(
            text(
                "INSERT INTO drawings (room_code, member_id, label, image, created_at) "
                "VALUES (:code, :member, 1, :image, 0)"
            ),
            {"code": code, "member": ana.member_id, "image": bytes(783)},
        )


def test_limits_from_the_environment(monkeypatch, caplog):
    monkeypatch.setenv("LAYER_BY_LAYER_ROOM_TTL_S", "600")
    monkeypatch.setenv("LAYER_BY_LAYER_ROOM_MAX_ROOMS", "lots")
    limits = Limits.from_env()
    assert limits.ttl_s == 600 and limits.max_rooms == Limits().max_rooms
    assert "LAYER_BY_LAYER_ROOM_MAX_ROOMS" in caplog.text and "lots" not in caplog.text
    monkeypatch.setenv("LAYER_BY_LAYER_ROOM_TTL_S", "-5")
    assert Limits.from_env().ttl_s == Limits().ttl_s
