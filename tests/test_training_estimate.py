"""The run-time estimate and the queue's wait: arithmetic with given speeds, texts, the speed book."""

from __future__ import annotations

import logging
import threading

import pytest

from core.presets import NOTEBOOK_CNN, WORKSHOP_CNN
from core.training import JobSlots, TrainSettings
from core.training.estimate import QueueWait, Speed, estimate_run, queue_wait
from core.training.estimate_texts import about, queue_line, run_line
from core.training.limit import RUN_LIMIT_ENV, limit_line, run_limit_from_env
from core.training.speeds import MAX_PENDING, SpeedBook, speed_key
from tests.helpers_training import wait_until

# 1,000 images/s; 2 s to set up; each test pass 1 s + 10,000 / 5,000 s, the first 0.5 s more.
SPEED = Speed(1_000.0, setup_s=2.0, eval_ips=5_000.0, eval_call_s=1.0, eval_setup_s=0.5)
THREE = TrainSettings("sgd", 0.01, 0.0, 32, 3, 6_000, 0)  # 6 s of training per epoch


# --- the run's estimate -----------------------------------------------------------------------


def test_the_estimate_adds_setup_training_and_every_test_pass():
    est = estimate_run(SPEED, THREE, 10_000)
    assert est.train_s == pytest.approx(18.0)
    assert est.test_s == pytest.approx(3 * 3.0 + 0.5)
    assert est.full_s == pytest.approx(2.0 + 18.0 + 9.5)
    assert est.expected_s == est.full_s and not est.cut and est.stop_epoch is None


def test_without_test_images_nothing_is_added_for_test_passes():
    assert estimate_run(SPEED, THREE, 0).full_s == pytest.approx(20.0)


@pytest.mark.parametrize(
    "limit, stop_epoch, expected",
    [
        (5.0, 1, 5.0 + 3.5),  # in epoch 1's training: a last test pass (the first: +0.5 s)
        (9.0, 1, 8.0 + 3.5),  # in epoch 1's test pass: the run stops when it ends
        (15.0, 2, 15.0 + 3.0),  # in epoch 2's training
        (27.0, None, 29.5),  # in the last test pass: the run ends anyway
        (1.0, 1, 2.0 + 3.5),  # during the set-up: the first batch ends it
        (100.0, None, 29.5),
    ],
)
def test_the_limit_cuts_the_run_where_it_falls(limit, stop_epoch, expected):
    est = estimate_run(SPEED, THREE, 10_000, limit_s=limit)
    assert est.stop_epoch == stop_epoch
    assert est.expected_s == pytest.approx(expected)
    assert est.full_s == pytest.approx(29.5)  # what the run would take without the limit


def test_the_run_line_says_how_long_and_how_it_was_measured():
    est = estimate_run(Speed(780.0, eval_ips=4_000.0), TrainSettings(), 10_000)
    line = run_line(est, 60_000, 10_000)
    assert line.startswith("This run will take **about 4 min** on this server")
    assert "3 epochs of 60,000 images at about 780 images/s" in line
    assert "a test pass over 10,000 images after each" in line
    assert "measured on a few batches of this model" in line


def test_the_run_line_says_when_the_limit_stops_it():
    est = estimate_run(Speed(780.0, eval_ips=4_000.0), TrainSettings(), 10_000, limit_s=120)
    line = run_line(est, 60_000, 10_000)
    assert "about 4 min" in line
    assert "this server stops runs after 2 min, so **it will stop early**, in epoch 2 of 3" in line
    assert "stop early" not in run_line(estimate_run(SPEED, THREE, 10_000, 100.0), 6_000, 10_000)


@pytest.mark.parametrize(
    "seconds, text",
    [(0, "5 s"), (41, "40 s"), (59, "1 min"), (247, "4 min 10 s"), (3_600, "1 h 00 min")],
)
def test_estimates_are_rounded(seconds, text):
    assert about(seconds) == text


