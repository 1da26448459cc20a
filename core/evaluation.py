"""What a trained model gets right and wrong on the test set, and a record of each training run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.architecture import Architecture
from core.presets import PRESETS
from core.shapes import trace
from core.training.settings import SETTINGS, TrainSettings, optimizer_name
from core.training.snapshot import Curves, EpochResult, JobSnapshot

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


def arch_name(arch: Architecture) -> str:
    """The preset's name when ``arch`` is one, else "Custom model"."""
    for name, (preset, _) in PRESETS.items():
        if preset == arch:
            return name
    return "Custom model"


def describe_arch(arch: Architecture) -> str:
    """A short name for messages: the preset's name or the share-link text.

    >>> from core.presets import WORKSHOP_CNN
    >>> describe_arch(WORKSHOP_CNN), describe_arch(Architecture.from_url("flatten-dense(5)"))
    ('Small CNN for workshops', 'custom model `flatten-dense(5)`')
    """
    name = arch_name(arch)
    return name if name != "Custom model" else f"custom model `{arch.to_url()[:80]}`"


def biggest_mistake(cm: np.ndarray) -> tuple[int, int]:
    """(true digit, predicted digit) of the largest off-diagonal count (the first of equals).

    >>> biggest_mistake(np.array([[5, 1], [3, 4]]))
    (1, 0)
    """
    cm = np.asarray(cm)
    off = np.where(np.eye(len(cm), dtype=bool), -1, cm)
    t, p = np.unravel_index(int(off.argmax()), off.shape)
    return int(t), int(p)


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
        curves: the training curves.
        epochs: the per-epoch results.
    """

    number: int
    arch_url: str
    arch_name: str
    params: int
    settings: TrainSettings
    started_at: float
    seconds: float
    status: str
    test_accuracy: float | None
    test_loss: float | None
    curves: Curves
    epochs: tuple[EpochResult, ...]

    @property
    def label(self) -> str:
        """Short legend text, e.g. ``#2 Small CNN for workshops · Adam lr 0.001``."""
        opt = optimizer_name(self.settings.optimizer)
        return f"#{self.number} {self.arch_name} · {opt} lr {self.settings.learning_rate:g}"

    @property
    def comparable(self) -> bool:
        """True when its curves can be overlaid on others' (finished or stopped, with points).

        Diverged and failed runs stay in the table; their exploding curves would flatten the others.
        """
        return bool(self.curves.examples) and self.status in ("finished", "stopped")

    def series(self) -> dict[str, Any]:
        """This run's curves as ``core.figures.training.runs_figure`` takes them."""
        return dict(
            label=self.label,
            n_train=self.settings.n_train,
            examples=self.curves.examples,
            loss=self.curves.loss,
            test_epochs=[e.epoch for e in self.epochs],
            test_accuracy=[e.test_accuracy for e in self.epochs],
        )


def make_record(snapshot: JobSnapshot, arch: Architecture, number: int) -> RunRecord:
    """A RunRecord from a finished job's snapshot."""
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
    """Plain rows for a table of the run history, newest first.

    The settings' columns come from ``core.training.settings.SETTINGS`` (those with a ``column``);
    "Epochs" says how many of the planned epochs ran.
    """
    rows = []
    for r in reversed(list(records)):
        row: dict[str, Any] = {"Run": r.number, "Model": r.arch_name, "Parameters": r.params}
        for setting in SETTINGS:
            if setting.column:
                value = getattr(r.settings, setting.name)
                row[setting.column] = setting.text(value) if setting.kind == "choice" else value
        row["Epochs"] = f"{len(r.epochs)}/{r.settings.epochs}"
        row["Time (s)"] = round(r.seconds, 1)
        row["Status"] = r.status
        acc = r.test_accuracy
        row["Test accuracy"] = None if acc is None else round(100 * acc, 2)
        row["Architecture"] = r.arch_url
        rows.append(row)
    return rows
