"""core.training.progress.Progress driven by hand through the JobLink interface (no Keras training)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from core.training import JobLink, TrainSettings
from core.training import progress as progress_module
from core.training.progress import Progress, diverged_after_epoch, exploded
from tests.helpers_training import FakeJob

# 100 images in batches of 10 for 2 epochs: 20 batches, so one curve point per batch.
SETTINGS = TrainSettings("sgd", 0.01, 0.0, 10, 2, 100, 0)


def callback(job: FakeJob) -> tuple[Progress, SimpleNamespace]:
    model = SimpleNamespace(stop_training=False)
    progress = Progress(job, n_test=300)
    progress.set_model(model)
    return progress, model


def run_epoch(progress: Progress, epoch: int, losses, accuracies, stop_at: int | None = None):
    """Feeds one epoch's batches as Keras reports them: running means over the epoch."""
    progress.on_epoch_begin(epoch)
    for b in range(len(losses)):
        logs = {
            "loss": float(np.mean(losses[: b + 1])),
            "accuracy": float(np.mean(accuracies[: b + 1])),
        }
        progress.on_train_batch_end(b, logs)
        if stop_at == b:
            return
    progress.on_epoch_end(
        epoch, {"loss": float(np.mean(losses)), "accuracy": float(np.mean(accuracies))}
    )


def test_the_fake_job_is_exactly_a_job_link():
    assert isinstance(FakeJob(SETTINGS), JobLink)


def test_each_batch_becomes_a_point_of_its_own_mean_and_each_epoch_is_tested():
    job = FakeJob(SETTINGS, test=(0.4, 0.88))
    progress, model = callback(job)
    losses = np.linspace(2.0, 1.0, 10)
    accuracies = np.linspace(0.1, 0.6, 10)
    run_epoch(progress, 0, losses, accuracies)
    assert [p[0] for p in job.points] == list(range(10, 101, 10))
    np.testing.assert_allclose([p[1] for p in job.points], losses, rtol=1e-9)
    np.testing.assert_allclose([p[2] for p in job.points], accuracies, rtol=1e-9)
    assert job.reported("epoch") == [1]
    assert job.reported("examples_seen") == list(range(10, 101, 10))
    assert job.evaluations == 1 and job.filters[0] is None and job.filters[-1] == 1
    (result,) = job.epochs
    assert (result.epoch, result.test_loss, result.test_accuracy) == (1, 0.4, 0.88)
    assert result.train_loss == pytest.approx(losses.mean())
    assert job.reported("phase") == ["evaluating", "training"]
    assert not model.stop_training and progress.diverged == ""

    run_epoch(progress, 1, losses * 0.5, accuracies)  # the second epoch counts on from 100
    assert [p[0] for p in job.points[10:]] == list(range(110, 201, 10))
    assert [e.epoch for e in job.epochs] == [1, 2] and job.filters.count(2) == 1


def test_a_stop_request_stops_keras_and_skips_the_epochs_test():
    job = FakeJob(SETTINGS)
    progress, model = callback(job)
    progress.on_epoch_begin(0)
    progress.on_train_batch_end(0, {"loss": 2.0, "accuracy": 0.1})
    assert not model.stop_training
    job.stop = True
    progress.on_train_batch_end(1, {"loss": 1.9, "accuracy": 0.2})
    assert model.stop_training
    progress.on_epoch_end(0, {"loss": 1.9, "accuracy": 0.2})
    assert job.evaluations == 0 and job.epochs == []


@pytest.mark.parametrize("loss, words", [(float("nan"), "infinite or NaN"), (5e6, "exploded to")])
def test_a_loss_that_blows_up_stops_the_run_as_diverged(loss, words):
    job = FakeJob(SETTINGS)
    progress, model = callback(job)
    progress.on_epoch_begin(0)
    progress.on_train_batch_end(0, {"loss": 2.3, "accuracy": 0.1})
    progress.on_train_batch_end(1, {"loss": loss, "accuracy": 0.1})
    assert model.stop_training and words in progress.diverged
    assert "after 20 images" in progress.diverged and "try 0.01" in progress.diverged
    assert len(job.points) == 1  # the exploded batch is not drawn
    progress.on_epoch_end(0, {"loss": loss, "accuracy": 0.1})
    assert job.evaluations == 0


def test_an_epoch_that_ends_worse_than_it_began_at_guessing_is_diverged():
    job = FakeJob(SETTINGS, test=(9.0, 0.1))
    progress, model = callback(job)
    run_epoch(progress, 0, np.r_[2.0, np.full(9, 8.0)], np.full(10, 0.1))
    assert model.stop_training and progress.diverged.startswith(
        "After epoch 1 the test accuracy is 10.0%"
    )
    assert len(job.epochs) == 1  # the epoch is still recorded


def test_speed_leaves_out_the_first_batch_and_the_eta_counts_the_tests(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(progress_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    job = FakeJob(SETTINGS)
    progress, _ = callback(job)
    progress.on_epoch_begin(0)
    for b, t in enumerate([5.0, 5.1, 5.2, 5.3, 5.4]):  # the first batch (tracing) takes 5 s
        now[0] = t
        progress.on_train_batch_end(b, {"loss": 2.0, "accuracy": 0.1})
    assert job.reported("images_per_s")[-1] == pytest.approx(100)  # 40 images in 0.4 s
    # 150 images left at 100 images/s, and two test runs of 300 images at a third of that speed.
    assert job.reported("eta_s")[-1] == pytest.approx(1.5 + 2 * 1.0)
    assert job.reported("train_seconds")[-1] == pytest.approx(5.4)


def test_the_divergence_messages():
    s = TrainSettings("adam", 0.5)
    assert exploded(s, 2, 1_280, 3e7) == (
        "The loss exploded to 3e+07 in epoch 2, after 1,280 images: the training diverged, so it "
        "was stopped. The learning rate 0.5 is probably too large; try 0.001. Your model and "
        "earlier runs are kept."
    )
    from core.training import EpochResult

    text = diverged_after_epoch(s, EpochResult(1, 4.0, 0.1, 5.0, 0.098, 1.0), 2.3)
    assert "is 9.8%, no better than guessing" in text and "(from 2.3 to 4)" in text


class StopDuringTest(FakeJob):
    """A job whose stop (Stop, or the server's time limit) comes while it measures the test set."""

    def evaluate(self) -> tuple[float, float]:
        self.stop = True
        return super().evaluate()


def test_a_stop_during_an_epochs_test_pass_ends_the_run_there():
    job = StopDuringTest(SETTINGS)
    progress, model = callback(job)
    run_epoch(progress, 0, np.linspace(2.0, 1.0, 10), np.linspace(0.1, 0.6, 10))
    assert model.stop_training  # no batch more, so the run needs no second test pass
    assert job.evaluations == 1 and [e.epoch for e in job.epochs] == [1]


def test_a_stop_during_the_last_test_pass_does_not_touch_a_finished_run():
    job = StopDuringTest(TrainSettings("sgd", 0.01, 0.0, 10, 1, 100, 0))
    progress, model = callback(job)
    run_epoch(progress, 0, np.linspace(2.0, 1.0, 10), np.linspace(0.1, 0.6, 10))
    assert not model.stop_training and [e.epoch for e in job.epochs] == [1]
