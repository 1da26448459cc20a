"""A server-wide byte budget for the Keras models sessions hold: the least recently used idle ones go first.

``ModelBudget`` only accounts: it holds weak references to holders (``core.held_model.HeldModel``)
and, when the total is over its limit, asks the least recently used idle ones to ``release()``
(keep their weights as arrays and drop their Keras objects). A session's entries are ordered by
the session's last use, so the session away longest is put to sleep first. A holder that is
busy (its job is training) or the shipped pretrained model (``pin``) is never released. The
arrays a sleeping model keeps still count (``asleep``), so the limit covers all the sessions hold.

Lock order: the budget's lock is taken alone. While it is held the budget calls only each
holder's ``releasable()``, which must take no lock that is held while calling the budget; it
calls ``release()`` with its lock released. Dead holders (a session that went away) are noticed
through their weak references and dropped at the next call.
"""

from __future__ import annotations

import gc
import itertools
import logging
import re
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)

BUDGET_ENV = "LAYER_BY_LAYER_MODEL_BUDGET"  # e.g. "3GB", "800MB", "1.5G"; a bare number is MB
DEFAULT_BUDGET = 3 * 2**30
# RSS per held model beyond its weights and optimizer slots, measured by `python
# bench/bench_memory.py --part presets --part trained`: 0-2 MB for a built model with Look
# inside's sub-models or an SGD-trained one, about 8 MB for an Adam-trained one. One figure for
# all, on the high side.
MODEL_OVERHEAD = 8 * 2**20
WARN_EVERY_S = 60.0  # at most one "over budget" log line a minute
_UNITS = {"": 2**20, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", re.IGNORECASE)


def parse_budget(text: str | None, default: int = DEFAULT_BUDGET) -> int:
    """The budget in bytes from ``$LAYER_BY_LAYER_MODEL_BUDGET``; unset or bad values give ``default``.

    Units are binary (1 GB = 1024 MB); a bare number is in MB. A bad value is logged.

    >>> parse_budget("3GB"), parse_budget("512 mb"), parse_budget("1.5G") == 3 * 2**29
    (3221225472, 536870912, True)
    >>> parse_budget(None) == parse_budget("") == parse_budget("lots") == DEFAULT_BUDGET
    True
    """
    if text is None or not text.strip():
        return default
    match = _SIZE.fullmatch(text)
    size = float(match[1]) * _UNITS[match[2].upper()] if match else 0.0
    if size < 2**20:
        log.warning(
            "%s=%r is not a size of at least 1 MB (such as 3GB or 800MB); using %d MB",
            BUDGET_ENV,
            text[:40],
            default // 2**20,
        )
        return default
    return int(size)


class Holder(Protocol):
    """What the budget asks of a held model (``core.held_model.HeldModel`` is one)."""

    def releasable(self) -> bool:
        """False while it must stay (training, already asleep); quick, takes no budget lock."""

    def release(self) -> bool:
        """Drops its Keras objects (keeping what rebuilds them); True when something was freed."""


@dataclass
class _Entry:
    ref: weakref.ref
    nbytes: int
    session: str
    used: int
    asleep: bool = False


@dataclass(frozen=True)
class BudgetStats:
    """The budget's accounting right now.

    Attributes:
        limit: the budget in bytes.
        held: every byte counted: pinned models, session models, arrays of sleeping ones.
        pinned: bytes of the pinned (shared, never released) models.
        kept: bytes of the arrays sleeping models keep.
        models: how many session models are awake.
        asleep: how many are asleep with arrays kept.
        sessions: how many sessions hold at least one of either.
        released: how many models have been released since the start.
    """

    limit: int
    held: int
    pinned: int
    kept: int
    models: int
    asleep: int
    sessions: int
    released: int


class ModelBudget:
    """Accounts held models and releases the least recently used idle sessions' ones over ``limit``.

    Args:
        limit: the budget in bytes.
        collect: called once after releasing (default ``gc.collect``): a Keras model is a web of
            reference cycles, freed only by the cyclic collector, which Streamlit no longer runs
            after each script run (``.streamlit/config.toml``). None to leave it to Python.

    >>> class Fake:
    ...     def releasable(self): return True
    ...     def release(self): return True
    >>> budget = ModelBudget(limit=100)
    >>> a, b = Fake(), Fake()
    >>> budget.hold(a, 60, session="A"); budget.hold(b, 60, session="B")
    >>> budget.is_held(a), budget.is_held(b), budget.stats().held
    (False, True, 60)
    """

    def __init__(self, limit: int, collect: Callable[[], object] | None = gc.collect) -> None:
        self.limit = int(limit)
        self._collect = collect
        self._lock = threading.Lock()
        self._entries: dict[int, _Entry] = {}
        self._pinned: dict[str, int] = {}
        self._dead: deque[int] = deque()  # ids of holders gone; appended by weakref callbacks
        self._clock = itertools.count()
        self._released = 0
        self._warned = -WARN_EVERY_S

    # --- what holders and pages call -------------------------------------------------------------
    def hold(self, holder: Holder, nbytes: int, session: str | None = None) -> None:
        """Accounts ``holder`` (again, with its size now) as just used, then releases others if over."""
        with self._lock:
            entry = self._entry(holder, session)
            entry.nbytes, entry.used, entry.asleep = int(nbytes), next(self._clock), False
            victims = self._victims(keep=id(holder))
        freed = False
        while victims:  # again while over: a released model's arrays still count
            freed = self._release(victims) or freed
            with self._lock:
                victims = self._victims(keep=id(holder))
        if freed and self._collect is not None:
            self._collect()

    def asleep(self, holder: Holder, kept: int, session: str | None = None) -> None:
        """Accounts a released ``holder`` by the ``kept`` bytes of arrays it keeps (0: forgotten)."""
        if kept <= 0:
            self.forget(holder)
            return
        with self._lock:
            entry = self._entry(holder, session)
            entry.nbytes, entry.asleep = int(kept), True

    def forget(self, holder: Holder) -> None:
        """Stops accounting ``holder`` (it was released or discarded)."""
        with self._lock:
            entry = self._entries.get(id(holder))
            if entry is not None and entry.ref() in (holder, None):
                del self._entries[id(holder)]

    def pin(self, name: str, nbytes: int) -> None:
        """Accounts a shared model that is never released (the pretrained one), once per ``name``."""
        with self._lock:
            self._pinned[name] = int(nbytes)

    def is_held(self, holder: Holder) -> bool:
        """True while ``holder`` is accounted awake (not released nor forgotten)."""
        with self._lock:
            entry = self._entries.get(id(holder))
            return entry is not None and entry.ref() is holder and not entry.asleep

    def stats(self) -> BudgetStats:
        """The accounting right now."""
        with self._lock:
            self._purge()
            entries = list(self._entries.values())
            pinned = sum(self._pinned.values())
            kept = sum(e.nbytes for e in entries if e.asleep)
            awake = sum(not e.asleep for e in entries)
            return BudgetStats(
                limit=self.limit,
                held=pinned + sum(e.nbytes for e in entries),
                pinned=pinned,
                kept=kept,
                models=awake,
                asleep=len(entries) - awake,
                sessions=len({e.session for e in entries}),
                released=self._released,
            )

    # --- inside ----------------------------------------------------------------------------------
    def _entry(self, holder: Holder, session: str | None) -> _Entry:  # with the lock held
        """``holder``'s entry, made now if it has none (a new holder, or a new one at a reused id)."""
        self._purge()
        key = id(holder)
        entry = self._entries.get(key)
        if entry is None or entry.ref() is not holder:
            ref = weakref.ref(holder, lambda _, k=key: self._dead.append(k))
            label = session if session is not None else f"holder-{key}"
            entry = self._entries[key] = _Entry(ref, 0, label, 0)
        elif session is not None:
            entry.session = session
        return entry

    def _purge(self) -> None:  # with the lock held
        while self._dead:
            key = self._dead.popleft()
            entry = self._entries.get(key)
            if entry is not None and entry.ref() is None:
                del self._entries[key]

    def _victims(self, keep: int) -> list[Holder]:
        """Takes out the entries to release, LRU session first; with the lock held."""
        self._purge()
        over = sum(self._pinned.values()) + sum(e.nbytes for e in self._entries.values())
        over -= self.limit
        if over <= 0:
            return []
        last_use: dict[str, int] = {}
        for e in self._entries.values():
            last_use[e.session] = max(last_use.get(e.session, -1), e.used)
        order = sorted(self._entries.items(), key=lambda kv: (last_use[kv[1].session], kv[1].used))
        victims = []
        for key, entry in order:
            holder = entry.ref()
            if over <= 0:
                break
            if key == keep or entry.asleep or holder is None or not holder.releasable():
                continue
            del self._entries[key]
            victims.append(holder)
            over -= entry.nbytes
        if over > 0 and time.monotonic() - self._warned > WARN_EVERY_S:
            self._warned = time.monotonic()
            log.warning(
                "model budget: %d MB over its %d MB; the rest is training, in use or asleep",
                over // 2**20,
                self.limit // 2**20,
            )
        return victims

    def _release(self, victims: list[Holder]) -> bool:
        """Asks each victim to release, with no lock held; a failing one is logged, not raised.

        Returns:
            True when at least one released something.
        """
        freed_any = False
        for holder in victims:
            try:
                freed = holder.release()
            except Exception:  # noqa: BLE001 - one bad holder must not break another session's page
                log.exception("model budget: releasing a model failed")
                continue
            if freed:
                freed_any = True
                with self._lock:
                    self._released += 1
        return freed_any
