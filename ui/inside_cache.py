"""Look inside's per-session memory: a digit's layer outputs, and the figures drawn from them.

A rerun with the same model, digit and toggles draws from here instead of running the model and
building Plotly figures again. Keys start with ``ModelChoice.key`` (which weights: "pretrained",
"own:<job id>", "untrained:<arch link>") and the digit's own bytes, so a new drawing, a new run or
another architecture is a new key. The store lives in ``st.session_state`` and keeps the few most
recently used entries of each kind: a drawing or a session's own model is that user's data, which
never goes into a process-wide cache.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import numpy as np

from core.activations import Inspector, LayerOutput
from core.model_choice import ModelChoice
from ui import session_cache

T = TypeVar("T")
_STORE = "inside.cache"  # {kind: OrderedDict(key -> value)}, least recently used first
# Entries kept per kind (others keep DEFAULT_KEEP). For the notebook CNN one digit's outputs are
# 0.9 MB and its every-layer figures 1-2 MB, so a session holds about 5 MB here at most.
KEEP = {"outputs": 2, "layers": 2, "figure": 16, "window": 6}
DEFAULT_KEEP = 4


def remember(kind: str, key: Hashable, make: Callable[[], T]) -> T:
    """The value stored under (kind, key), or ``make()`` stored there now (see ui.session_cache).

    Each kind keeps its ``KEEP`` most recently used entries; treat a returned value as read-only.
    """
    return session_cache.remember(_STORE, kind, key, make, KEEP.get(kind, DEFAULT_KEEP))


def key_of(choice: ModelChoice, image: np.ndarray) -> tuple:
    """(model key, digit key): what a digit's layer outputs, and every figure of them, depend on."""
    return choice.key, session_cache.fingerprint(image)


def layer_outputs(choice: ModelChoice, image: np.ndarray) -> list[LayerOutput]:
    """Every layer's output of ``choice``'s model for ``image``, computed once per (model, digit).

    Raises:
        ValueError: if the model's layers do not match its architecture, or the image's shape
            does not fit the model (nothing is stored then).
    """
    built = choice.built
    return remember(
        "outputs",
        key_of(choice, image),
        lambda: Inspector(built.model, built.arch).layer_outputs(image),
    )


def figure(key: Hashable, make: Callable[[], T]) -> T:
    """A figure (or a few) stored under ``key``: pass everything it is drawn from in the key."""
    return remember("figure", key, make)
