"""A post or a join whose connection breaks (PostgreSQL restarted, the link cut) is retried once,
never half-written and never doubled; a database that stays down gives the plain RoomUnavailable.

The restarts run on a cluster of this module's own (``pg_own``), so the session's shared one
is never cut; the faults that need no restart (a connection closed in the middle of the
transaction or right after its COMMIT landed) run on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import psycopg
import pytest
from sqlalchemy import event, text

from core.room import Limits, RoomError, RoomUnavailable, Store, model_from_entry, open_store
from tests import postgres_server
from tests.hostile import assert_clear
from tests.room_helpers import digit, joined

pytest_plugins = ["tests.room_fixtures"]

PLAIN = ["unavailable right now", "the rest of the app works", "nothing of yours is lost"]


@pytest.fixture(scope="module")
def pg_own() -> Iterator[postgres_server.PostgresServer]:
    """A PostgreSQL cluster these tests may restart and stop."""
    if postgres_server.bin_dir() is None:
        pytest.skip(postgres_server.MISSING)
    server = postgres_server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_store(pg_own) -> Iterator[Store]:
    """A Store on a new database of ``pg_own``."""
    store = open_store(pg_own.create_database(f"restart_{len(pg_own.created) + 1}"))
    yield store
    store.close()


def on_statement(store: Store, starts: str, fault: Callable) -> list[str]:
    """Calls ``fault(conn)`` the first time the store sends a statement starting with ``starts``
    (before it is sent); every such statement seen is listed in the returned list."""
    seen: list[str] = []

    @event.listens_for(store._engine, "before_cursor_execute")
    def _watch(conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith(starts.upper()):
            seen.append(statement)
            if len(seen) == 1:
                fault(conn)

    return seen


def close_link(conn) -> None:
    """The connection is gone under the driver (like a cut link): its next use fails."""
    conn.connection.dbapi_connection.close()


def counts(store: Store) -> dict[str, int]:
    """Rows in each table, and rows that hang on nothing (a half-written post)."""
    queries = {
        "runs": "SELECT count(*) FROM runs",
        "weights": "SELECT count(*) FROM weights",
        "drawings": "SELECT count(*) FROM drawings",
        "members": "SELECT count(*) FROM members",
        "runs without weights": "SELECT count(*) FROM runs r "
        "WHERE NOT EXISTS (SELECT 1 FROM weights w WHERE w.run_id = r.run_id)",
        "weights without a run": "SELECT count(*) FROM weights w "
        "WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.run_id = w.run_id)",
    }
    with store._engine.connect() as conn:
        return {name: conn.execute(text(sql)).scalar_one() for name, sql in queries.items()}


def one_good_run(store: Store, code: str, fields: dict) -> None:
    """The room holds exactly one run, whole: its weights are the posted bytes and load."""
    (entry,) = store.runs(code)
    assert store.run_weights(entry.run_id) == fields["weights"]
    model = model_from_entry(entry.arch_json, store.run_weights(entry.run_id))
    assert model.count_params() == fields["params"] == entry.params
    found = counts(store)
    assert (found["runs"], found["weights"], found["drawings"]) == (1, 1, 0)
    assert found["runs without weights"] == found["weights without a run"] == 0


def test_a_restart_between_two_posts_goes_unseen(pg_own, pg_store, run_fields):
    code, _, ana = joined(pg_store)
    first = pg_store.post_run(ana, **run_fields)
    pg_own.restart()  # every pooled connection is now dead
    second = pg_store.post_run(ana, **run_fields)
    pg_own.restart()
    drawing = pg_store.add_drawing(ana, digit(3), 3)
    assert [e.run_id for e in pg_store.runs(code)] == [second.run_id, first.run_id]
    for entry in (first, second):
        assert pg_store.run_weights(entry.run_id) == run_fields["weights"]
    assert [d.drawing_id for d in pg_store.drawings(code)] == [drawing.drawing_id]
    assert (pg_store.drawings(code)[0].image == digit(3)).all()


@pytest.mark.parametrize("where", ["INSERT INTO runs", "INSERT INTO weights"])
def test_a_backend_killed_inside_the_post_is_retried_once(pg_own, pg_store, run_fields, where):
    code, _, ana = joined(pg_store)
    before = pg_store.version(code)

    def kill(conn) -> None:
        pid = conn.connection.dbapi_connection.info.backend_pid
        dsn = f"host=127.0.0.1 port={pg_own.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as other:  # waits until it is gone
            assert other.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,)).fetchone()[0]

    seen = on_statement(pg_store, where, kill)
    entry = pg_store.post_run(ana, **run_fields)
    assert len(seen) == 2  # the first try died, the second posted
    assert pg_store.runs(code)[0].run_id == entry.run_id
    one_good_run(pg_store, code, run_fields)
    assert pg_store.version(code) == before + 1  # one change: nothing left of the first try


def test_a_restart_inside_the_post_is_retried_once(pg_own, pg_store, run_fields):
    code, _, ana = joined(pg_store)
    seen = on_statement(pg_store, "INSERT INTO weights", lambda _conn: pg_own.restart())
    entry = pg_store.post_run(ana, **run_fields)
    assert len(seen) == 2 and pg_store.runs(code)[0].run_id == entry.run_id
    one_good_run(pg_store, code, run_fields)
    seen = on_statement(pg_store, "INSERT INTO drawings", lambda _conn: pg_own.restart())
    drawing = pg_store.add_drawing(ana, digit(5), 5)
    assert len(seen) == 2 and [d.drawing_id for d in pg_store.drawings(code)] == [
        drawing.drawing_id
    ]


def test_a_server_that_stays_down_refuses_plainly_and_leaves_nothing(
    pg_own, pg_store, run_fields, caplog
):
    code, _, ana = joined(pg_store)
    before = pg_store.version(code)
    seen = on_statement(pg_store, "INSERT INTO weights", lambda _conn: pg_own.halt())
    try:
        with caplog.at_level(logging.WARNING, "layer_by_layer"):
            with pytest.raises(RoomUnavailable) as err:
                pg_store.post_run(ana, **run_fields)
            with pytest.raises(RoomUnavailable):
                pg_store.add_drawing(ana, digit(1), 1)
    finally:
        pg_own.resume()
    text_shown = assert_clear(err.value, *PLAIN, "cannot be reached")
    assert "INSERT" not in text_shown and "Traceback" not in text_shown
    assert len(seen) == 1 and "trying once more" in caplog.text
    assert counts(pg_store) == {
        "runs": 0, "weights": 0, "drawings": 0, "members": 1,
        "runs without weights": 0, "weights without a run": 0,
    }  # fmt: skip  # one count per table
    assert pg_store.version(code) == before
    pg_store.post_run(ana, **run_fields)  # back up: posting works again
    one_good_run(pg_store, code, run_fields)


def test_a_link_cut_inside_the_post_is_retried_once(store, run_fields):
    code, _, ana = joined(store)
    seen = on_statement(store, "INSERT INTO weights", close_link)
    entry = store.post_run(ana, **run_fields)
    assert len(seen) == 2 and store.runs(code)[0].run_id == entry.run_id
    one_good_run(store, code, run_fields)
    seen = on_statement(store, "INSERT INTO drawings", close_link)
    drawing = store.add_drawing(ana, digit(2), 2)
    assert len(seen) == 2 and [d.drawing_id for d in store.drawings(code)] == [drawing.drawing_id]


def cut_after_commit(store: Store, starts: str) -> list[str]:
    """After the first statement starting with ``starts``, the transaction's COMMIT lands and
    then the connection is gone: the client sees COMMIT fail and cannot know it landed."""
    seen = on_statement(store, starts, lambda _conn: None)
    done: list[bool] = []

    @event.listens_for(store._engine, "commit")
    def _commit_then_cut(conn) -> None:
        if seen and not done:
            done.append(True)
            raw = conn.connection.dbapi_connection
            raw.commit()
            raw.close()

    return seen


def test_a_commit_that_landed_then_broke_posts_once(store, run_fields, caplog):
    code, _, ana = joined(store)
    before = store.version(code)
    seen = cut_after_commit(store, "INSERT INTO runs")
    with caplog.at_level(logging.WARNING, "layer_by_layer"):
        entry = store.post_run(ana, **run_fields)
    assert "during COMMIT" in caplog.text
    assert len(seen) == 1  # the retry found the run by its post key: nothing inserted twice
    assert store.runs(code)[0] == entry
    one_good_run(store, code, run_fields)
    assert store.version(code) == before + 1
    seen = cut_after_commit(store, "INSERT INTO drawings")
    drawing = store.add_drawing(ana, digit(4), 4)
    (kept,) = store.drawings(code)
    assert len(seen) == 1 and kept.drawing_id == drawing.drawing_id and kept.label == 4


def test_a_join_cut_before_commit_joins_on_the_second_try(store):
    room, _ = store.start_room()
    seen = on_statement(store, "INSERT INTO members", close_link)
    ana = store.join(room.code, "Ana")
    assert len(seen) == 2 and store.rejoin(room.code, ana.member_id) == ana
    assert counts(store)["members"] == 1


def test_a_join_whose_commit_landed_then_broke_gives_that_member_once(store, caplog):
    room, _ = store.start_room()
    before = store.version(room.code)
    seen = cut_after_commit(store, "INSERT INTO members")
    with caplog.at_level(logging.WARNING, "layer_by_layer"):
        bo = store.join(room.code, "Bo")  # the retry finds Bo by the member id: never "taken"
    assert "during COMMIT" in caplog.text
    assert len(seen) == 1  # nothing inserted twice
    assert store.rejoin(room.code, bo.member_id) == bo and bo.nickname == "Bo"
    assert counts(store)["members"] == 1 and store.version(room.code) == before + 1
    with pytest.raises(RoomError) as err:  # someone else joining as Bo is still refused
        store.join(room.code, "BO")
    assert_clear(err.value, "is taken in this room")
    assert counts(store)["members"] == 1


def test_a_replayed_join_into_a_full_room_still_gives_its_member(open_stores):
    store = open_stores(Limits(max_members=1))
    room, _ = store.start_room()
    cut_after_commit(store, "INSERT INTO members")
    ana = store.join(room.code, "Ana")  # the room was full after the first try: not refused
    assert store.rejoin(room.code, ana.member_id) == ana
    with pytest.raises(RoomError) as err:
        store.join(room.code, "Bo")
    assert_clear(err.value, "1 members, its limit")
    assert counts(store)["members"] == 1


def test_a_post_sent_twice_under_one_key_posts_once(store, run_fields):
    code, _, ana = joined(store)
    first = store.post_run(ana, **run_fields, post_key="ana-run-1")
    again = store.post_run(ana, **run_fields, post_key="ana-run-1")
    other = store.post_run(ana, **run_fields, post_key="ana-run-2")
    assert again == first and other.run_id != first.run_id
    assert [e.run_id for e in store.runs(code)] == [other.run_id, first.run_id]
    drawing = store.add_drawing(ana, digit(6), 6, post_key="d1")
    assert store.add_drawing(ana, digit(6), 6, post_key="d1").drawing_id == drawing.drawing_id
    assert len(store.drawings(code)) == 1
    bo = store.join(code, "Bo")
    with pytest.raises(RoomError) as err:  # someone else's key: refused, Ana's run untouched
        store.post_run(bo, **run_fields, post_key="ana-run-1")
    assert_clear(err.value, "already in the room")
    for bad in ("", "x" * 65, "a b", 7, "ключ"):
        with pytest.raises(RoomError) as err:
            store.add_drawing(ana, digit(1), 1, post_key=bad)
        assert_clear(err.value, "post key")
    assert len(store.runs(code)) == 2 and len(store.drawings(code)) == 1
