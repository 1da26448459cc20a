"""The room's posted models, loaded once per process per run and kept in a bounded LRU cache.

A posted model is the room's shared data, not one learner's, so one process-wide cache serves
every session: the board's scoring and Draw's "through the room's models" share it. It holds
at most ``MAX_MODELS`` models and about ``MAX_BYTES`` of weights; the least recently used go
first. Models are rebuilt from our own architecture JSON and checked weight arrays
(``core.room.model_from_entry``), never unpickled. Importing this module does not import Keras.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import numpy as np
import streamlit as st

from ui import room_store

if TYPE_CHECKING:
    from core.room import RunEntry

MAX_MODELS = 64
MAX_BYTES = 400_000_000  # weights held at once (a notebook CNN is about 6.7 MB)
MAX_PREDICTIONS = 50_000  # the pretrained model's guesses on room drawings, remembered
BATCH = 256  # drawings per forward pass


class ModelCache:
    """Least-recently-used Keras models by key, bounded by count and weight bytes; thread-safe."""

    def __init__(self, max_models: int = MAX_MODELS, max_bytes: int = MAX_BYTES) -> None:
        self.max_models = max_models
        self.max_bytes = max_bytes
        self._models: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0  # how many times a model was built (for tests and benchmarks)

    def get(self, key: Any, load: Any, nbytes: int) -> Any:
        """The model under ``key``, or ``load()`` kept now (two sessions may both load once)."""
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key][0]
        model = load()
        with self._lock:
            self.loads += 1
            self._models[key] = (model, max(0, int(nbytes)))
            self._models.move_to_end(key)
            while len(self._models) > 1 and (
                len(self._models) > self.max_models or self.held_bytes() > self.max_bytes
            ):
                self._models.popitem(last=False)
        return model

    def held_bytes(self) -> int:
        """Weight bytes of the models held now."""
        return sum(n for _, n in self._models.values())

    def __len__(self) -> int:
        return len(self._models)


@st.cache_resource(show_spinner=False)
def cache() -> ModelCache:
    """This process's cache of posted models."""
    return ModelCache()


@st.cache_resource(show_spinner=False)
def _pretrained_guesses() -> tuple[OrderedDict, threading.Lock]:
    """The pretrained model's guess per (database, drawing id), shared by every session."""
    return OrderedDict(), threading.Lock()


def load(entry: RunEntry) -> Any:
    """The Keras model of a posted run (built once per process, then from the cache).

    Raises:
        core.room.RoomError: when its weights are gone or do not fit its architecture.
    """
    from core.room import model_from_entry

    store = room_store.store()
    key = (room_store.configured_url(), entry.run_id)
    return cache().get(
        key,
        lambda: model_from_entry(entry.arch_json, store.run_weights(entry.run_id)),
        entry.weight_bytes,
    )


def guesses(model: Any, images: np.ndarray) -> np.ndarray:
    """(N, 10) probabilities for (N, 28, 28) uint8 drawings, in batches of ``BATCH``."""
    from core import predict

    x = np.asarray(images, dtype=np.float32)[..., np.newaxis]
    if not len(x):
        return np.zeros((0, 10))
    return np.concatenate(
        [predict.probabilities(model, x[i : i + BATCH]) for i in range(0, len(x), BATCH)]
    )


def pretrained_accuracy(ids: np.ndarray, x: np.ndarray, y: np.ndarray) -> float | None:
    """The shipped model's share right on the room's drawings (None without drawings).

    Each drawing is classified once per process; only new ones reach the model.

    Raises:
        FileNotFoundError, ValueError: when the shipped model cannot be loaded.
    """
    if not len(ids):
        return None
    from ui import models

    known, lock = _pretrained_guesses()
    url = room_store.configured_url()
    with lock:
        new = [i for i, d in enumerate(ids) if (url, int(d)) not in known]
    if new:
        said = guesses(models.pretrained().built.model, x[new]).argmax(axis=1)
        with lock:
            for i, digit in zip(new, said, strict=True):
                known[(url, int(ids[i]))] = int(digit)
            while len(known) > MAX_PREDICTIONS:
                known.popitem(last=False)
    with lock:
        said = [known.get((url, int(d)), -1) for d in ids]
    return float(np.mean(np.asarray(said) == np.asarray(y)))
