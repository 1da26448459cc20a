"""core.evaluation against brute force and Keras, and the run records built from it."""

from __future__ import annotations

import numpy as np
import pytest

from core import evaluation as ev
from core.architecture import Architecture
from core.presets import WORKSHOP_CNN
from core.training import SETTINGS, Curves
from tests.helpers_training import snapshot

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


def test_biggest_mistake_is_the_largest_off_diagonal_cell():
    cm = np.diag(np.full(10, 100))
    assert ev.biggest_mistake(cm) == (0, 1)  # no mistakes at all: the first off-diagonal cell
    cm[7, 2], cm[4, 9] = 5, 6
    assert ev.biggest_mistake(cm) == (4, 9)


def test_describe_arch_names_a_preset_or_quotes_the_link():
    assert ev.describe_arch(WORKSHOP_CNN) == "Small CNN for workshops"
    custom = Architecture.from_url("flatten-dense(10,softmax)")
    assert ev.describe_arch(custom) == "custom model `flatten-dense(10,softmax)`"
    long = Architecture.from_url("-".join(["dense(10)"] * 20))
    assert len(ev.describe_arch(long)) == len("custom model ``") + 80


def test_predict_probs_of_a_model_on_uint8_images():
    from core.keras_model import build_model

    model = build_model(WORKSHOP_CNN, seed=0).model
    images = RNG.integers(0, 256, (7, 28, 28)).astype(np.uint8)
    probs = ev.predict_probs(model, images, batch_size=3)
    direct = model(images[..., None].astype("float32"), training=False).numpy()
    assert probs.shape == (7, 10) and np.allclose(probs, direct, atol=1e-5)
    assert ev.predict_probs(model, images[:0]).shape == (0, 10)


def test_run_records_and_history_rows():
    record = ev.make_record(snapshot(), WORKSHOP_CNN, number=1)
    assert record.arch_name == "Small CNN for workshops" and record.params == 56_714
    assert record.arch_url == WORKSHOP_CNN.to_url() and record.seconds == 6.0
    assert record.label == "#1 Small CNN for workshops · Adam lr 0.001"
    second = ev.make_record(snapshot(status="stopped", test_accuracy=0.9), WORKSHOP_CNN, number=2)
    rows = ev.history_rows([record, second])
    assert [r["Run"] for r in rows] == [2, 1]  # newest first
    assert rows[1]["Test accuracy"] == 97.0 and rows[0]["Status"] == "stopped"
    assert rows[1]["Epochs"] == "2/2" and rows[1]["Images"] == 6_000


def test_history_columns_follow_the_settings_table():
    row = ev.history_rows([ev.make_record(snapshot(), WORKSHOP_CNN, number=1)])[0]
    settings_columns = [s.column for s in SETTINGS if s.column]
    assert list(row) == ["Run", "Model", "Parameters", *settings_columns] + [
        "Time (s)",
        "Status",
        "Test accuracy",
        "Architecture",
    ]
    assert (row["Optimizer"], row["Learning rate"], row["Batch"], row["Seed"]) == (
        "Adam",
        0.001,
        128,
        0,
    )
    failed = ev.make_record(snapshot(status="failed", test_accuracy=None), WORKSHOP_CNN, number=2)
    assert ev.history_rows([failed])[0]["Test accuracy"] is None


def test_only_finished_or_stopped_runs_with_curves_are_compared():
    kinds = {
        "finished": snapshot(),
        "stopped": snapshot(status="stopped"),
        "diverged": snapshot(status="diverged"),
        "failed": snapshot(status="failed"),
        "no curves": snapshot(curves=Curves()),
    }
    records = {k: ev.make_record(snap, WORKSHOP_CNN, number=1) for k, snap in kinds.items()}
    assert [k for k, r in records.items() if r.comparable] == ["finished", "stopped"]
    series = records["finished"].series()
    assert series == dict(
        label="#1 Small CNN for workshops · Adam lr 0.001",
        n_train=6_000,
        examples=(6_000, 12_000),
        loss=(0.5, 0.2),
        test_epochs=[1, 2],
        test_accuracy=[0.95, 0.97],
    )
