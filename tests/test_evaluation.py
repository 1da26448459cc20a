"""core.evaluation against brute force and Keras, and the result figures built from it."""

from __future__ import annotations

import numpy as np
import pytest

from core import evaluation as ev
from core.figures import training as figs
from core.presets import WORKSHOP_CNN
from core.training import Curves, EpochResult, JobSnapshot, TrainSettings

RNG = np.random.default_rng(0)
LABELS = RNG.integers(0, 10, 500)
PROBS = RNG.dirichlet(np.ones(10), 500)


def test_confusion_matrix_matches_brute_force():
    predicted = PROBS.argmax(axis=1)
    cm = ev.confusion_matrix(LABELS, predicted)
    brute = np.zeros((10, 10), np.int64)
    for t, p in zip(LABELS, predicted, strict=True):
        brute[t, p] += 1
    assert np.array_equal(cm, brute) and cm.sum() == 500


def test_per_class_accuracy_is_the_diagonal_share_and_nan_for_missing_digits():
    cm = np.diag(np.arange(10))
    cm[2, 3] = 2
    acc = ev.per_class_accuracy(cm)
    assert np.isnan(acc[0]) and acc[1] == 1 and acc[2] == pytest.approx(0.5)


def test_loss_and_accuracy_agree_with_keras():
    import keras

    loss, acc = ev.loss_and_accuracy(PROBS, LABELS)
    expected = keras.losses.SparseCategoricalCrossentropy()(LABELS, PROBS.astype("float32"))
    assert loss == pytest.approx(float(expected), rel=1e-5)
    assert acc == pytest.approx(np.mean(PROBS.argmax(1) == LABELS))


def test_cell_examples_are_that_cell_most_confident_first():
    idx = ev.cell_examples(LABELS, PROBS, 3, 5, limit=100)
    assert all(LABELS[i] == 3 and PROBS[i].argmax() == 5 for i in idx)
    assert len(idx) == np.sum((LABELS == 3) & (PROBS.argmax(1) == 5))
    assert np.all(np.diff(PROBS[idx, 5]) <= 0)
    assert len(ev.cell_examples(LABELS, PROBS, 3, 5, limit=2)) == min(2, len(idx))


def test_top_probabilities():
    assert ev.top_probabilities(np.array([0.1, 0.6, 0.3]), 2) == [(1, 0.6), (2, 0.3)]


def test_predict_probs_of_a_model_on_uint8_images():
    from core.keras_model import build_model

    model = build_model(WORKSHOP_CNN, seed=0).model
    images = RNG.integers(0, 256, (7, 28, 28)).astype(np.uint8)
    probs = ev.predict_probs(model, images, batch_size=3)
    direct = model(images[..., None].astype("float32"), training=False).numpy()
    assert probs.shape == (7, 10) and np.allclose(probs, direct, atol=1e-5)
    assert ev.predict_probs(model, images[:0]).shape == (0, 10)


def _snapshot(status="finished", accuracy=0.97) -> JobSnapshot:
    settings = TrainSettings("adam", 0.001, 0.0, 128, 2, 6_000, 0)
    epochs = (
        EpochResult(1, 0.5, 0.85, 0.2, 0.95, 3.0),
        EpochResult(2, 0.2, 0.94, 0.1, accuracy, 3.0),
    )
    return JobSnapshot(
        "abc", status, "", "done", None, settings, 2, 12_000, 12_000, 2_000.0, None, 6.0,
        Curves((6_000, 12_000), (0.5, 0.2), (0.85, 0.94)), epochs, None, (), None, 0.1, accuracy, 0.0, 9,
    )  # fmt: skip


def test_run_records_and_history_rows():
    record = ev.make_record(_snapshot(), WORKSHOP_CNN, number=1)
    assert record.arch_name == "Small CNN for workshops" and record.params == 56_714
    assert record.arch_url == WORKSHOP_CNN.to_url() and record.seconds == 6.0
    assert record.label == "#1 Small CNN for workshops · Adam lr 0.001"
    second = ev.make_record(_snapshot("stopped", 0.9), WORKSHOP_CNN, number=2)
    rows = ev.history_rows([record, second])
    assert [r["Run"] for r in rows] == [2, 1]  # newest first
    assert rows[1]["Test accuracy"] == 97.0 and rows[0]["Status"] == "stopped"
    assert rows[1]["Epochs"] == "2/2" and rows[1]["Images"] == 6_000


def test_confusion_figure_has_a_clickable_point_per_cell_and_outlines_the_choice():
    cm = ev.confusion_matrix(LABELS, PROBS.argmax(1))
    fig = figs.confusion_figure(cm, selected=(3, 5))
    points = fig.data[-1]
    assert points.type == "scatter" and len(points.x) == 100
    k = 3 * 10 + 5
    assert (points.y[k], points.x[k], points.customdata[k][2]) == (3, 5, cm[3, 5])
    assert fig.layout.shapes[0].x0 == 4.5 and fig.layout.shapes[0].y0 == 2.5


def test_result_figures_build():
    acc = ev.per_class_accuracy(ev.confusion_matrix(LABELS, PROBS.argmax(1)))
    assert list(figs.per_class_figure(acc).data[0].y) == list(acc)
    runs = [
        dict(
            label="#1",
            n_train=100,
            examples=[50, 100],
            loss=[1.0, 0.5],
            test_epochs=[1],
            test_accuracy=[0.9],
        )
    ]
    assert len(figs.runs_figure(runs).data) == 2
    images = RNG.integers(0, 256, (3, 28, 28)).astype(np.uint8)
    fig = figs.cell_digits_figure(images, ["90%", "80%", "70%"])
    assert [a.text for a in fig.layout.annotations] == ["90%", "80%", "70%"]
    assert figs.probabilities_figure(PROBS[:3], ["a", "b", "c"]).data[0].z.shape == (3, 10)
