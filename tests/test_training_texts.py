"""core.training.texts (the Train page's words) and how a job words its end."""

from __future__ import annotations

from core.architecture import Architecture
from core.presets import WORKSHOP_CNN
from core.training import QUICK, texts
from core.training.job import finished_message
from tests.helpers_training import EPOCHS, running, snapshot


def test_outcome_of_each_way_a_run_ends():
    assert texts.outcome(snapshot()) == ("success", "Run finished in 6 s of training.")
    advice = "Finished. But 9.0% on the test set is about guessing: this model has not learnt."
    kind, text = texts.outcome(snapshot(message=advice, train_seconds=75))
    assert kind == "warning"
    assert (
        text
        == "Run finished in 1 min 15 s of training. But 9.0% on the test set is about guessing: this model has not learnt."
    )
    stopped = snapshot(status="stopped", message="Stopped: the weights learnt so far are kept.")
    assert texts.outcome(stopped) == ("info", "Stopped: the weights learnt so far are kept.")
    for status in ("diverged", "failed"):
        assert texts.outcome(snapshot(status=status, message="[x](y)")) == ("error", "[x](y)")


def test_finished_message_advises_when_the_model_is_guessing():
    assert finished_message(snapshot(test_accuracy=0.2)) == "Finished."
    assert finished_message(snapshot(test_accuracy=None)) == "Finished."
    guessing = finished_message(snapshot(test_accuracy=0.11))
    assert guessing.startswith("Finished. But 11.0% on the test set is about guessing")
    assert "(usually 0.001)" in guessing  # the settings are Adam's


def test_epoch_rows_and_filters_title():
    rows = texts.epoch_rows(EPOCHS)
    assert rows[1] == {
        "Epoch": 2,
        "Train acc.": "94.00%",
        "Test acc.": "97.00%",
        "Test loss": "0.1000",
        "Time": "3.0 s",
    }
    assert texts.filters_title(True) == "First convolution's filters, learning live"
    assert texts.filters_title(False) == "First convolution's filters"


def test_model_line_and_caption():
    assert texts.model_line(WORKSHOP_CNN) == (
        "**Model:** Small CNN for workshops · 8 layers · 56,714 parameters"
    )
    broken = Architecture.from_url("conv(8,11)-conv(8,11)-conv(8,11)")
    assert (
        texts.model_line(broken) == "**Model:** Custom model · 3 layers · does not fit together yet"
    )
    assert texts.model_caption(WORKSHOP_CNN, QUICK, "finished") == (
        "Small CNN for workshops · Adam lr 0.001 · batch 128 · 2 epochs · 60,000 images · seed 0"
    )
    assert texts.model_caption(WORKSHOP_CNN, QUICK, "stopped").endswith(
        " · stopped early, weights kept"
    )


def test_result_metrics_and_cell_sentence():
    assert texts.result_metrics(0.98765, 0.04321, 1_234, 10_000, 3_725) == [
        ("Test accuracy", "98.77%"),
        ("Test loss", "0.0432"),
        ("Wrong, of 10,000 test digits", "1,234"),
        ("Training time", "1 h 02 min"),
    ]
    assert texts.cell_sentence(1_500, 3, 3, 16) == (
        "**1,500** test images of a **3** recognised; the 16 most confident:"
    )
    assert texts.cell_sentence(0, 4, 9, 0) == "**0** test images of a **4** taken for a 9."


def test_old_weights_warning_names_the_trained_architecture():
    text = texts.old_weights_warning(WORKSHOP_CNN)
    assert text.startswith("These trained weights belong to the previous architecture (Small CNN")
    assert "Until then Look inside and Draw keep using this trained model." in text


def test_progress_says_when_the_servers_time_limit_will_stop_the_run():
    assert texts.progress_text(running()).endswith("about 1 min 05 s left")
    capped = texts.progress_text(running(limit_left_s=40.0))
    assert capped.endswith("this server's time limit stops it in 40 s")
    assert texts.progress_text(running(limit_left_s=500.0)).endswith("about 1 min 05 s left")
    assert "stopped at this server's time limit" in texts.progress_text(running(limit_left_s=0.0))


def test_a_queued_run_says_its_place_and_wait():
    queued = dict(status="queued", phase="waiting", epoch=0, examples_seen=0)
    text = texts.progress_text(snapshot(**queued, queue_position=2, queue_wait_s=75.0))
    assert text == "Waiting for a free training slot (position 2 in the queue, about 1 min 20 s)"
    text = texts.progress_text(snapshot(**queued, queue_position=1, queue_wait_s=None))
    assert text == "Waiting for a free training slot (position 1 in the queue)"
