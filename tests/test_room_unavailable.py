"""The database unreachable, read-only, full or misnamed: RoomUnavailable with a plain message."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from core.room import RoomError, RoomUnavailable, open_store
from tests import postgres_server
from tests.hostile import assert_clear
from tests.room_helpers import digit, joined, sqlite_url

pytest_plugins = ["tests.room_fixtures"]

PLAIN = ["unavailable right now", "the rest of the app works", "nothing of yours is lost"]


def _plain(err: BaseException, *words: str) -> None:
    text = assert_clear(err, *PLAIN, *words)
    assert "secret" not in text and "Traceback" not in text and "SELECT" not in text


def test_a_closed_port(caplog):
    url = f"postgresql://ana:secret@127.0.0.1:{postgres_server.free_port()}/rooms"
    with pytest.raises(RoomUnavailable) as err:
        open_store(url)
    _plain(err.value, "cannot be reached")
    assert "secret" not in caplog.text


@pytest.mark.parametrize("url", ["not a url", "nosuchdb+driver://x/y", "postgresql://[::1"])
def test_an_unreadable_or_unknown_url(url):
    with pytest.raises(RoomUnavailable) as err:
        open_store(url)
    _plain(err.value)
    assert url not in str(err.value)


def test_a_read_only_sqlite_file(tmp_path):
    writer = open_store(sqlite_url(tmp_path))
    code, _, ana = joined(writer)
    path = tmp_path / "rooms.sqlite3"
    reader = open_store(f"sqlite:///file:{path}?mode=ro&uri=true")  # root ignores chmod; this not
    try:
        assert reader.room(code).code == code  # reading still works
        for write in (
            reader.start_room,
            lambda: reader.join(code, "Bo"),
            lambda: reader.add_drawing(ana, digit(), 1),
            lambda: reader.leave(ana),
        ):
            with pytest.raises(RoomUnavailable) as err:
                write()
            _plain(err.value, "read-only")
    finally:
        reader.close()
        writer.close()


def test_a_full_sqlite_file(tmp_path, run_fields):
    store = open_store(sqlite_url(tmp_path))
    _, _, ana = joined(store)

    @event.listens_for(store._engine, "connect")
    def _cap_the_file(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

    store.close()  # reconnect with the cap
    try:
        with pytest.raises(RoomUnavailable) as err:
            store.post_run(ana, **run_fields)
        _plain(err.value, "full")
        assert store.runs(ana.room_code) == ()
    finally:
        store.close()


def test_a_server_that_goes_away():
    if postgres_server.bin_dir() is None:
        pytest.skip(postgres_server.MISSING)
    server = postgres_server.start()
    try:
        store = open_store(server.create_database("gone"))
        code, _, _ = joined(store)
    finally:
        server.stop()
    with pytest.raises(RoomUnavailable) as err:
        store.room(code)
    _plain(err.value, "cannot be reached")
    with pytest.raises(RoomError):  # RoomUnavailable is a RoomError: one except clause covers it
        store.start_room()
    store.close()


def test_the_default_database_is_in_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("LAYER_BY_LAYER_ROOM_DB", raising=False)
    monkeypatch.setenv("LAYER_BY_LAYER_DATA_DIR", str(tmp_path / "data"))
    store = open_store()
    try:
        assert (tmp_path / "data" / "rooms.sqlite3").exists()
        assert store.dialect == "sqlite" and "rooms.sqlite3" in store.url_for_log
    finally:
        store.close()
    monkeypatch.setenv("LAYER_BY_LAYER_ROOM_DB", sqlite_url(tmp_path))
    other = open_store()
    try:
        assert other.url_for_log == sqlite_url(tmp_path)
    finally:
        other.close()


def test_the_url_for_logs_hides_the_password(pg_server):
    url = pg_server.url_for("postgres").replace("postgres@", "postgres:secret@")
    store = open_store(url)
    try:
        assert "secret" not in store.url_for_log and "***" in store.url_for_log
        assert "secret" not in repr(store) and store.dialect == "postgresql"
        assert "+psycopg" in open_store(url.replace("+psycopg", "")).url_for_log
    finally:
        store.close()
