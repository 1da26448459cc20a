"""Every cap, checked in the same transaction as the insert, with a clear message when reached."""

from __future__ import annotations

import time

import pytest

from core.room import Limits, RoomError
from tests.hostile import assert_clear
from tests.room_helpers import digit, joined

pytest_plugins = ["tests.room_fixtures"]


def test_rooms_per_server(open_stores):
    store = open_stores(Limits(max_rooms=2))
    store.start_room(), store.start_room()
    with pytest.raises(RoomError) as err:
        store.start_room()
    assert_clear(err.value, "2 rooms", "limit")
    other_server = open_stores(Limits(max_rooms=2))  # the cap counts every server's rooms
    with pytest.raises(RoomError):
        other_server.start_room()


def test_an_expired_room_frees_its_place(open_stores):
    store = open_stores(Limits(max_rooms=1, ttl_s=60))
    store.start_room(now=time.time() - 120)
    store.start_room()  # the old one is purged first


def test_runs_per_room(open_stores, run_fields):
    store = open_stores(Limits(max_runs=2))
    code, _, ana = joined(store)
    store.post_run(ana, **run_fields), store.post_run(ana, **run_fields)
    with pytest.raises(RoomError) as err:
        store.post_run(ana, **run_fields)
    assert_clear(err.value, "2 runs", "limit")
    other, _, bo = joined(store, "Bo")  # another room has its own count
    store.post_run(bo, **run_fields)
    assert len(store.runs(code)) == 2


def test_bytes_per_run(open_stores, run_fields):
    size = len(run_fields["weights"])
    store = open_stores(Limits(max_run_bytes=size - 1))
    _, _, ana = joined(store)
    with pytest.raises(RoomError) as err:
        store.post_run(ana, **run_fields)
    assert_clear(err.value, "MB", "smaller model")


def test_bytes_per_room(open_stores, run_fields):
    size = len(run_fields["weights"])
    store = open_stores(Limits(max_room_bytes=2 * size + 10))
    code, _, ana = joined(store)
    store.post_run(ana, **run_fields), store.post_run(ana, **run_fields)
    with pytest.raises(RoomError) as err:
        store.post_run(ana, **run_fields)
    assert_clear(err.value, "MB", "does not fit")
    store.delete_own_run(ana, store.runs(code)[0].run_id)  # deleting frees the space
    store.post_run(ana, **run_fields)


def test_drawings_per_room(open_stores):
    store = open_stores(Limits(max_drawings=3))
    code, _, ana = joined(store)
    for i in range(3):
        store.add_drawing(ana, digit(i), i)
    with pytest.raises(RoomError) as err:
        store.add_drawing(ana, digit(9), 9)
    assert_clear(err.value, "3 drawings", "limit")
    assert store.board(code).n_drawings == 3


def test_members_per_room(open_stores):
    store = open_stores(Limits(max_members=2))
    code, _, ana = joined(store)
    store.join(code, "Bo")
    with pytest.raises(RoomError) as err:
        store.join(code, "Cy")
    assert_clear(err.value, "2 members", "limit")


def test_limits_refuse_nonsense():
    for bad in (0, -1, 1.5, True, "3"):
        with pytest.raises(ValueError):
            Limits(max_runs=bad)
