"""Jobs and the server's clock: the queue's wait from jobs' estimates, the time limit per run, and the
estimate against a real run."""

from __future__ import annotations

import numpy as np
import pytest

from core import data
from core.evaluation import loss_and_accuracy, predict_probs
from core.keras_model import build_model
from core.presets import WORKSHOP_CNN
from core.training import QUICK, JobSlots, TrainingJob, TrainSettings, texts
from core.training.estimate import QueueWait, Speed, estimate_run
from core.training.limit import RUN_LIMIT_ENV
from core.training.speeds import SpeedBook, speed_key
from tests.helpers_training import DEADLINE, TINY, small_mnist, wait_until


@pytest.fixture(scope="module")
def small():
    return small_mnist()


def test_a_queued_job_counts_its_estimate_and_knows_its_own_wait(small):
    settings = TrainSettings("sgd", 0.01, 0.0, 32, 2, 1_000, 0)
    book = SpeedBook(measure=lambda *args: Speed(1.0))  # never asked: the speed is given
    speed = Speed(500.0, setup_s=1.0, eval_ips=3_000.0, eval_call_s=0.1)
    book.put(speed_key(TINY, settings), speed)
    slots = JobSlots(1, run_limit_s=None, speeds=book)
    assert slots.acquire("someone else", lambda: False, remaining=lambda: 30.0)
    job = TrainingJob(build_model(TINY, seed=0), settings)
    job.start(small, slots=slots)
    try:
        wait_until(lambda: job.snapshot().queue_position == 1)
        expected = estimate_run(speed, settings, len(small.y_test)).full_s  # 1 + 4 + 2 × 0.2 s
        assert expected == pytest.approx(5.4)
        assert slots.wait() == QueueWait(2, pytest.approx(30.0 + expected), 1)
        snap = job.snapshot()
        assert snap.queue_wait_s == pytest.approx(30.0)
        assert texts.progress_text(snap).endswith("(position 1 in the queue, about 30 s)")
    finally:
        job.request_stop()
        assert job.wait(10)
    assert slots.wait() == QueueWait(1, 30.0, 1)  # the stopped job left the queue


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.mark.slow
def test_the_limit_stops_a_run_within_a_batch_and_keeps_its_tested_weights(small):
    settings = TrainSettings("sgd", 0.01, 0.0, 50, 20, 2_000, 0)  # long: the limit stops it
    clock = Clock()
    job = TrainingJob(build_model(TINY, seed=0), settings, now=clock)
    job.start(small, slots=JobSlots(1, run_limit_s=60.0))
    wait_until(lambda: job.snapshot().examples_seen >= 500)
    assert job.snapshot().limit_left_s == 60.0
    clock.t = 61.0  # past the limit: the batch under way is the last
    seen_then = job.snapshot().examples_seen
    assert job.wait(DEADLINE)
    snap = job.snapshot()
    assert snap.status == "stopped", snap.message
    assert snap.message.startswith("Stopped at this server's time limit of 1 min per run")
    assert seen_then <= snap.examples_seen <= seen_then + settings.batch_size
    assert snap.usable  # the weights are kept, and tested on the test set:
    probs = predict_probs(job.built.model, small.x_test)
    loss, accuracy = loss_and_accuracy(probs, small.y_test)
    assert accuracy == pytest.approx(snap.test_accuracy) and accuracy > 0.2  # it learnt
    assert np.allclose(probs, snap.test_probs, atol=1e-5)


@pytest.mark.slow
def test_the_limit_from_the_environment_stops_a_real_run(small, monkeypatch):
    monkeypatch.setenv(RUN_LIMIT_ENV, "3")
    settings = TrainSettings("adam", 0.001, 0.0, 64, 50, 2_000, 0)  # far more than 3 s
    job = TrainingJob(build_model(WORKSHOP_CNN, seed=0), settings)
    job.start(small, slots=JobSlots(1))
    assert job.wait(DEADLINE)
    snap = job.snapshot()
    assert snap.status == "stopped" and "time limit of 3 s per run" in snap.message, snap.message
    assert snap.epoch < settings.epochs and snap.usable
    assert snap.train_seconds < 60  # order of magnitude only: stopped, not run to the end


@pytest.mark.slow
def test_the_estimate_is_within_a_factor_of_3_of_a_real_run():
    """The workshop CNN with the Quick recipe on 2,000 images and the whole test set, as the page
    would run it: the probe's estimate of the whole run against the run's wall time."""
    import time

    m = data.load_mnist()
    mnist = data.Mnist(m.x_train[:2_000], m.y_train[:2_000], m.x_test, m.y_test)
    settings = TrainSettings(**(QUICK.as_dict() | {"n_train": 2_000}))
    slots = JobSlots(1, run_limit_s=None)
    assert slots.speeds.request(WORKSHOP_CNN, settings, mnist) is None  # measured in the background
    key = speed_key(WORKSHOP_CNN, settings)
    speed = slots.speeds.wait(key, DEADLINE)
    assert speed is not None and speed.source == "probe"
    estimate = estimate_run(speed, settings, len(mnist.y_test)).full_s
    job = TrainingJob(build_model(WORKSHOP_CNN, seed=0), settings)
    start = time.monotonic()
    job.start(mnist, slots=slots)
    wait_until(lambda: job.snapshot().status != "queued")
    assert slots.wait().seconds is not None  # the running job tells the queue how long it has left
    assert job.wait(DEADLINE)
    actual = time.monotonic() - start
    assert job.snapshot().status == "finished", job.snapshot().message
    assert actual / 3 <= estimate <= actual * 3, (estimate, actual)
    assert slots.speeds.get(key).source == "run"  # the real run's speed replaces the probe's
