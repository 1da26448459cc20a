"""Coming back to a room: a member's Room page carries ``?room=CODE&me=MEMBER_ID``; a new session
with it (a reload, a server restart behind nginx) is that member again, and a bad or stale ``me``
gives the join form with a note. The join link and its QR code never carry ``me``."""

from __future__ import annotations

import numpy as np
import pytest

from tests.room_page import (
    click,
    join,
    labels,
    ok,
    open_room,
    post_tiny,
    sidebar_line,
    start,
    words,
)

pytestmark = pytest.mark.page
pytest_plugins = ["tests.room_page_fixtures"]  # db: the app's database and a Store on it


def _query(at) -> dict[str, str]:
    """AppTest's query string as plain strings (it gives a single value as a ``str`` or a list)."""
    return {k: v if isinstance(v, str) else v[-1] for k, v in at.query_params.items()}


def _joined(db) -> tuple[str, object, dict[str, str]]:
    """A room, Ana in it from a first session, and that session's query string."""
    code, _ = start(open_room())
    at = join(open_room(), "Ana", code)
    return code, at.session_state["room.member"], _query(at)


def test_joining_puts_the_room_and_the_member_in_the_address(db):
    code, ana, query = _joined(db)
    assert query == {"room": code, "me": ana.member_id}
    assert len(ana.member_id) == 32 and set(ana.member_id) <= set("0123456789abcdef")


def test_a_new_session_with_room_and_me_is_the_same_member_and_can_delete_its_run(db):
    code, ana, query = _joined(db)
    run = post_tiny(db, ana)
    seven = np.zeros((28, 28), np.uint8)
    seven[5:8, 6:22], seven[8:24, 15:18] = 255, 255
    db.add_drawing(ana, seven, 7)
    again = open_room(**query)  # a reload: Streamlit makes a new session
    assert f"Welcome back, Ana: you are in room {code} again." in words(again)
    assert f"You are in room **{code}** as **Ana**." in words(again)
    assert "Join the room" not in labels(again)
    assert sidebar_line(again) == [f":material/groups: Room {code} · as Ana"]
    assert again.session_state["room.member"] == ana
    assert _query(again) == query  # the next reload works too
    again.session_state["room.mine.open"] = True  # open "Your runs and drawings in the room"
    ok(again.run())
    assert f"Run #{run.run_id}: 91.00% on MNIST's test digits, 7,850 parameters." in words(again)
    click(again, "Delete this run")
    assert db.runs(code) == ()
    click(again, "Delete")  # the drawing's button
    assert db.drawings(code) == ()
    assert "Nothing yet" in words(again)
    assert not again.error and "Welcome back" not in words(again)  # said once, not on every run


def test_a_reload_asks_the_store_once(db, monkeypatch):
    code, ana, query = _joined(db)
    from core.room import Store

    calls = []
    real = Store.rejoin
    monkeypatch.setattr(
        Store, "rejoin", lambda self, c, m: calls.append((c, m)) or real(self, c, m)
    )
    again = open_room(**query)
    ok(again.run())
    ok(again.run())
    assert calls == [(code, ana.member_id)]


def _refused(at, note: str, code: str) -> None:
    """The join form with ``note`` and the code filled in; no ``me`` in the URL, no traceback."""
    ok(at)
    assert note in words(at), words(at)
    assert "Join the room" in labels(at) and "room.member" not in at.session_state
    assert "me" not in at.query_params
    assert at.text_input(key="room.join.code").value == code


@pytest.mark.parametrize(
    "me", ["0123456789ABCDEF" * 2, "abc", "<script>alert(1)</script>", "f" * 33, " "]
)
def test_a_damaged_me_is_ignored_with_a_note(db, me):
    code, _, _ = _joined(db)
    at = open_room(room=code, me=me)
    _refused(at, "This link's place in a room could not be read (it is damaged)", code)
    assert "<script>" not in words(at)  # the bad text is not quoted back


def test_an_unknown_me_gives_the_join_form(db):
    code, _, _ = _joined(db)
    at = open_room(room=code, me="0" * 32)
    _refused(at, f"Your place in room {code} has ended", code)
    join(at, "Bo")
    assert "as **Bo**" in words(at)


def test_a_member_who_left_is_not_taken_back(db):
    code, ana, query = _joined(db)
    db.leave(ana)
    at = open_room(**query)
    _refused(at, f"Your place in room {code} has ended (you left it", code)
    join(at, "Ana")  # the nickname is free again
    assert "as **Ana**" in words(at)


def test_leaving_takes_me_out_of_the_address(db):
    code, _, query = _joined(db)
    at = open_room(**query)
    click(at, "Leave the room")
    assert "me" not in at.query_params and "room" not in at.query_params


def test_a_room_that_is_gone_says_so(db):
    code, token = start(open_room())
    at = join(open_room(), "Ana", code)
    query = _query(at)
    db.delete_room(code, token)
    again = open_room(**query)
    ok(again)
    assert f"No room has the code {code}." in words(again)
    assert "Start a room" in labels(again) and not again.query_params


def test_the_join_link_and_its_qr_never_carry_me(db, monkeypatch):
    from ui import room_board

    encoded = []
    real = room_board.qr_png
    monkeypatch.setattr(
        room_board, "qr_png", lambda address: encoded.append(address) or real(address)
    )
    code, ana, query = _joined(db)
    at = open_room(**query)
    assert at.session_state["room.member"] == ana
    shown = words(at) + "".join(h.value for h in at.html)
    assert f"/room?room={code}**" in shown  # "Open **<join link>** or scan the code"
    assert ana.member_id not in shown and "me=" not in shown
    assert encoded and all(a.endswith(f"/room?room={code}") for a in encoded)
    assert len(at.image) == 1  # the QR code


def test_a_room_deleted_while_watching_says_so_once_and_clears_the_address(db):
    code, token = start(open_room())
    at = join(open_room(), "Ana", code)
    db.delete_room(code, token)
    ok(at.run())  # the board finds the room gone
    assert words(at).count(f"No room has the code {code}.") == 1
    assert not at.query_params and "Start a room" in labels(at)
