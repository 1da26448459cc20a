"""core.training.slots.JobSlots: first come first served, positions, giving up without the lock."""

from __future__ import annotations

import threading

import pytest

from core.keras_model import build_model
from core.training import JobSlots, TrainingJob, TrainSettings
from tests.helpers_training import DEADLINE, TINY, small_mnist, wait_until


def waiter(slots: JobSlots, key: str, give_up, results: dict) -> threading.Thread:
    """A started thread that waits for a slot and records whether it got one."""

    def wait() -> None:
        results[key] = slots.acquire(key, give_up, poll_s=0.02)

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    return thread


def test_slots_are_first_come_first_served_with_positions():
    slots = JobSlots(1)
    assert slots.acquire("a", lambda: False)
    got: dict[str, bool] = {}
    give_up_c = threading.Event()
    b = waiter(slots, "b", lambda: False, got)
    wait_until(lambda: slots.position("b") == 1)
    c = waiter(slots, "c", give_up_c.is_set, got)
    wait_until(lambda: slots.position("c") == 2)
    assert slots.counts() == (1, 2)
    give_up_c.set()  # c leaves the queue
    c.join(5)
    assert got == {"c": False}
    assert slots.position("c") is None and slots.counts() == (1, 1)
    assert slots.position("b") == 1
    slots.release("a")
    b.join(5)
    assert got == {"c": False, "b": True} and slots.counts() == (1, 0)


def test_with_two_slots_the_third_waits_and_nobody_is_overtaken():
    slots = JobSlots(2)
    assert slots.acquire("a", lambda: False) and slots.acquire("b", lambda: False)
    got: dict[str, bool] = {}
    c = waiter(slots, "c", lambda: False, got)
    wait_until(lambda: slots.position("c") == 1)
    d = waiter(slots, "d", lambda: False, got)
    wait_until(lambda: slots.position("d") == 2)
    slots.release("b")
    c.join(5)
    assert got == {"c": True} and slots.position("d") == 1 and slots.counts() == (2, 1)
    slots.release("a")
    d.join(5)
    assert got == {"c": True, "d": True} and slots.counts() == (2, 0)


def test_a_free_slot_is_taken_without_asking_give_up():
    asked = []
    slots = JobSlots(1)
    assert slots.acquire("a", lambda: asked.append(1) or True)
    assert asked == [] and slots.counts() == (1, 0)
    slots.release("a")
    slots.release("a")  # a second release is harmless
    assert slots.counts() == (0, 0)


def test_give_up_is_asked_without_the_queue_lock():
    """The callback may wait on another thread that asks the queue (as a page polling a
    snapshot does): with the lock held during the callback, that thread would block."""
    slots = JobSlots(1)
    assert slots.acquire("holder", lambda: False)
    answers: list = []
    blocked: list[bool] = []

    def give_up() -> bool:
        asker = threading.Thread(
            target=lambda: answers.append((slots.position("b"), slots.counts()))
        )
        asker.start()
        asker.join(5)
        blocked.append(asker.is_alive())
        answers.append(("same thread", slots.position("b"), slots.counts()))
        return True

    got: dict[str, bool] = {}
    waiter(slots, "b", give_up, got).join(20)
    assert got == {"b": False}
    assert blocked == [False]
    assert answers == [(1, (1, 1)), ("same thread", 1, (1, 1))]
    assert slots.counts() == (1, 0) and slots.position("b") is None


def test_give_up_may_release_a_slot_and_then_get_it():
    slots = JobSlots(1)
    assert slots.acquire("holder", lambda: False)

    def give_up() -> bool:
        slots.release("holder")  # e.g. a stop that frees the only slot from this very thread
        return False

    got: dict[str, bool] = {}
    waiter(slots, "b", give_up, got).join(20)
    assert got == {"b": True} and slots.counts() == (1, 0)


def test_a_failing_give_up_leaves_the_queue():
    slots = JobSlots(1)
    assert slots.acquire("holder", lambda: False)

    def give_up() -> bool:
        raise RuntimeError("broken check")

    with pytest.raises(RuntimeError, match="broken check"):
        slots.acquire("b", give_up)
    assert slots.counts() == (1, 0) and slots.position("b") is None


# --- jobs in the queue ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    return small_mnist()


@pytest.mark.slow
def test_queue_limit_holds_with_several_jobs(small):
    slots = JobSlots(1)
    settings = TrainSettings("sgd", 0.01, 0.0, 8, 50, 2_000, 0)  # long: it is stopped below
    first, second = (TrainingJob(build_model(TINY, seed=i), settings) for i in (0, 1))
    first.start(small, slots=slots)
    wait_until(lambda: first.snapshot().status == "running")
    second.start(small, slots=slots)
    wait_until(lambda: second.snapshot().queue_position == 1)
    snap = second.snapshot()
    assert snap.status == "queued" and snap.examples_seen == 0
    assert first.snapshot().queue_position is None
    first.request_stop()
    assert first.wait(DEADLINE) and first.snapshot().status == "stopped"
    wait_until(lambda: second.snapshot().status != "queued")
    second.request_stop()
    assert second.wait(DEADLINE) and second.snapshot().status == "stopped"
    assert slots.counts() == (0, 0)


def test_a_queued_job_can_be_stopped_before_it_starts(small):
    slots = JobSlots(1)
    assert slots.acquire("someone else", lambda: False)
    job = TrainingJob(build_model(TINY, seed=0), TrainSettings(n_train=100, epochs=1))
    job.start(small, slots=slots)
    wait_until(lambda: job.snapshot().queue_position == 1)
    job.request_stop()
    assert job.wait(10)
    snap = job.snapshot()
    assert snap.status == "stopped" and snap.message == "Stopped before it started."
    assert snap.queue_position is None and snap.examples_seen == 0
    assert slots.counts() == (1, 0)
