"""Thirty participants at once: nothing lost, no "database is locked", caps never overshot."""

from __future__ import annotations

import threading
from collections.abc import Callable

from core.room import Limits, RoomError
from tests.room_helpers import digit

pytest_plugins = ["tests.room_fixtures"]

PEOPLE = 30
DRAWINGS_EACH = 3


def _all_at_once(work: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    """Runs ``work(i)`` for i in 0..29 in 30 threads released together; results and errors."""
    barrier = threading.Barrier(PEOPLE)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        try:
            value = work(i)
        except BaseException as err:  # noqa: BLE001 - every failure is collected and reported
            with lock:
                errors.append(err)
        else:
            with lock:
                results.append(value)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a participant never finished"
    return results, errors


def test_thirty_post_and_draw_at_once(store, run_fields):
    room, _ = store.start_room()
    start = store.version(room.code)

    def participant(i: int) -> int:
        member = store.join(room.code, f"Person {i}")
        run = store.post_run(member, **run_fields)
        for k in range(DRAWINGS_EACH):
            store.add_drawing(member, digit(i * 10 + k), (i + k) % 10)
        store.record_answer(member, "q", str(i % 3))
        return run.run_id

    results, errors = _all_at_once(participant)
    assert errors == [], [str(e) for e in errors[:3]]
    board = store.board(room.code)
    assert len(board.runs) == PEOPLE and sorted(r.run_id for r in board.runs) == sorted(results)
    assert board.n_drawings == PEOPLE * DRAWINGS_EACH
    assert sorted(board.drawings_per_digit) == [9] * 10
    assert len(store.answers(room.code)["q"]) == PEOPLE
    writes = PEOPLE * (1 + 1 + DRAWINGS_EACH + 1)
    assert board.version == start + writes  # every change counted once: no lost update


def test_caps_are_not_overshot_by_thirty_at_once(open_stores, run_fields):
    store = open_stores(Limits(max_runs=10, max_drawings=12))
    room, _ = store.start_room()
    members = [store.join(room.code, f"P{i}") for i in range(PEOPLE)]

    def post(i: int) -> None:
        store.post_run(members[i], **run_fields)

    def draw(i: int) -> None:
        store.add_drawing(members[i], digit(i), i % 10)

    for work, cap, word in ((post, 10, "10 runs"), (draw, 12, "12 drawings")):
        done, errors = _all_at_once(work)
        assert len(done) == cap and len(errors) == PEOPLE - cap
        assert all(type(e) is RoomError and word in str(e) for e in errors), errors[:3]
    board = store.board(room.code)
    assert len(board.runs) == 10 and board.n_drawings == 12


def test_thirty_join_with_one_nickname(store):
    room, _ = store.start_room()
    done, errors = _all_at_once(lambda i: store.join(room.code, "Ana" if i % 2 else "ANA"))
    assert len(done) == 1 and len(errors) == PEOPLE - 1
    assert {str(e) for e in errors} <= {
        "Ana is taken in this room; pick another nickname.",
        "ANA is taken in this room; pick another nickname.",
    }


def test_rooms_started_at_once_stay_under_the_cap(open_stores):
    rooms = 3
    store = open_stores(Limits(max_rooms=rooms))
    done, errors = _all_at_once(lambda i: store.start_room())
    assert len(done) == rooms and len(errors) == PEOPLE - rooms
    assert all("limit" in str(e) for e in errors)
