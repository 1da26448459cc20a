"""core.training: settings, the model check, the job queue, and real (small) training jobs in threads."""

from __future__ import annotations

import math
import threading
import time

import numpy as np
import pytest

from core import data
from core.architecture import Architecture, LayerSpec
from core.evaluation import loss_and_accuracy, predict_probs
from core.figures import training as figs
from core.keras_model import build_model
from core.presets import DENSE_ONLY, NOTEBOOK_CNN, WORKSHOP_CNN
from core.training import (
    QUICK,
    JobSlots,
    TrainingJob,
    TrainSettings,
    check_compatible,
    make_dataset,
)

L = LayerSpec.make
TINY = Architecture((L("Normalization"), L("Flatten"), L("Dense", units=10, activation="softmax")))
DEADLINE = 120  # seconds a job may take before a test gives up (never a timing assertion)


@pytest.fixture(scope="module")
def small() -> data.Mnist:
    """1,000 training and 300 test images (jobs evaluate the whole test set they are given)."""
    m = data.load_mnist()
    return data.Mnist(m.x_train[:2_000], m.y_train[:2_000], m.x_test[:300], m.y_test[:300])


def run(job: TrainingJob, mnist: data.Mnist, **kwargs) -> None:
    job.start(mnist, **kwargs)
    assert job.wait(DEADLINE), "the job did not end"


def wait_until(condition, timeout: float = DEADLINE) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.02)


# --- settings ---------------------------------------------------------------------------------


def test_default_and_recipe_settings_are_valid():
    assert TrainSettings().validate(60_000) == ()
    assert QUICK.validate(60_000) == ()
    assert TrainSettings().batch_size == 32  # the notebook's


@pytest.mark.parametrize(
    "changes, words",
    [
        (dict(epochs=0), "Epochs must be at least 1; got 0"),
        (dict(epochs=-3), "Epochs must be at least 1; got -3"),
        (dict(batch_size=256, n_train=100), "larger than the 100 training images"),
        (dict(learning_rate=0.0), "nothing is learnt"),
        (dict(learning_rate=1e6), "at most 10; got 1e+06"),
        (dict(learning_rate=float("nan")), "finite number; got nan"),
        (dict(learning_rate="fast"), "finite number; got 'fast'"),
        (dict(momentum=1.0), "Momentum must be at least 0 and below 1"),
        (dict(optimizer="rmsprop"), "one of sgd, adam"),
        (dict(n_train=70_000), "from 1 to 60,000; got 70000"),
        (dict(seed=-1), "Seed must be"),
    ],
)
def test_validate_names_the_problem(changes, words):
    problems = TrainSettings(**changes).validate(60_000)
    assert len(problems) == 1 and words in problems[0], problems


def test_describe():
    assert QUICK.describe() == "Adam lr 0.001 · batch 128 · 2 epochs · 60,000 images · seed 0"


# --- the model check --------------------------------------------------------------------------


def test_dense_only_is_refused_with_the_shape_mismatch():
    message = check_compatible(DENSE_ONLY)
    for words in ("(28, 28, 2)", "(10,)", "Flatten", "Dense(10, softmax)"):
        assert words in message, message


@pytest.mark.parametrize(
    "arch, words",
    [
        (Architecture(), "no layers"),
        (Architecture((L("Flatten"), L("Dense", units=5, activation="softmax"))), "shape (5,)"),
        (Architecture((L("Flatten"), L("Dense", units=10))), "not a softmax"),
        (Architecture((L("Conv2D", kernel_size=11), L("Conv2D", kernel_size=11), L("Conv2D", kernel_size=11))), "layer 3"),
        (Architecture((L("Flatten"), L("Dense", units=4096), L("Dense", units=4096), L("Dense", units=10, activation="softmax"))), "20,000,000"),
        (Architecture((L("ZeroPadding2D", padding=16), L("Conv2D", filters=512, kernel_size=1)) * 6 + (L("MaxPooling2D", pool_size=8),) * 2 + (L("Flatten"), L("Dense", units=10, activation="softmax"))), "numbers per image"),
    ],
)  # fmt: skip
def test_other_incompatible_models(arch, words):
    assert words in check_compatible(arch)