# --- the queue's wait ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "running, waiting, slots, ahead, seconds, text",
    [
        ([], [], 1, 0, 0.0, "No queue: your run starts as soon as you press Train."),
        ([38.0], [], 1, 1, 38.0, "The queue: **1 run ahead of you, about 40 s** (1 training now)."),
        ([30.0], [10.0], 1, 2, 40.0, "The queue: **2 runs ahead of you, about 40 s** (1 training now)."),
        ([30.0], [], 2, 0, 0.0, "No queue: your run starts as soon as you press Train."),
        ([30.0], [10.0], 2, 2, 10.0, "The queue: **2 runs ahead of you, about 10 s** (1 training now)."),
        ([90.0, 20.0], [50.0, 5.0], 2, 4, 75.0, "The queue: **4 runs ahead of you, about 1 min 20 s** (2 training now)."),
    ],
)  # fmt: skip  # table: one case per row
def test_the_wait_for_0_1_2_and_more_runs_ahead(running, waiting, slots, ahead, seconds, text):
    wait = queue_wait(running, waiting, slots)
    assert (wait.ahead, wait.seconds) == (ahead, pytest.approx(seconds))
    assert queue_line(wait) == text


def test_a_wait_with_an_unmeasured_run_ahead_says_so():
    wait = queue_wait([30.0], [None], 1)
    assert wait == QueueWait(2, None, 1)
    assert queue_line(wait).endswith("how long they take is not known yet.")


def test_the_slots_add_up_the_remaining_time_of_running_and_waiting_jobs():
    slots = JobSlots(1, run_limit_s=None)
    assert slots.wait() == QueueWait(0, 0.0, 0)
    assert slots.acquire("a", lambda: False, remaining=lambda: 30.0)
    assert slots.wait() == QueueWait(1, 30.0, 1)
    got: dict[str, bool] = {}
    leave = threading.Event()

    def wait_in_line() -> None:
        got["b"] = slots.acquire("b", leave.is_set, poll_s=0.02, remaining=lambda: 10.0)

    thread = threading.Thread(target=wait_in_line, daemon=True)
    thread.start()
    wait_until(lambda: slots.position("b") == 1)
    assert slots.wait() == QueueWait(2, 40.0, 1)  # a new run waits for a, then b
    assert slots.wait("b") == QueueWait(1, 30.0, 1)  # b itself waits only for a
    leave.set()
    thread.join(5)
    assert got == {"b": False} and slots.wait() == QueueWait(1, 30.0, 1)
    slots.release("a")
    assert slots.wait() == QueueWait(0, 0.0, 0)


def test_a_job_without_a_remaining_time_is_not_known():
    slots = JobSlots(1, run_limit_s=None)
    assert slots.acquire("a", lambda: False)
    assert slots.wait() == QueueWait(1, None, 1)


# --- the time limit from the environment ----------------------------------------------------------


@pytest.mark.parametrize("text, seconds", [("120", 120.0), (" 90.5 ", 90.5), ("", None)])
def test_the_limit_is_read_from_the_environment(text, seconds):
    assert run_limit_from_env({RUN_LIMIT_ENV: text}) == seconds
    assert run_limit_from_env({}) is None


@pytest.mark.parametrize("text", ["2 minutes", "-5", "0", "inf", "nan", "1e999"])
def test_a_bad_limit_is_ignored_with_a_log_line(text, caplog):
    with caplog.at_level(logging.WARNING, logger="core.training.limit"):
        assert run_limit_from_env({RUN_LIMIT_ENV: text}) is None
    assert RUN_LIMIT_ENV in caplog.text and "ignored" in caplog.text


def test_the_slots_read_the_limit_unless_given_one(monkeypatch):
    monkeypatch.setenv(RUN_LIMIT_ENV, "150")
    assert JobSlots(1).run_limit_s == 150.0
    assert JobSlots(1, run_limit_s=None).run_limit_s is None
    assert JobSlots(1, run_limit_s=30.0).run_limit_s == 30.0
    monkeypatch.delenv(RUN_LIMIT_ENV)
    assert JobSlots(1).run_limit_s is None


def test_the_limit_line():
    assert limit_line(120).startswith("Runs on this server stop after 2 min")


# --- the speed book ----------------------------------------------------------------------------


