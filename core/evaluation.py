"""What a trained model gets right and wrong on the test set, and a record of each training run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.architecture import Architecture
from core.presets import PRESETS
from core.shapes import trace

NUM_CLASSES = 10
EPSILON = 1e-7  # Keras clips probabilities to [EPSILON, 1 - EPSILON] in cross-entropy


def predict_probs(model: Any, images: np.ndarray, batch_size: int = 1_000) -> np.ndarray:
    """Class probabilities of a Keras model for uint8 images, converted one batch at a time.

    Args:
        model: a Keras model taking (N, 28, 28, 1) raw pixels 0..255 and returning (N, 10).
        images: (N, 28, 28) uint8 (or any real dtype).
        batch_size: images per forward pass.

    Returns:
        (N, 10) float32 array.
    """
    images = np.asarray(images)
    if len(images) == 0:
        return np.zeros((0, NUM_CLASSES), np.float32)
    out = model.predict(images[..., np.newaxis], batch_size=batch_size, verbose=0)
    return np.asarray(out, dtype=np.float32)


def loss_and_accuracy(probs: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(cross-entropy loss, accuracy) of predicted probabilities against integer labels.

    >>> loss_and_accuracy(np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([0, 0]))[1]
    0.5
    """
    probs = np.asarray(probs, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    if len(labels) == 0:
        return float("nan"), float("nan")
    picked = np.clip(probs[np.arange(len(labels)), labels], EPSILON, 1 - EPSILON)
    loss = float(-np.log(picked).mean())
    accuracy = float((probs.argmax(axis=1) == labels).mean())
    return loss, accuracy


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, n: int = NUM_CLASSES) -> np.ndarray:
    """(n, n) int64 counts: row = true digit, column = predicted digit.

    >>> confusion_matrix(np.array([1, 1, 0]), np.array([1, 0, 0]), 2).tolist()
    [[1, 0], [1, 1]]
    """
    labels = np.asarray(labels, dtype=np.int64)
    predicted = np.asarray(predicted, dtype=np.int64)
    return np.bincount(labels * n + predicted, minlength=n * n).reshape(n, n).astype(np.int64)


def per_class_accuracy(cm: np.ndarray) -> np.ndarray:
    """(n,) share of each true digit that was predicted correctly; NaN for a digit with no examples."""
    cm = np.asarray(cm, dtype=np.float64)
    totals = cm.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(cm) / np.where(totals > 0, totals, 1), np.nan)


def cell_examples(
    labels: np.ndarray, probs: np.ndarray, true_digit: int, predicted_digit: int, limit: int = 12
) -> np.ndarray:
    """Indices of test images with this true digit and this prediction, most confident first.

    Args:
        labels: (N,) true digits.
        probs: (N, 10) predicted probabilities.
        true_digit: the confusion matrix row.
        predicted_digit: its column.
        limit: at most this many.

    Returns:
        int64 indices into the test set, sorted by the probability given to ``predicted_digit``.
    """
    labels = np.asarray(labels)
    probs = np.asarray(probs)
    hits = np.flatnonzero((labels == true_digit) & (probs.argmax(axis=1) == predicted_digit))
    order = np.argsort(-probs[hits, predicted_digit], kind="stable")
    return hits[order][:limit].astype(np.int64)


def top_probabilities(probs: np.ndarray, k: int = 3) -> list[tuple[int, float]]:
    """The ``k`` most probable digits of one image with their probabilities.

    >>> top_probabilities(np.array([0.1, 0.7, 0.2]), 2)
    [(1, 0.7), (2, 0.2)]
    """
    probs = np.asarray(probs, dtype=np.float64)
    order = np.argsort(-probs, kind="stable")[:k]
    return [(int(d), round(float(probs[d]), 6)) for d in order]


def arch_name(arch: Architecture) -> str:
    """The preset's name when ``arch`` is one, else "Custom model"."""
    for name, (preset, _) in PRESETS.items():
        if preset == arch:
            return name
    return "Custom model"


@dataclass(frozen=True)
class RunRecord:
    """One training run for the run history: what was trained, how, and how well.

    Attributes:
        number: 1 for the session's first run, then 2, 3...
        arch_url: the architecture's share-link text.
        arch_name: the preset's name or "Custom model".
        params: the model's parameter count.
        settings: the TrainSettings used.
        started_at: time.time() at the start.
        seconds: training time (without test evaluations).
        status: "finished", "stopped", "diverged" or "failed".
        test_accuracy: on the test set at the end, or None.
        test_loss: likewise.
        curves: the training curves (``core.training.Curves``).
        epochs: the per-epoch results (``core.training.EpochResult``).
    """

    number: int
    arch_url: str
    arch_name: str
    params: int
    settings: Any
    started_at: float
    seconds: float
    status: str
    test_accuracy: float | None
    test_loss: float | None
    curves: Any
    epochs: tuple

    @property
    def label(self) -> str:
        """Short legend text, e.g. ``#2 Small CNN for workshops · Adam``."""
        opt = "Adam" if self.settings.optimizer == "adam" else "SGD"
        return f"#{self.number} {self.arch_name} · {opt} lr {self.settings.learning_rate:g}"


def make_record(snapshot: Any, arch: Architecture, number: int) -> RunRecord:
    """A RunRecord from a finished job's snapshot (``core.training.JobSnapshot``)."""
    return RunRecord(
        number=number,
        arch_url=arch.to_url(),
        arch_name=arch_name(arch),
        params=trace(arch).total_params,
        settings=snapshot.settings,
        started_at=snapshot.started_at,
        seconds=snapshot.train_seconds,
        status=snapshot.status,
        test_accuracy=snapshot.test_accuracy,
        test_loss=snapshot.test_loss,
        curves=snapshot.curves,
        epochs=snapshot.epochs,
    )


def history_rows(records: list[RunRecord] | tuple[RunRecord, ...]) -> list[dict[str, Any]]:
    """Plain rows for a table of the run history, newest first."""
    rows = []
    for r in reversed(list(records)):
        s = r.settings
        rows.append(
            {
                "Run": r.number,
                "Model": r.arch_name,
                "Parameters": r.params,
                "Optimizer": "Adam" if s.optimizer == "adam" else "SGD",
                "Learning rate": s.learning_rate,
                "Batch": s.batch_size,
                "Epochs": f"{len(r.epochs)}/{s.epochs}",
                "Images": s.n_train,
                "Seed": s.seed,
                "Time (s)": round(r.seconds, 1),
                "Status": r.status,
                "Test accuracy": None
                if r.test_accuracy is None
                else round(100 * r.test_accuracy, 2),
                "Architecture": r.arch_url,
            }
        )
    return rows