@pytest.mark.parametrize("arch", [WORKSHOP_CNN, NOTEBOOK_CNN, TINY])
def test_classifiers_are_accepted(arch):
    assert check_compatible(arch) is None


# --- data ---------------------------------------------------------------------------------------


def test_dataset_is_uint8_batches_covering_every_image_once_in_a_seeded_order():
    x = np.arange(10, dtype=np.uint8)[:, None, None] * np.ones((10, 28, 28), np.uint8)
    y = np.arange(10, dtype=np.uint8)
    first = [(bx.numpy(), by.numpy()) for bx, by in make_dataset(x, y, 4, seed=3)]
    again = [by.numpy() for _, by in make_dataset(x, y, 4, seed=3)]
    assert [b[0].shape for b in first] == [(4, 28, 28, 1), (4, 28, 28, 1), (2, 28, 28, 1)]
    assert first[0][0].dtype == np.uint8
    labels = np.concatenate([b[1] for b in first])
    assert sorted(labels) == list(range(10)) and not np.array_equal(labels, y)
    assert np.array_equal(labels, np.concatenate(again))
    assert all(np.array_equal(bx[:, 0, 0, 0], by) for bx, by in first)


# --- the queue ----------------------------------------------------------------------------------


def test_slots_are_first_come_first_served_with_positions():
    slots = JobSlots(1)
    assert slots.acquire("a", lambda: False)
    got: list[str] = []
    give_up_c = threading.Event()
    threads = [
        threading.Thread(target=lambda k=k, g=g: slots.acquire(k, g) and got.append(k))
        for k, g in (("b", lambda: False), ("c", give_up_c.is_set))
    ]
    threads[0].start()
    wait_until(lambda: slots.position("b") == 1)
    threads[1].start()
    wait_until(lambda: slots.position("c") == 2)
    assert slots.counts() == (1, 2)
    give_up_c.set()  # c leaves the queue
    threads[1].join(5)
    assert slots.position("c") is None and slots.counts() == (1, 1)
    slots.release("a")
    threads[0].join(5)
    assert got == ["b"] and slots.counts() == (1, 0)


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
    assert job.snapshot().status == "stopped" and "before it started" in job.snapshot().message
    assert slots.counts() == (1, 0)


# --- training -----------------------------------------------------------------------------------


def test_training_gives_finite_falling_loss_and_test_results(small):
    settings = TrainSettings("adam", 0.001, 0.0, 32, 2, 1_000, 0)
    job = TrainingJob(build_model(WORKSHOP_CNN, seed=0), settings)
    run(job, small)
    snap = job.snapshot()
    assert snap.status == "finished", snap.message
    loss = np.array(snap.curves.loss)
    assert len(loss) >= 20 and np.isfinite(loss).all()
    assert loss[-5:].mean() < 0.6 * loss[:5].mean()
    assert [e.epoch for e in snap.epochs] == [1, 2]
    assert snap.epochs[1].test_loss < snap.epochs[0].test_loss
    assert snap.examples_seen == snap.examples_total == 2_000
    assert snap.test_probs.shape == (300, 10) and not snap.test_probs.flags.writeable
    assert (snap.test_loss, snap.test_accuracy) == loss_and_accuracy(snap.test_probs, small.y_test)
    assert snap.test_accuracy > 0.5
    assert [e for e, _ in snap.filter_epochs] == [0, 1, 2]
    assert snap.filters.shape == (3, 3, 1, 16)
    assert not np.array_equal(snap.filter_epochs[0][1], snap.filter_epochs[2][1])
    assert snap.images_per_s > 0 and snap.eta_s is None and snap.usable