class CountingMeasure:
    """A stand-in for the probe: a fixed speed, counted, optionally held back or failing."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[int, str]] = []
        self.release = threading.Event()
        self.fail = fail

    def __call__(self, arch, batch, optimizer, mnist) -> Speed:
        self.calls.append((batch, optimizer))
        self.release.wait(10)
        if self.fail:
            raise RuntimeError("no speed today")
        return Speed(100.0 * batch)


def test_the_book_measures_in_the_background_once_per_key():
    measure = CountingMeasure()
    book = SpeedBook(measure=measure, rest=0.0)
    settings = TrainSettings(batch_size=64)
    key = speed_key(WORKSHOP_CNN, settings)
    assert book.request(WORKSHOP_CNN, settings, mnist=None) is None  # returns at once
    assert book.status(key) == "pending"
    assert book.request(WORKSHOP_CNN, settings, mnist=None) is None  # not asked twice
    measure.release.set()
    assert book.wait(key, 10) == Speed(6_400.0)
    assert book.status(key) == "ready"
    assert book.request(WORKSHOP_CNN, settings, mnist=None) == Speed(6_400.0)
    assert measure.calls == [(64, "sgd")]


def test_large_batches_share_one_probe_and_optimizers_do_not():
    measure = CountingMeasure()
    measure.release.set()
    book = SpeedBook(measure=measure, rest=0.0)
    for settings in (TrainSettings(batch_size=512), TrainSettings(batch_size=4_096)):
        book.request(NOTEBOOK_CNN, settings, mnist=None)
        book.wait(speed_key(NOTEBOOK_CNN, settings), 10)
    adam = TrainSettings("adam", batch_size=512)
    book.request(NOTEBOOK_CNN, adam, mnist=None)
    book.wait(speed_key(NOTEBOOK_CNN, adam), 10)
    assert measure.calls == [(256, "sgd"), (256, "adam")]


def test_a_failed_probe_is_not_tried_again():
    measure = CountingMeasure(fail=True)
    measure.release.set()
    book = SpeedBook(measure=measure, rest=0.0)
    key = speed_key(WORKSHOP_CNN, TrainSettings())
    book.request(WORKSHOP_CNN, TrainSettings(), mnist=None)
    assert book.wait(key, 10) is None
    assert book.status(key) == "failed"
    assert book.request(WORKSHOP_CNN, TrainSettings(), mnist=None) is None
    assert len(measure.calls) == 1


def test_a_real_run_replaces_the_probed_training_speed_only():
    book = SpeedBook(measure=CountingMeasure())
    key = speed_key(WORKSHOP_CNN, TrainSettings())
    book.learn(key, 900.0)  # nothing probed yet: nothing to correct
    assert book.get(key) is None
    book.put(key, SPEED)
    book.learn(key, 900.0)
    assert book.get(key) == Speed(900.0, 2.0, 5_000.0, 1.0, 0.5, "run")


def test_the_book_keeps_a_bounded_number_of_speeds_and_requests():
    measure = CountingMeasure()  # held back: every request stays pending
    book = SpeedBook(measure=measure, rest=0.0, capacity=3)
    for i in range(5):
        book.put(("m", i, "sgd"), Speed(float(i + 1)))
    assert [book.get(("m", i, "sgd")) is not None for i in range(5)] == [False] * 2 + [True] * 3
    batches = range(1, MAX_PENDING + 10)
    book.request(WORKSHOP_CNN, TrainSettings(batch_size=1), mnist=None)
    wait_until(lambda: len(measure.calls) == 1)  # the worker measures batch 1; the rest wait
    for batch in batches[1:]:
        book.request(WORKSHOP_CNN, TrainSettings(batch_size=batch), mnist=None)
    status = [book.status(speed_key(WORKSHOP_CNN, TrainSettings(batch_size=b))) for b in batches]
    dropped = len(batches) - 1 - MAX_PENDING  # the oldest requests are forgotten
    assert status == ["pending"] + ["unknown"] * dropped + ["pending"] * MAX_PENDING
    measure.release.set()
