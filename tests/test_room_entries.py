"""core.room.Store on SQLite and PostgreSQL: posted runs, drawings, own entries and answers."""

from __future__ import annotations

import numpy as np
import pytest

from core.room import Member, NotAllowed, RoomError
from tests.hostile import assert_clear
from tests.room_helpers import digit, joined

pytest_plugins = ["tests.room_fixtures"]


def test_runs_are_posted_listed_and_fetched(store, run_fields):
    code, _, ana = joined(store)
    entry = store.post_run(ana, **run_fields)
    assert (entry.room_code, entry.nickname, entry.params) == (code, "Ana", run_fields["params"])
    assert entry.weight_bytes == len(run_fields["weights"])
    assert entry.test_accuracy == pytest.approx(0.91) and entry.arch_json == run_fields["arch_json"]
    second = store.post_run(ana, **run_fields | {"test_accuracy": 0.5})
    assert [r.run_id for r in store.runs(code)] == [second.run_id, entry.run_id]  # newest first
    assert store.run_weights(entry.run_id) == run_fields["weights"]
    with pytest.raises(RoomError):
        store.run_weights(10_000)


@pytest.mark.parametrize(
    "change, words",
    [
        ({"test_accuracy": 1.5}, ["accuracy"]),
        ({"test_accuracy": float("nan")}, ["accuracy"]),
        ({"test_loss": -1.0}, ["loss"]),
        ({"train_seconds": float("inf")}, ["time"]),
        ({"settings_json": "{broken"}, ["settings"]),
        ({"settings_json": "[1, 2]"}, ["settings"]),
        ({"params": 12}, ["12", "parameters"]),
        ({"params": True}, ["parameter"]),
        ({"arch_json": "{}"}, ["architecture"]),
        ({"arch_json": "x" * 30_000}, ["architecture", "too long"]),
        ({"weights": b"not an npz"}, ["arrays"]),
        ({"weights": "text"}, ["arrays"]),
    ],
)
def test_bad_runs_are_refused_with_the_reason(store, run_fields, change, words):
    code, _, ana = joined(store)
    with pytest.raises(RoomError) as err:
        store.post_run(ana, **run_fields | change)
    assert_clear(err.value, *words)
    assert store.runs(code) == ()


def test_drawings_are_added_listed_and_read_as_arrays(store):
    code, _, ana = joined(store)
    bo = store.join(code, "Bo")
    first = store.add_drawing(ana, digit(1), 3)
    second = store.add_drawing(bo, digit(2).astype(np.int64), np.int64(7))
    assert (first.label, first.nickname, second.nickname) == (3, "Ana", "Bo")
    assert [d.drawing_id for d in store.drawings(code)] == [second.drawing_id, first.drawing_id]
    np.testing.assert_array_equal(store.drawings(code)[1].image, digit(1))
    ids, x, y = store.drawing_arrays(code)
    assert ids.tolist() == [first.drawing_id, second.drawing_id]
    assert x.shape == (2, 28, 28) and x.dtype == np.uint8 and y.tolist() == [3, 7]
    np.testing.assert_array_equal(x[1], digit(2))
    board = store.board(code)
    assert board.n_drawings == 2 and board.drawings_per_digit == (0, 0, 0, 1, 0, 0, 0, 1, 0, 0)


@pytest.mark.parametrize(
    "image, label, words",
    [
        (np.zeros((28, 28), np.uint8), 1, ["blank"]),
        (np.ones((28, 27), np.uint8), 1, ["28×28"]),
        (np.full((28, 28), 300), 1, ["255"]),
        (np.full((28, 28), 0.5), 1, ["255"]),
        (np.full((28, 28), "a"), 1, ["28×28"]),
        ([[1] * 28] * 28, 1, ["28×28"]),
        (digit(), 10, ["digit"]),
        (digit(), -1, ["digit"]),
        (digit(), True, ["digit"]),
        (digit(), "3", ["digit"]),
    ],
)
def test_bad_drawings_are_refused(store, image, label, words):
    code, _, ana = joined(store)
    with pytest.raises(RoomError) as err:
        store.add_drawing(ana, image, label)
    assert_clear(err.value, *words)
    assert store.drawings(code) == ()


def test_own_entries_only(store, run_fields):
    code, _, ana = joined(store)
    bo = store.join(code, "Bo")
    run = store.post_run(ana, **run_fields)
    drawing = store.add_drawing(ana, digit(), 2)
    with pytest.raises(NotAllowed) as err:
        store.delete_own_run(bo, run.run_id)
    assert_clear(err.value, "own")
    with pytest.raises(NotAllowed):
        store.delete_own_drawing(bo, drawing.drawing_id)
    forged = Member(code, "f" * 32, "Ana")  # not a member id the room handed out
    with pytest.raises(RoomError):
        store.delete_own_run(forged, run.run_id)
    assert [r.run_id for r in store.runs(code)] == [run.run_id]
    store.delete_own_run(ana, run.run_id)
    store.delete_own_drawing(ana, drawing.drawing_id)
    assert store.runs(code) == () and store.drawings(code) == ()
    with pytest.raises(RoomError):
        store.delete_own_run(ana, run.run_id)  # already gone


def test_entries_of_a_member_who_left_stay(store, run_fields):
    code, _, ana = joined(store)
    run = store.post_run(ana, **run_fields)
    store.add_drawing(ana, digit(), 5)
    store.leave(ana)
    assert [r.nickname for r in store.runs(code)] == ["Ana"] and store.run_weights(run.run_id)
    assert len(store.drawings(code)) == 1
    with pytest.raises(RoomError) as err:
        store.add_drawing(ana, digit(), 5)
    assert_clear(err.value, "join")


def test_answers_one_per_member_and_question(store):
    code, _, ana = joined(store)
    bo = store.join(code, "Bo")
    store.record_answer(ana, "pool", "yes")
    store.record_answer(bo, "pool", "no")
    store.record_answer(ana, "pool", "no")  # replaces Ana's
    store.record_answer(ana, "dense", "3")
    found = store.answers(code)
    assert sorted(found["pool"]) == ["no", "no"] and found["dense"] == ("3",)
    for question, value in [("", "1"), ("q", "x" * 500), ("q\u202e", "1"), ("q", 5)]:
        with pytest.raises(RoomError):
            store.record_answer(ana, question, value)
