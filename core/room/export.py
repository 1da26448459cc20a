"""The presenter's downloads: the results as CSV, the room's handwriting as an MNIST-layout .npz."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import numpy as np

from core.room.entries import Board
from core.room.errors import RoomError
from core.room.weights import arch_of

HEADER = (
    "nickname",
    "params",
    "test_accuracy",
    "test_loss",
    "room_accuracy",
    "train_seconds",
    "architecture",
    "created",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula.

    >>> inert_cell("=HYPERLINK(1)"), inert_cell("Ana")
    ("'=HYPERLINK(1)", 'Ana')
    """
    return "'" + text if text.startswith(_FORMULA) else text


def _link_text(arch_json: str) -> str:
    try:
        return arch_of(arch_json).to_url()
    except RoomError:
        return ""


def results_csv(board: Board) -> str:
    """One row per run of ``board`` (newest first): the columns of :data:`HEADER`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for run in board.runs:
        room = board.room_accuracy.get(run.run_id)
        writer.writerow(
            (
                inert_cell(run.nickname),
                run.params,
                f"{run.test_accuracy:.4f}",
                f"{run.test_loss:.4f}",
                "" if room is None else f"{room:.4f}",
                f"{run.train_seconds:.1f}",
                _link_text(run.arch_json),
                datetime.fromtimestamp(run.created_at, UTC).isoformat(timespec="seconds"),
            )
        )
    return out.getvalue()


def handwriting_npz(x: np.ndarray, y: np.ndarray) -> bytes:
    """``np.savez_compressed`` of ``x`` (n, 28, 28) uint8 and ``y`` (n,) uint8, as in MNIST."""
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer, x=np.asarray(x, np.uint8).reshape(-1, 28, 28), y=np.asarray(y, np.uint8)
    )
    return buffer.getvalue()
