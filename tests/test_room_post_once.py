"""Train's "Post to the room" and Draw's "Add" under AppTest on a real SQLite store: posting the
same thing twice (again after an "unavailable" whose write did land) leaves one entry, and the
page says it is there; another trained model or another drawing is another entry."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.room import Store
from core.room.errors import unavailable
from core.room.retry import check_post_key
from tests.room_page import TIMEOUT, click, labels, ok, words
from ui.room_post import post_key

pytestmark = pytest.mark.page
pytest_plugins = ["tests.room_page_fixtures"]  # db: the app's database and a Store on it


def _post_panel() -> None:
    """Run by AppTest as a script of its own: Train's room panel for a stand-in trained model
    (a real untrained Keras model; its job id is ``test.job``)."""
    from types import SimpleNamespace

    import streamlit as st

    from core.keras_model import build_model
    from core.training import TrainSettings
    from tests.room_page import TINY
    from ui import room_post

    job = st.session_state.get("test.job", "3f9a0c12d4e5")
    if st.session_state.get("test.model") is None or st.session_state["test.model"].job_id != job:
        st.session_state["test.model"] = SimpleNamespace(
            built=SimpleNamespace(arch=TINY, model=build_model(TINY, seed=0).model),
            run=1,
            job_id=job,
            settings=TrainSettings("adam", 0.001, 0.0, 32, 1, 200, 0),
            test_accuracy=0.9,
            test_loss=0.3,
            seconds=2.0,
        )
    room_post.panel(st.session_state["test.model"])


def _draw_panel() -> None:
    """Run by AppTest as a script of its own: Draw's room panel for MNIST's test digit
    number ``test.digit``."""
    import streamlit as st

    from core import digits
    from ui import resources, room_draw

    room_draw.panel(digits.prepare(resources.mnist().x_test[st.session_state.get("test.digit", 0)]))


def member_script(script, db: Store) -> tuple[AppTest, str]:
    """``script`` in a session that is Ana in a new room; the room's code."""
    room, _ = db.start_room()
    at = AppTest.from_function(script, default_timeout=TIMEOUT)
    at.session_state["room.code"] = room.code
    at.session_state["room.member"] = db.join(room.code, "Ana")
    return ok(at.run()), room.code


def lands_then_unavailable(monkeypatch, method: str) -> list[str | None]:
    """``Store.<method>`` writes, then (the first time only) says the database is unavailable,
    as when the reply of a landed write is lost; the post key of every call is listed."""
    real, keys = getattr(Store, method), []

    def write_then_fail(self, *args, **kwargs):
        keys.append(kwargs.get("post_key"))
        entry = real(self, *args, **kwargs)
        if len(keys) == 1:
            raise unavailable("it cannot be reached")
        return entry

    monkeypatch.setattr(Store, method, write_then_fail)
    return keys


def test_post_again_after_unavailable_is_the_run_already_posted(db, monkeypatch):
    keys = lands_then_unavailable(monkeypatch, "post_run")
    at, code = member_script(_post_panel, db)
    click(at, "Post to the room")
    assert "unavailable right now" in at.error[0].value  # the learner is told it failed ...
    (landed,) = db.runs(code)  # ... though it landed
    click(at, "Post to the room")  # "Post" again
    assert db.runs(code) == (landed,)  # one row, not two
    assert "Run #1 is on the room's board as Ana." in words(at) and not at.error
    assert "Post to the room" not in labels(at) and "Take it off the board" in labels(at)
    assert keys[0] == keys[1] is not None
    click(at, "Take it off the board")  # the session's run id is the one on the board
    assert db.runs(code) == ()


def test_another_trained_model_is_another_run(db):
    at, code = member_script(_post_panel, db)
    click(at, "Post to the room")
    (first,) = db.runs(code)
    at.session_state["test.job"] = "b71e04aa9c3d"  # the session trains again
    ok(at.run())
    assert "Post to the room" in labels(at)
    click(at, "Post to the room")
    assert [r.run_id for r in db.runs(code)][1:] == [first.run_id] and len(db.runs(code)) == 2


def test_post_keys_are_allowed_keys_per_model_and_member():
    ana, bo = "a" * 32, "b" * 32
    for job in ("3f9a0c12d4e5", "job 1/ü", "x" * 200, ""):
        assert check_post_key(post_key(job, ana)) == post_key(job, ana)  # the store takes it
    assert post_key("3f9a0c12d4e5", ana) != post_key("b71e04aa9c3d", ana)
    assert post_key("3f9a0c12d4e5", ana) != post_key("3f9a0c12d4e5", bo)


def _pick_and_add(at: AppTest, digit: int) -> AppTest:
    at.segmented_control(key="room.draw.digit").set_value(digit)
    return click(ok(at.run()), "Add to the room's handwriting")


def test_add_again_after_unavailable_is_the_drawing_already_added(db, monkeypatch):
    keys = lands_then_unavailable(monkeypatch, "add_drawing")
    at, code = member_script(_draw_panel, db)
    _pick_and_add(at, 7)
    assert "unavailable right now" in at.error[0].value
    (landed,) = db.drawings(code)
    click(at, "Add to the room's handwriting")  # "Add" again: the same drawing, the same key
    assert [d.drawing_id for d in db.drawings(code)] == [landed.drawing_id]
    assert "This drawing is in the room's handwriting as a 7." in words(at) and not at.error
    assert keys[0] == keys[1] is not None
    click(at, "Take it back")  # the session's drawing id is the one in the room
    assert db.drawings(code) == ()


def test_a_new_drawing_or_another_digit_is_another_entry(db):
    at, code = member_script(_draw_panel, db)
    _pick_and_add(at, 7)
    at.session_state["test.digit"] = 1  # a new drawing (MNIST's second test digit, a 2)
    ok(at.run())
    _pick_and_add(at, 2)
    assert [d.label for d in db.drawings(code)] == [2, 7]
    _pick_and_add(at, 3)  # the same drawing meant as another digit: the writer's call
    assert [d.label for d in db.drawings(code)] == [3, 2, 7]
    _pick_and_add(at, 2)  # back to 2: that entry is already there
    assert [d.label for d in db.drawings(code)] == [3, 2, 7]
    assert "This drawing is in the room's handwriting as a 2." in words(at)
