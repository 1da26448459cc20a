"""A session's Keras model that the server may put to sleep: kept as arrays, rebuilt on its next use.

``HeldModel`` reads like a ``BuiltModel`` (``.arch``, ``.model``): pages need not know. When the
server-wide budget (``core.model_budget``) releases it, the Keras model is dropped and only its
weights are kept, as NumPy arrays (none for a model with seeded random weights: the seed
rebuilds them); the next ``.model`` rebuilds it with ``core.keras_model.build_model`` and
``set_weights``, and ``asleep`` / ``rebuilds`` let the page say so.

Thread safety: ``model`` and ``release`` take the holder's own lock (a rebuild happens once) and
call the budget only after releasing it; ``releasable`` takes no lock. Importing this module does
not import Keras.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from core.model_budget import MODEL_OVERHEAD, ModelBudget

if TYPE_CHECKING:
    from core.architecture import Architecture
    from core.keras_model import BuiltModel

FLOAT_BYTES = 4


def keras_bytes(model: Any, slots: int = 0) -> int:
    """What a Keras model holds: its weights, its optimizer's slots, and a measured overhead.

    Args:
        model: a Keras model.
        slots: optimizer slots per weight to count while the optimizer has not made them yet
            (Adam 2, SGD with momentum 1); the optimizer's own variables count once they exist.
    """
    weights = sum(math.prod(w.shape) for w in model.weights)
    optimizer = getattr(model, "optimizer", None)
    made = sum(math.prod(v.shape) for v in getattr(optimizer, "variables", ()) or ())
    return FLOAT_BYTES * (weights + max(made, slots * weights)) + MODEL_OVERHEAD


class HeldModel:
    """A model of ``arch`` the budget may release; ``.model`` rebuilds it when it was.

    Args:
        built: the model and the architecture it was built from.
        seed: the seed it was built with, when its weights are still those random ones: it is
            then rebuilt from the seed and no arrays are kept.
        session: the browser session holding it (the budget releases whole sessions first).
        slots: optimizer slots per weight to account before training makes them.
        busy: while this returns True (its job is training) the model is never released.
    """

    def __init__(
        self,
        built: BuiltModel,
        *,
        seed: int | None = None,
        session: str | None = None,
        slots: int = 0,
        busy: Callable[[], bool] | None = None,
    ) -> None:
        self.arch: Architecture = built.arch
        self.seed = seed
        self.session = session
        self.slots = slots
        self.busy = busy
        self.rebuilds = 0  # how many times it was rebuilt after a release
        self._model: Any = built.model
        self._weights: list | None = None
        self._lock = threading.Lock()
        self._budget: ModelBudget | None = None
        self._discarded = False
        self._extra = 0  # bytes of results kept with it, awake or asleep (see keep_results)

    def __repr__(self) -> str:
        state = "asleep" if self.asleep else "awake"
        return f"HeldModel({self.arch.to_url()!r}, {state}, rebuilds={self.rebuilds})"

    @property
    def asleep(self) -> bool:
        """True when released: the next ``.model`` rebuilds it."""
        return self._model is None

    @property
    def model(self) -> Any:
        """The Keras model, rebuilt from its weights (or seed) first when it was released.

        Raises:
            RuntimeError: after ``discard()``.
        """
        with self._lock:
            if self._model is None:
                self._model = self._rebuild()
            model = self._model
        if self._budget is not None:  # just used: last in line to be released
            self._budget.hold(self, self.nbytes(), self.session)
        return model

    def nbytes(self) -> int:
        """The budget's figure for this model (0 while asleep)."""
        model = self._model
        return 0 if model is None else keras_bytes(model, self.slots) + self._extra

    def kept_bytes(self) -> int:
        """Bytes kept while asleep: the weights' arrays (none when its seed rebuilds them) and the
        results kept with it (``keep_results``); 0 while awake."""
        if not self.asleep:
            return 0
        weights = self._weights
        return (sum(w.nbytes for w in weights) if weights else 0) + self._extra

    def keep_results(self, nbytes: int) -> None:
        """Counts ``nbytes`` of arrays kept with this model (a run's test probabilities, its
        recorded feature frames) in its budget figure from now on, awake or asleep."""
        self._extra = max(0, int(nbytes))
        budget = self._budget
        if budget is None:
            return
        if self.asleep:
            budget.asleep(self, self.kept_bytes(), self.session)
        else:
            budget.hold(self, self.nbytes(), self.session)

    def register(self, budget: ModelBudget) -> HeldModel:
        """Lets ``budget`` account and release this model; returns self."""
        self._budget = budget
        if self._model is not None:
            budget.hold(self, self.nbytes(), self.session)
        return self

    # --- what the budget calls -------------------------------------------------------------------
    def releasable(self) -> bool:
        """True when awake and not busy (no lock taken)."""
        busy = self.busy
        return self._model is not None and not (busy is not None and busy())

    def release(self) -> bool:
        """Keeps the weights as arrays (unless the seed rebuilds them) and drops the Keras model."""
        with self._lock:
            model = self._model
            if model is None or not self.releasable():
                return False
            self._weights = None if self.seed is not None else model.get_weights()
            self._model = None
        if self._budget is not None:  # its arrays still count
            self._budget.asleep(self, self.kept_bytes(), self.session)
        return True

    def discard(self) -> None:
        """Drops the model for good, weights included (a run not worth keeping)."""
        with self._lock:
            self._model, self._weights, self._discarded = None, None, True
        if self._budget is not None:
            self._budget.forget(self)

    def _rebuild(self) -> Any:  # with the lock held
        if self._discarded:
            raise RuntimeError("this model was discarded; its weights were not kept")
        from core.keras_model import build_model

        model = build_model(self.arch, seed=self.seed).model
        if self._weights is not None:
            model.set_weights(self._weights)
        self._weights = None
        self.rebuilds += 1
        return model
