"""Which model a page uses: one plain view-model for Look inside and Draw (lists in ``ui/models.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not imported at run time: importing this module does not import Keras
    from core.held_model import HeldModel
    from core.keras_model import BuiltModel

PRETRAINED = "pretrained"  # the shipped models/pretrained.keras
TRAINED = "trained"  # this session's model from the Train page, once its run has ended
UNTRAINED = "untrained"  # the Build page's architecture with random initial weights


@dataclass(frozen=True, eq=False)
class ModelChoice:
    """A model a page can use, and what is known about it.

    Attributes:
        kind: ``PRETRAINED``, ``TRAINED`` or ``UNTRAINED``.
        built: the model and the architecture it was built from.
        key: a stable id for caches: "pretrained", "own:<job id>", "untrained:<arch link>".
        test_accuracy: on MNIST's 10,000 test digits, when known.
        run: its number in this session's run history (trained models only).
        snapshots: (epoch, first Conv2D kernel) pairs saved while it trained; epoch 0 is
            before training.
        arch_changed: the Build page's architecture has changed since this model was trained.
        slept: the server put this model to sleep to save memory (``core.held_model``); using
            it rebuilds it from its weights.

    Example:
        >>> mine = ModelChoice(TRAINED, None, "own:1", test_accuracy=0.981, run=2)
        >>> mine.name, mine.label, mine.note
        ('Your model', 'Your model, trained', 'run 2, 98.10% on the test digits')
        >>> ModelChoice(UNTRAINED, None, "untrained:x", slept=True).sleep_note[:40]
        'Your untrained model was put to sleep to'
    """

    kind: str
    built: BuiltModel | HeldModel
    key: str
    test_accuracy: float | None = None
    run: int | None = None
    snapshots: tuple = ()
    arch_changed: bool = False
    slept: bool = False

    @property
    def trained(self) -> bool:
        """False for random initial weights."""
        return self.kind != UNTRAINED

    @property
    def name(self) -> str:
        """ "Pretrained" or "Your model": how Draw names it."""
        return "Pretrained" if self.kind == PRETRAINED else "Your model"

    @property
    def label(self) -> str:
        """What Look inside's chooser shows: "Pretrained", "Your model, trained" or "..., untrained"."""
        return self.name if self.kind == PRETRAINED else f"{self.name}, {self.kind}"

    @property
    def note(self) -> str:
        """Its test accuracy in a few words ("" when unknown), e.g. beside Draw's guess."""
        if self.test_accuracy is None:
            return ""
        if self.kind == PRETRAINED:
            return f"{self.test_accuracy:.2%} on MNIST's 10,000 test digits"
        return f"run {self.run}, {self.test_accuracy:.2%} on the test digits"

    @property
    def about(self) -> str:
        """One line under Look inside's chooser: where it comes from and how good it is."""
        acc = self.test_accuracy
        if self.kind == PRETRAINED:
            return (
                f"the notebook's VGG-like CNN, {acc:.1%} on the 10,000 test digits" if acc else ""
            )
        if self.kind == UNTRAINED:
            return "your Build page architecture with random initial weights: it has learnt nothing yet"
        about = f"trained on the Train page in this session (run {self.run}, {acc:.1%} on the test digits)"
        if self.arch_changed:
            about += "; the Build page's architecture has changed since, this is the one it was trained as"
        return about

    @property
    def sleep_note(self) -> str:
        """What the page says when ``slept``: the model is rebuilt, nothing is lost."""
        which = "Your untrained model" if self.kind == UNTRAINED else "Your trained model"
        source = "the same random seed" if self.kind == UNTRAINED else "its saved weights"
        return (
            f"{which} was put to sleep to save the server's memory while you were away; it is "
            f"rebuilt from {source} when you use it (same weights, same answers)."
        )
