"""Posted models on the room's handwriting: fill the missing (run, drawing) guesses, batched per run.

``score_room(store, code, model_of)`` asks the store what is missing, runs one batched
``predict`` per run, and saves the guesses; a second server doing the same at once only finds
its rows already there. Keras is never imported here: ``model_of`` hands over the models.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from core.room.entries import RunEntry
from core.room.errors import RoomError, RoomUnavailable

if TYPE_CHECKING:
    from core.room.store import Store

log = logging.getLogger("layer_by_layer")
BATCH = 256


def guesses(model: Any, images: np.ndarray) -> np.ndarray:
    """The digit ``model`` picks for each (n, 28, 28) uint8 image (raw pixels in, as in training)."""
    x = np.asarray(images, dtype=np.float32)[..., np.newaxis]
    out = np.asarray(model.predict(x, batch_size=BATCH, verbose=0))
    if out.ndim != 2 or out.shape != (len(x), 10):
        raise RoomError("This model does not give 10 scores per image.")
    return out.argmax(axis=1).astype(np.int64)


def score_room(store: Store, code: str, model_of: Callable[[RunEntry], Any]) -> int:
    """Scores every posted run of room ``code`` on the drawings it has not seen; rows saved.

    A run whose model cannot be loaded or cannot answer is logged and skipped (the others are
    still scored); it stays unscored on the board.

    Raises:
        RoomError: the room is gone. RoomUnavailable: the database is down.
    """
    gaps = store.missing_predictions(code)
    if not gaps:
        return 0
    ids, x, _ = store.drawing_arrays(code)
    index = {int(d): i for i, d in enumerate(ids)}
    saved = 0
    for entry, wanted in gaps:
        rows = [index[int(d)] for d in wanted if int(d) in index]
        if not rows:
            continue
        try:
            said = guesses(model_of(entry), x[rows])
        except RoomUnavailable:
            raise
        except Exception as err:  # noqa: BLE001 - one model that cannot answer leaves the rest
            log.warning("run %d could not be scored: %s", entry.run_id, str(err)[:160])
            continue
        saved += store.save_predictions(entry.run_id, ids[rows], said)
    return saved