def test_stop_mid_epoch_keeps_the_weights_learnt_so_far(small):
    settings = TrainSettings("sgd", 0.01, 0.0, 8, 1, 2_000, 0)  # 250 batches
    job = TrainingJob(build_model(TINY, seed=0), settings)
    job.start(small)
    wait_until(lambda: job.snapshot().examples_seen >= 80)
    job.request_stop()
    assert job.wait(DEADLINE)
    snap = job.snapshot()
    assert snap.status == "stopped" and "kept" in snap.message
    assert 80 <= snap.examples_seen < 2_000  # stopped within the epoch
    initial = build_model(TINY, seed=0).model.get_weights()
    after = job.built.model.get_weights()
    assert not np.allclose(initial[-2], after[-2])  # it learnt something, and kept it
    probs = predict_probs(job.built.model, small.x_test)
    assert loss_and_accuracy(probs, small.y_test)[1] == pytest.approx(snap.test_accuracy)
    assert snap.usable and snap.epochs == ()
    assert snap.filters is None  # TINY has no convolution


def test_diverging_run_is_stopped_and_reported(small):
    settings = TrainSettings("sgd", 10.0, 0.0, 32, 3, 2_000, 0)
    assert settings.validate(2_000) == ()  # allowed, but far too large for this model
    job = TrainingJob(build_model(WORKSHOP_CNN, seed=0), settings)
    run(job, small)
    snap = job.snapshot()
    assert snap.status == "diverged", snap.message
    assert "learning rate 10 is probably too large" in snap.message
    assert snap.examples_seen < snap.examples_total
    assert not snap.usable and snap.test_probs is None


def test_a_closed_session_stops_its_job(small):
    alive = threading.Event()
    alive.set()
    settings = TrainSettings("sgd", 0.01, 0.0, 4, 50, 2_000, 0)  # minutes, unless stopped
    job = TrainingJob(build_model(TINY, seed=0), settings)
    job.start(small, session_alive=alive.is_set, grace_s=0.5)
    wait_until(lambda: job.snapshot().examples_seen > 0)
    time.sleep(1.2)
    assert job.snapshot().status == "running"  # alive: it goes on
    alive.clear()  # the tab closes
    assert job.wait(DEADLINE)
    snap = job.snapshot()
    assert snap.status == "stopped" and "tab was closed" in snap.message
    assert snap.examples_seen < snap.examples_total


def test_a_failing_job_reports_instead_of_raising(small):
    job = TrainingJob(build_model(DENSE_ONLY, seed=0), TrainSettings(n_train=100, epochs=1))
    run(job, small)  # check_compatible would have refused it; Keras fails inside the thread
    snap = job.snapshot()
    assert snap.status == "failed" and snap.message.startswith("Training failed: ")
    assert "\n" not in snap.message


def test_a_job_starts_once(small):
    job = TrainingJob(build_model(TINY, seed=0), TrainSettings(n_train=100, epochs=1))
    job.start(small)
    with pytest.raises(RuntimeError, match="already been started"):
        job.start(small)
    job.request_stop()
    assert job.wait(DEADLINE)


# --- live figures ---------------------------------------------------------------------------------


def test_smoothing_and_curve_figure():
    raw = np.r_[np.ones(50), np.zeros(50)]
    smooth = figs.smooth(raw)
    assert smooth[0] == 1 and 0 < smooth[60] < 1 and smooth[-1] < 0.1
    fig = figs.curves_figure(
        [100, 200, 300], [2.0, 1.0, 0.5], [0.1, 0.5, 0.8], 300, [1], [0.4], [0.9], epochs=2
    )
    names = [t.name for t in fig.data]
    assert names.count("test set, after each epoch") == 2 and len(fig.data) == 6
    assert math.isclose(fig.data[0].x[-1], 1.0) and fig.layout.xaxis.range[1] == pytest.approx(2.04)


def test_filter_mosaic_keeps_each_filter_and_centres_the_colours():
    kernel = np.random.default_rng(0).normal(size=(3, 3, 1, 16))
    z, number = figs.filters_mosaic(kernel)
    assert z.shape == (7, 31)
    assert np.array_equal(z[4:7, 0:3], kernel[:, :, 0, 8])
    fig = figs.filters_figure(kernel)
    assert fig.data[0].zmid == 0 and fig.data[0].zmin == -fig.data[0].zmax
    assert int(np.nanmax(number)) == 16
