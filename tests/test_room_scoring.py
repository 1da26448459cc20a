"""Posted models scored on the room's drawings: the same guesses as predict, once, cascading away."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import text

from core.architecture import Architecture
from core.keras_model import build_model
from core.room import RoomError, model_from_entry, weights_to_bytes
from core.room.scoring import score_room
from tests.room_helpers import TINY_LINK, digit, joined

pytest_plugins = ["tests.room_fixtures"]


@pytest.fixture(scope="module")
def models():
    """Three small models with different weights (so their guesses differ)."""
    arch = Architecture.from_url(TINY_LINK)
    return [build_model(arch, seed=s).model for s in (1, 2, 3)]


@pytest.fixture
def scored_room(store, run_fields, models):
    """A room with three posted runs (one per model) and 40 drawings."""
    code, token, ana = joined(store)
    runs = [store.post_run(ana, **run_fields | {"weights": weights_to_bytes(m)}) for m in models]
    rng = np.random.default_rng(5)
    for i in range(40):
        store.add_drawing(ana, digit(i), int(rng.integers(0, 10)))
    return code, token, ana, runs


def load_from(store):
    return lambda entry: model_from_entry(entry.arch_json, store.run_weights(entry.run_id))


def _stored(store) -> dict[tuple[int, int], int]:
    with store._engine.connect() as conn:
        rows = conn.execute(text("SELECT run_id, drawing_id, predicted FROM predictions"))
        return {(r, d): p for r, d, p in rows}


def test_scores_match_predict_and_fill_the_board(store, scored_room, models):
    code, _, _, runs = scored_room
    before = store.board(code)
    assert set(before.room_accuracy.values()) == {None} and before.hardest == ()
    assert score_room(store, code, load_from(store)) == 3 * 40
    ids, x, y = store.drawing_arrays(code)
    stored = _stored(store)
    assert len(stored) == 3 * 40
    wrong = np.zeros(len(ids))
    board = store.board(code)
    for run, model in zip(runs, models, strict=True):
        expected = model.predict(x[..., None].astype(np.float32), verbose=0).argmax(axis=1)
        said = np.array([stored[(run.run_id, int(d))] for d in ids])
        np.testing.assert_array_equal(said, expected)
        assert board.room_accuracy[run.run_id] == pytest.approx(np.mean(said == y))
        wrong += said != y
    share = wrong / 3
    worst = sorted((-share[i], -int(ids[i])) for i in range(len(ids)) if share[i] > 0)[:12]
    assert [d for d, _, _ in board.hardest] == [-d for _, d in worst]
    assert [s for _, _, s in board.hardest] == pytest.approx([-s for s, _ in worst])
    assert all(label == int(y[list(ids).index(d)]) for d, label, _ in board.hardest)


def test_scoring_is_idempotent(store, scored_room):
    code = scored_room[0]
    first = score_room(store, code, load_from(store))
    version = store.version(code)
    assert first == 120 and store.missing_predictions(code) == []
    assert score_room(store, code, load_from(store)) == 0
    assert store.version(code) == version  # nothing new, nothing bumped


def test_a_second_server_saving_the_same_rows_does_not_fail(open_stores, scored_room):
    code = scored_room[0]
    one, two = open_stores(), open_stores()
    gaps = one.missing_predictions(code)  # both servers see the same gaps ...
    assert len(gaps) == 3 and all(len(ids) == 40 for _, ids in gaps)
    assert score_room(two, code, load_from(two)) == 120  # ... the second saves first
    for entry, ids in gaps:  # the first then saves the same rows (and other guesses): skipped
        assert one.save_predictions(entry.run_id, ids, np.zeros(len(ids), np.int64)) == 0
    assert len(_stored(one)) == 120
    assert one.board(code).room_accuracy == two.board(code).room_accuracy


def test_a_new_drawing_is_scored_alone(store, scored_room):
    code, _, ana, runs = scored_room
    score_room(store, code, load_from(store))
    new = store.add_drawing(ana, digit(99), 4)
    assert set(store.board(code).room_accuracy.values()) == {None}  # not scored on it yet
    gaps = store.missing_predictions(code)
    assert [(e.run_id, ids.tolist()) for e, ids in gaps] == [
        (r.run_id, [new.drawing_id]) for r in reversed(runs)
    ]
    assert score_room(store, code, load_from(store)) == 3
    assert None not in store.board(code).room_accuracy.values()


def test_deleting_a_drawing_or_a_run_takes_its_scores(store, scored_room):
    code, token, ana, runs = scored_room
    score_room(store, code, load_from(store))
    drawing = store.drawings(code)[0]
    store.delete_own_drawing(ana, drawing.drawing_id)
    assert len(_stored(store)) == 3 * 39
    assert all(d != drawing.drawing_id for _, d in _stored(store))
    store.remove_run(code, token, runs[0].run_id)
    assert len(_stored(store)) == 2 * 39
    with pytest.raises(RoomError):
        store.run_weights(runs[0].run_id)  # its weights went with it
    assert None not in store.board(code).room_accuracy.values()  # the rest are still scored


def test_a_model_that_cannot_load_is_skipped(store, scored_room, caplog):
    code, _, _, runs = scored_room
    load = load_from(store)

    def flaky(entry):
        if entry.run_id == runs[1].run_id:
            raise RoomError("These weights are not plain arrays of this architecture.")
        return load(entry)

    assert score_room(store, code, flaky) == 80
    accuracy = store.board(code).room_accuracy
    assert accuracy[runs[1].run_id] is None and accuracy[runs[0].run_id] is not None
    assert f"run {runs[1].run_id} could not be scored" in caplog.text


def test_saving_bad_guesses_is_refused(store, scored_room):
    code, _, _, runs = scored_room
    ids = store.drawing_arrays(code)[0]
    for predicted in (np.full(len(ids), 10), np.zeros(len(ids) - 1, np.int64), ids * 0.5):
        with pytest.raises(RoomError):
            store.save_predictions(runs[0].run_id, ids, predicted)
    assert store.save_predictions(10_000, ids, np.zeros(len(ids), np.int64)) == 0  # run gone
    assert store.save_predictions(runs[0].run_id, [10_000], [3]) == 0  # drawing gone


def test_a_board_without_drawings(store, run_fields):
    code, _, ana = joined(store)
    run = store.post_run(ana, **run_fields)
    board = store.board(code)
    assert board.n_drawings == 0 and board.drawings_per_digit == (0,) * 10
    assert board.room_accuracy == {run.run_id: None} and board.hardest == ()
    assert store.missing_predictions(code) == [] and score_room(store, code, load_from(store)) == 0
