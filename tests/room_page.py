"""Helpers for the Room page's AppTest files: a database per test, the page, its buttons and words."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.architecture import Architecture, LayerSpec
from core.room import Store, open_store, weights_to_bytes

ROOT = Path(__file__).resolve().parents[1]
ENV = "LAYER_BY_LAYER_ROOM_DB"
TIMEOUT = 120  # a page that scores imports TensorFlow
TINY = Architecture(
    (LayerSpec.make("Flatten"), LayerSpec.make("Dense", units=10, activation="softmax"))
)


def use_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """Points the app at a new SQLite file in ``tmp_path``; returns the test's own Store on it."""
    url = f"sqlite:///{tmp_path}/rooms.sqlite3"
    monkeypatch.setenv(ENV, url)
    # No background TensorFlow import racing the page's own imports (Plotly imports pandas lazily).
    monkeypatch.setenv("LAYER_BY_LAYER_WARMUP", "0")
    return open_store(url)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_room(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/room.py")
    for key, value in query.items():
        at.query_params[key] = value
    return ok(at.run())


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return ok(at.run())


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def words(at: AppTest) -> str:
    parts = [*at.markdown, *at.caption, *at.error, *at.warning, *at.info, *at.success, *at.toast]
    return "\n".join(str(p.value) for p in parts)


def start(at: AppTest) -> tuple[str, str]:
    click(at, "Start a room")
    return at.session_state["room.code"], at.session_state["room.token"]


def join(at: AppTest, nickname: str, code: str | None = None) -> AppTest:
    if code is not None:
        at.text_input(key="room.join.code").input(code)
    at.text_input(key="room.join.nickname").input(nickname)
    return click(at, "Join the room")


def sidebar_line(at: AppTest) -> list[str]:
    """The sidebar as the first page draws it, with ``at``'s room (AppTest keeps app.py's sidebar
    only on a run without a page switch, so a second AppTest borrows the state)."""
    card = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key in ("room.code", "room.member", "room.token"):
        if key in at.session_state:
            card.session_state[key] = at.session_state[key]
    return [c.value for c in ok(card.run()).sidebar.caption if "Room" in c.value]


def post_tiny(db, member, accuracy: float = 0.91):
    from core.keras_model import build_model

    return db.post_run(
        member,
        arch_json=TINY.to_json(),
        settings_json="{}",
        params=7_850,
        test_accuracy=accuracy,
        test_loss=0.3,
        train_seconds=2.0,
        weights=weights_to_bytes(build_model(TINY, seed=0).model),
    )
