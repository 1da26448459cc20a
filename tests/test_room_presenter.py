"""Only the presenter's token removes, pauses, closes, deletes or exports; the token never shows."""

from __future__ import annotations

import csv
import io
import logging

import numpy as np
import pytest
from sqlalchemy import text

from core.architecture import Architecture
from core.room import NotAllowed, RoomError
from core.room.codes import hash_token
from tests.hostile import assert_clear
from tests.room_helpers import TINY_LINK, digit, joined

pytest_plugins = ["tests.room_fixtures"]


@pytest.fixture
def room(store, run_fields):
    """A room with two members, a run each and three drawings; and another room's token."""
    code, token, ana = joined(store, "Ana")
    bo = store.join(code, "Bo")
    runs = [store.post_run(ana, **run_fields), store.post_run(bo, **run_fields)]
    drawings = [store.add_drawing(m, digit(i), i) for i, m in enumerate([ana, bo, ana])]
    _, other_token = store.start_room()
    return {"code": code, "token": token, "other": other_token, "runs": runs, "drawings": drawings}


def _actions(store, room):
    code, run, drawing = room["code"], room["runs"][0].run_id, room["drawings"][0].drawing_id
    return {
        "remove_run": lambda t: store.remove_run(code, t, run),
        "remove_drawing": lambda t: store.remove_drawing(code, t, drawing),
        "pause": lambda t: store.set_state(code, t, "paused"),
        "close": lambda t: store.set_state(code, t, "closed"),
        "export_csv": lambda t: store.export_csv(code, t),
        "export_npz": lambda t: store.export_npz(code, t),
        "delete_room": lambda t: store.delete_room(code, t),
    }


@pytest.mark.parametrize("which", ["wrong", "other room's", "empty", "none", "long", "hash"])
def test_wrong_tokens_are_refused_and_change_nothing(store, room, which):
    token = {
        "wrong": room["token"][:-1] + ("A" if room["token"][-1] != "A" else "B"),
        "other room's": room["other"],
        "empty": "",
        "none": None,
        "long": "x" * 100_000,
        "hash": hash_token(room["token"]),  # the stored hash is not the token
    }[which]
    before = store.version(room["code"])
    for name, act in _actions(store, room).items():
        with pytest.raises(NotAllowed) as err:
            act(token)
        assert "presenter" in assert_clear(err.value).lower(), name
    assert not store.is_presenter(room["code"], token)
    assert store.version(room["code"]) == before
    assert len(store.runs(room["code"])) == 2 and len(store.drawings(room["code"])) == 3


def test_the_right_token_does_everything(store, room):
    code, token = room["code"], room["token"]
    assert store.is_presenter(code, token)
    store.remove_run(code, token, room["runs"][1].run_id)  # Bo's: the presenter removes anyone's
    store.remove_drawing(code, token, room["drawings"][1].drawing_id)
    assert [r.nickname for r in store.runs(code)] == ["Ana"] and len(store.drawings(code)) == 2
    with pytest.raises(RoomError) as err:
        store.remove_run(code, token, room["runs"][1].run_id)
    assert_clear(err.value, "not in this room")
    assert store.set_state(code, token, "paused").state == "paused"
    assert store.set_state(code, token, "closed").state == "closed"
    store.remove_drawing(code, token, room["drawings"][2].drawing_id)  # even when closed
    with pytest.raises(RoomError):
        store.set_state(code, token, "gone")
    store.delete_room(code, token)
    with pytest.raises(RoomError):
        store.room(code)


def test_an_entry_of_another_room_is_not_removed(store, room, run_fields):
    other_code, other_token, cy = joined(store, "Cy")
    theirs = store.post_run(cy, **run_fields)
    with pytest.raises(RoomError):
        store.remove_run(room["code"], room["token"], theirs.run_id)
    with pytest.raises(NotAllowed):  # their token does not reach into our room either
        store.remove_run(room["code"], other_token, room["runs"][0].run_id)
    assert [r.run_id for r in store.runs(other_code)] == [theirs.run_id]


def test_the_token_is_only_stored_hashed_and_never_shown(store, room, caplog, db_url):
    caplog.set_level(logging.DEBUG)
    code, token = room["code"], room["token"]
    with store._engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM rooms WHERE code = :c"), {"c": code})
        assert stored.scalar_one() == hash_token(token)
    store.room(code), store.board(code), store.export_csv(code, token)
    try:
        store.set_state(code, token + "x", "closed")
    except NotAllowed as err:
        assert token not in str(err) and token not in repr(err)
    shown = [repr(store), repr(store.room(code)), repr(store.board(code)), caplog.text]
    assert not any(token in s or hash_token(token) in s for s in shown)


def test_export_csv(store, room):
    code, token = room["code"], room["token"]
    rows = list(csv.reader(io.StringIO(store.export_csv(code, token))))
    assert rows[0] == [
        "nickname", "params", "test_accuracy", "test_loss", "room_accuracy", "train_seconds",
        "architecture", "created",
    ]  # fmt: skip  # the header, as one list
    body = rows[1:]
    assert [r[0] for r in body] == ["Bo", "Ana"]  # newest first
    assert body[0][1] == str(room["runs"][0].params) and body[0][2] == "0.9100"
    assert body[0][4] == ""  # not scored yet
    assert Architecture.from_url(body[0][6]) == Architecture.from_url(TINY_LINK)
    assert body[0][7].endswith("+00:00")


def test_export_csv_never_hands_a_spreadsheet_a_formula(store, run_fields):
    code, token, eve = joined(store, "=HYPERLINK(1)")
    store.post_run(eve, **run_fields)
    rows = list(csv.reader(io.StringIO(store.export_csv(code, token))))
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_export_npz_is_mnist_shaped_and_pickle_free(store, room):
    data = store.export_npz(room["code"], room["token"])
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        assert sorted(npz.files) == ["x", "y"]
        x, y = npz["x"], npz["y"]
    assert x.shape == (3, 28, 28) and x.dtype == np.uint8
    assert y.shape == (3,) and y.dtype == np.uint8 and y.tolist() == [0, 1, 2]
    np.testing.assert_array_equal(x[2], digit(2))
    empty_code, empty_token = store.start_room()
    with np.load(io.BytesIO(store.export_npz(empty_code.code, empty_token))) as npz:
        assert npz["x"].shape == (0, 28, 28) and npz["y"].shape == (0,)
