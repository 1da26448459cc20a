"""pages/room.py under AppTest: start, join, links, refusals, presenter actions, a database down.

Every test points the store at its own SQLite file through ``$LAYER_BY_LAYER_ROOM_DB`` (the app
keeps one Store per URL), and keeps a Store of its own on the same file to set up and check
(``tests/room_page.py``). Posting a trained run and adding a drawing: ``test_page_room_entries.py``.
"""

from __future__ import annotations

import io
import time
from urllib.parse import parse_qs

import numpy as np
import pytest

from core.room import RoomError
from tests.room_page import (
    ENV,
    TINY,
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
from ui import room_state

pytestmark = pytest.mark.page
pytest_plugins = ["tests.room_page_fixtures"]  # db: the app's database and a Store on it


def test_start_a_room_shows_the_code_link_qr_and_the_controls(db):
    at = open_room()
    assert at.title[0].value == "Room"
    code, token = start(at)
    assert len(code) == 6 and db.room(code).state == "open"
    assert db.is_presenter(code, token)
    assert any(code in h.value for h in at.html)  # the big code
    assert f"/room?room={code}" in words(at)  # the join link
    assert len(at.image) == 1  # its QR code
    assert at.query_params["room"] == [code] or at.query_params["room"] == code
    assert "presenter" not in at.query_params
    assert {"Pause posting", "Close the room", "Delete the room"} <= set(labels(at))
    assert token not in words(at)  # the private link sits in a popover, not on the page itself
    assert sidebar_line(at) == [f":material/groups: Room {code} · presenter"]


def test_join_with_a_typed_code_and_no_controls_for_a_participant(db):
    code, _ = start(open_room())
    at = join(open_room(), "Ana", code.lower())
    assert f"You are in room **{code}** as **Ana**." in words(at)
    assert not {"Pause posting", "Close the room", "Delete the room"} & set(labels(at))
    assert [m.nickname for m in [at.session_state["room.member"]]] == ["Ana"]
    assert sidebar_line(at) == [f":material/groups: Room {code} · as Ana"]
    click(at, "Leave the room")
    assert "Start a room" in labels(at) and "room.code" not in at.session_state


def test_join_link_fills_in_the_code(db):
    code, _ = start(open_room())
    at = open_room(room=code)
    assert at.text_input(key="room.join.code").value == code
    join(at, "Bo")
    assert "as **Bo**" in words(at)


@pytest.mark.parametrize(
    "nickname", ["", "   ", "A" * 10_000, "Ana\u202e", "zero\u200bwidth", "bell\x07"]
)
def test_a_bad_nickname_is_refused_with_its_reason(db, nickname):
    code, _ = start(open_room())
    at = join(open_room(), nickname, code)
    assert at.error and "room.member" not in at.session_state
    assert "Traceback" not in words(at)


def test_a_taken_nickname_is_refused_and_hostile_ones_stay_inert(db):
    code, _ = start(open_room())
    join(open_room(), "Ana", code)
    taken = join(open_room(), "ana", code)
    assert "taken" in " ".join(e.value for e in taken.error)
    hostile = join(open_room(), "<b>Bo</b>", code)
    assert "as **\\<b\\>Bo\\</b\\>**" in words(hostile)  # escaped, never live HTML


def test_a_wrong_code_says_so_and_the_session_is_rate_limited(db, monkeypatch):
    code, _ = start(open_room())
    at = open_room()
    for attempt in ("ZZZZZZ", "abc", "YYYYYY", "XXXXXX", "WWWWWW"):
        join(at, "Cy", attempt)
        assert at.error and "wait" not in at.error[0].value, attempt
    join(at, "Cy", code)  # even the right code waits now
    assert "wait" in at.error[0].value and "room.member" not in at.session_state
    later = time.monotonic() + room_state.WRONG_WINDOW_S + 1
    monkeypatch.setattr(room_state.time, "monotonic", lambda: later)
    join(at, "Cy", code)
    assert "as **Cy**" in words(at)


def test_a_wrong_link_code_is_refused_and_dropped_from_the_address(db):
    at = open_room(room="ZZZZZZ")
    assert at.error and "room" not in at.query_params
    bad = open_room(room="<script>")
    assert any("could not be read" in w.value for w in bad.warning)


def test_the_presenter_link_gives_the_controls_and_leaves_the_address_bar(db):
    code, token = start(open_room())
    at = open_room(room=code, presenter=token)
    assert "presenter" not in at.query_params
    assert {"Pause posting", "Close the room"} <= set(labels(at))
    assert at.session_state["room.token"] == token


@pytest.mark.parametrize("token", ["wrong-token-0123456789ab", "<script>", "x" * 500])
def test_a_wrong_presenter_token_is_refused(db, token):
    code, _ = start(open_room())
    at = open_room(room=code, presenter=token)
    assert "presenter" not in at.query_params
    assert "Pause posting" not in labels(at)
    assert at.error or at.warning
    assert "room.token" not in at.session_state


def test_presenter_exports_removes_pauses_closes_and_deletes(db):
    at = open_room()
    code, token = start(at)
    ana = db.join(code, "Ana")
    post_tiny(db, ana)
    drawing = db.add_drawing(ana, np.eye(28, dtype=np.uint8) * 255, 3)
    ok(at.run())
    board = at.dataframe[0].value
    assert board["Nickname"].tolist() == ["Ana"]
    assert board["Build"].tolist() == [f"build?arch={TINY.to_url()}"]  # choosing it opens Build
    (link,) = [p for p in at.page_link if p.value == "Open in Build"]
    assert link.proto.page == "build"
    assert parse_qs(link.proto.query_string) == {"arch": [TINY.to_url()]}

    click(at, "Prepare the downloads")
    assert {"Results (.csv)", "Handwriting (.npz)"} <= {d.label for d in at.download_button}
    _, csv_text, npz_bytes = at.session_state["room.presenter.files"]
    assert "Ana" in csv_text
    arrays = np.load(io.BytesIO(npz_bytes), allow_pickle=False)
    assert arrays["x"].shape == (1, 28, 28) and arrays["x"].dtype == np.uint8
    assert arrays["y"].tolist() == [3]

    click(at, "Pause posting")
    assert db.room(code).state == "paused"
    with pytest.raises(RoomError):
        db.add_drawing(ana, np.zeros((28, 28), np.uint8), 1)
    click(at, "Reopen the room")
    assert db.room(code).state == "open"

    click(at, "Remove this run")
    assert db.runs(code) == ()
    at.session_state["room.presenter.drawings"] = True  # open "Remove a drawing"
    ok(at.run())
    assert at.selectbox(key="room.presenter.drawing").value == drawing.drawing_id
    click(at, "Remove this drawing")
    assert db.drawings(code) == ()

    click(at, "Close the room")
    assert db.room(code).state == "closed"
    with pytest.raises(RoomError):
        db.join(code, "Late")
    at.checkbox(key="room.presenter.confirm").check()
    click(ok(at.run()), "Delete the room")
    assert "deleted" in words(at) and "Start a room" in labels(at)
    with pytest.raises(RoomError):
        db.room(code)


def test_presentation_mode_shows_the_board_large_without_controls(db):
    at = open_room()
    code, _ = start(at)
    post_tiny(db, db.join(code, "<i>Ana</i>"))
    at.toggle(key="room.present").set_value(True)
    ok(at.run())
    assert not at.title and "Pause posting" not in labels(at)
    table = next(h.value for h in at.html if "room-big" in h.value)
    assert "&lt;i&gt;Ana&lt;/i&gt;" in table and "<i>Ana" not in table
    assert any(code in h.value and "6rem" in h.value for h in at.html)  # the code, larger


def test_a_presenter_token_that_stops_working_is_refused_not_crashed(db):
    at = open_room()
    code, _ = start(at)
    at.session_state["room.token"] = "someone-elses-token-0000"
    click(ok(at.run()), "Pause posting")
    assert at.error and db.room(code).state == "open"


def test_the_database_down_is_said_and_the_rest_works(db, monkeypatch):
    code, _ = start(open_room())
    at = join(open_room(), "Ana", code)
    monkeypatch.setenv(ENV, "postgresql+psycopg://learner:s3cret-pw@127.0.0.1:9/rooms")
    ok(at.run())
    down = " ".join(e.value for e in at.error)
    assert "unavailable" in down and "s3cret-pw" not in down
    assert at.session_state["room.member"].nickname == "Ana"  # nothing of the session is lost
    ok(at.switch_page("pages/build.py").run())
    assert at.title[0].value == "Build"
    fresh = open_room()
    assert "unavailable" in " ".join(e.value for e in fresh.error)
