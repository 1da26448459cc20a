"""core.training: the package, the model check, the dataset, and real (small) training jobs."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import core.training
from core.architecture import Architecture
from core.evaluation import loss_and_accuracy, predict_probs
from core.keras_model import build_model
from core.presets import DENSE_ONLY, NOTEBOOK_CNN, WORKSHOP_CNN
from core.training import TrainingJob, TrainSettings, check_compatible, make_dataset
from tests.helpers_training import DEADLINE, TINY, small_mnist, wait_until


@pytest.fixture(scope="module")
def small():
    return small_mnist()


def run(job: TrainingJob, mnist, **kwargs) -> None:
    job.start(mnist, **kwargs)
    assert job.wait(DEADLINE), "the job did not end"


# --- the package -------------------------------------------------------------------------------


def test_every_public_name_is_importable_from_the_package():
    for name in core.training.__all__:
        assert getattr(core.training, name) is not None, name


def test_importing_the_package_and_the_sidebar_does_not_import_keras():
    """Every page draws the sidebar's model card: it must not wait for TensorFlow."""
    code = (
        "import sys, core.training, core.training.texts, core.evaluation, ui.jobs, ui.sidebar; "
        "print('keras' in sys.modules, 'tensorflow' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.split() == ["False", "False"], out.stderr


# --- the model check --------------------------------------------------------------------------


def test_dense_only_is_refused_with_the_shape_mismatch():
    message = check_compatible(DENSE_ONLY)
    for words in ("(28, 28, 2)", "(10,)", "Flatten", "Dense(10, softmax)"):
        assert words in message, message


WIDE = "-".join(["pad(16)-conv(512,1)"] * 6) + "-maxpool(8)-maxpool(8)-flatten-dense(10,softmax)"


@pytest.mark.parametrize(
    "url, words",
    [
        ("", "no layers"),
        ("flatten-dense(5,softmax)", "shape (5,)"),
        ("flatten-dense", "not a softmax"),
        ("conv(32,11)-conv(32,11)-conv(32,11)", "layer 3"),
        ("flatten-dense(4096)-dense(4096)-dense(10,softmax)", "20,000,000"),
        (WIDE, "numbers per image"),
    ],
)
def test_other_incompatible_models(url, words):
    assert words in check_compatible(Architecture.from_url(url))


COLOUR_32 = Architecture.from_json(
    '{"input_shape": [32, 32, 3], "layers": [{"kind": "Conv2D", "params": {"filters": 8}},'
    ' {"kind": "Flatten"}, {"kind": "Dense", "params": {"units": 10, "activation": "softmax"}}]}'
)


def test_a_model_for_other_images_is_refused_by_its_input_shape():
    assert COLOUR_32.input_shape == (32, 32, 3)
    message = check_compatible(COLOUR_32)
    assert message.startswith("The model takes images of shape (32, 32, 3)"), message
    assert "(28, 28, 1)" in message and "cannot be trained" in message
    grey_32 = Architecture(COLOUR_32.layers, input_shape=(32, 32, 1))
    assert "(32, 32, 1)" in check_compatible(grey_32)


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
    in_order = [by.numpy() for _, by in make_dataset(x, y, 4, seed=3, shuffle=False)]
    assert np.array_equal(np.concatenate(in_order), y)


# --- training -----------------------------------------------------------------------------------


def test_a_job_is_a_job_link_and_starts_waiting():
    from core.training import JobLink

    job = TrainingJob(build_model(TINY, seed=0), TrainSettings(n_train=100, epochs=2))
    assert isinstance(job, JobLink)
    snap = job.snapshot()
    assert (snap.status, snap.phase, snap.examples_total, snap.version) == (
        "queued",
        "waiting",
        200,
        0,
    )
    assert snap.active and not snap.usable and snap.queue_position is None and not job.is_alive()


@pytest.mark.slow
def test_training_gives_finite_falling_loss_and_test_results(small):
    settings = TrainSettings("adam", 0.001, 0.0, 32, 2, 1_000, 0)
    job = TrainingJob(build_model(WORKSHOP_CNN, seed=0), settings)
    run(job, small)
    snap = job.snapshot()
    assert snap.status == "finished", snap.message
    assert snap.message == "Finished."
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
    assert snap.filters.shape == (3, 3, 1, 16) and not snap.filters.flags.writeable
    assert not np.array_equal(snap.filter_epochs[0][1], snap.filter_epochs[2][1])
    assert snap.images_per_s > 0 and snap.eta_s is None and snap.usable


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_a_failing_job_reports_instead_of_raising(small):
    job = TrainingJob(build_model(DENSE_ONLY, seed=0), TrainSettings(n_train=100, epochs=1))
    run(job, small)  # check_compatible would have refused it; Keras fails inside the thread
    snap = job.snapshot()
    assert snap.status == "failed" and snap.message.startswith("Training failed: ")
    assert "\n" not in snap.message and len(snap.message) <= len("Training failed: ") + 301


@pytest.mark.slow
def test_a_job_starts_once(small):
    job = TrainingJob(build_model(TINY, seed=0), TrainSettings(n_train=100, epochs=1))
    job.start(small)
    with pytest.raises(RuntimeError, match="already been started"):
        job.start(small)
    job.request_stop()
    assert job.wait(DEADLINE)
