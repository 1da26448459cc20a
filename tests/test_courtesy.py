"""core.training.courtesy: a job waits while a page run is in progress, never longer than its bound."""

from __future__ import annotations

import threading
import time

import pytest

from core.training.courtesy import Courtesy


def test_no_wait_when_nothing_runs():
    c = Courtesy(max_wait_s=1.0)
    assert c.give_way() == 0.0
    assert c.active == 0


def test_waits_until_the_run_ends():
    c = Courtesy(max_wait_s=5.0, step_s=0.001)
    started, release = threading.Event(), threading.Event()

    def page_run():
        with c.running():
            started.set()
            release.wait(5)

    thread = threading.Thread(target=page_run)
    thread.start()
    started.wait(5)
    timer = threading.Timer(0.1, release.set)
    timer.start()
    waited = c.give_way()
    thread.join(5)
    assert waited >= 0.09  # it waited for the run...
    assert waited < 5.0  # ...and stopped waiting when the run ended, not at the bound
    assert c.active == 0
    assert c.waited_s == pytest.approx(waited)


def test_the_wait_is_bounded_while_runs_never_stop():
    c = Courtesy(max_wait_s=0.05, step_s=0.001)
    with c.running():
        began = time.monotonic()
        waited = c.give_way()
        assert 0.05 <= waited <= time.monotonic() - began


def test_a_failing_run_is_still_counted_out():
    c = Courtesy()
    with pytest.raises(ValueError), c.running():
        assert c.active == 1
        raise ValueError("a page failed")
    assert c.active == 0


def test_runs_in_many_threads_count_exactly():
    c = Courtesy()
    barrier = threading.Barrier(8)

    def run():
        for _ in range(200):
            with c.running():
                pass
        barrier.wait(5)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert c.active == 0
