"""The Room page tests' fixture: ``db``, the app's database for the test and a Store on it.

A test module takes it with ``pytest_plugins = ["tests.room_page_fixtures"]`` (its helpers stay in
``tests/room_page.py``, imported as usual).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.room import Store
from tests.room_page import use_database


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A new SQLite file the app is pointed at, and the test's own Store on it."""
    return use_database(tmp_path, monkeypatch)
