"""Fixtures of the room store's tests: every test runs on SQLite and on a real PostgreSQL.

A test module takes them with ``pytest_plugins = ["tests.room_fixtures"]`` and asks for:

- ``store``: a fresh Store (default limits) on the test's database;
- ``open_stores(limits=None)``: more Stores on the same database (a second "server", small caps);
- ``db_url``: the database itself: a SQLite file in ``tmp_path``, or a new database on the
  session's PostgreSQL server (``pg_server``, started once, stopped at the end).

PostgreSQL's tests skip, with the reason, only where its binaries are not installed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.room import Limits, Store, open_store
from tests import postgres_server
from tests.room_helpers import TINY_LINK, sqlite_url

_databases = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[postgres_server.PostgresServer]:
    """One PostgreSQL cluster for the session (skipped where PostgreSQL is not installed)."""
    if postgres_server.bin_dir() is None:
        pytest.skip(postgres_server.MISSING)
    try:
        server = postgres_server.start()
    except RuntimeError as err:
        pytest.fail(str(err), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    server = request.getfixturevalue("pg_server")
    return server.create_database(f"rooms_{next(_databases)}")


@pytest.fixture
def open_stores(db_url: str) -> Iterator[Callable[..., Store]]:
    """Opens Stores on the test's database (each like another server); all closed at the end."""
    opened: list[Store] = []

    def opener(limits: Limits | None = None) -> Store:
        store = open_store(db_url, limits or Limits())
        opened.append(store)
        return store

    yield opener
    for store in opened:
        store.close()


@pytest.fixture
def store(open_stores: Callable[..., Store]) -> Store:
    """A Store with the default limits on a fresh database."""
    return open_stores()


@pytest.fixture(scope="session")
def tiny_model():
    """A small real Keras model (``TINY_LINK``, seed 1), built once per session."""
    from core.architecture import Architecture
    from core.keras_model import build_model

    return build_model(Architecture.from_url(TINY_LINK), seed=1).model


@pytest.fixture(scope="session")
def run_fields(tiny_model) -> dict:
    """``Store.post_run`` keyword arguments for ``tiny_model``."""
    from core.architecture import Architecture
    from core.room import weights_to_bytes

    return {
        "arch_json": Architecture.from_url(TINY_LINK).to_json(),
        "settings_json": '{"epochs": 1, "batch_size": 128}',
        "params": tiny_model.count_params(),
        "test_accuracy": 0.91,
        "test_loss": 0.3,
        "train_seconds": 4.5,
        "weights": weights_to_bytes(tiny_model),
    }
