"""A small least-recently-used memory per session, for results that depend on a user's own data.

A drawing or a session's own model is that user's data: it never goes into a process-wide cache
(``st.cache_data``/``st.cache_resource``), so pages keep the few latest results in
``st.session_state`` instead, keyed by everything they were computed from.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import numpy as np
import streamlit as st

T = TypeVar("T")


def remember(store: str, kind: str, key: Hashable, make: Callable[[], T], keep: int = 4) -> T:
    """The value stored under (kind, key) in this session's ``store``, or ``make()`` stored now.

    Args:
        store: the session-state key of the store (one per page, e.g. "draw.cache").
        kind: which part of the store, e.g. "outputs"; each keeps its ``keep`` latest entries.
        key: what the value depends on, hashable.
        make: computes the value on a miss; an exception it raises is not stored.
        keep: how many entries of this kind to keep, least recently used dropped first.

    Returns:
        The stored or new value (the same object on every hit: treat it as read-only).
    """
    kinds: dict = st.session_state.setdefault(store, {})
    entries: OrderedDict = kinds.setdefault(kind, OrderedDict())
    if key in entries:
        entries.move_to_end(key)
        return entries[key]
    value = make()
    entries[key] = value
    while len(entries) > max(1, keep):
        entries.popitem(last=False)
    return value


def fingerprint(array: np.ndarray | None) -> tuple:
    """A short key for an array's exact content: dtype, shape and a 128-bit hash of its bytes."""
    if array is None:
        return (None,)
    array = np.ascontiguousarray(array)
    digest = hashlib.blake2b(array.tobytes(), digest_size=16).hexdigest()
    return array.dtype.str, array.shape, digest
