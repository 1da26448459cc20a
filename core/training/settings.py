"""How to train: one table of the seven settings (form and checks), TrainSettings, and the recipes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.layers import brief

if TYPE_CHECKING:
    import keras

OPTIMIZER_NAMES = {"sgd": "SGD", "adam": "Adam"}
OPTIMIZERS = tuple(OPTIMIZER_NAMES)
TYPICAL_LR = {"sgd": 0.01, "adam": 0.001}  # a sane first learning rate for each optimizer
SUBSETS = (2_000, 6_000, 12_000, 60_000)  # what the Train page offers
MAX_EPOCHS = 50
MAX_BATCH = 4_096
MAX_LEARNING_RATE = 10.0
MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class Setting:
    """One Train setting: how the form shows it and what ``TrainSettings.validate`` accepts.

    Attributes:
        name: the TrainSettings field.
        label: the form's label.
        kind: "choice" (one of ``options``), "number" (a finite float within the bounds) or
            "whole" (an int within the bounds).
        subject: how messages name it (default: the label).
        low: the smallest value; refused itself when ``low_open`` ("above 0").
        high: the largest value; refused itself when ``high_open`` ("below 1"); None means
            "the number of training images available".
        low_open: see ``low``.
        high_open: see ``high``.
        options: (value, text) pairs the form offers; a "whole" setting may offer a few too.
        step: the number box's step.
        fmt: the number box's printf format.
        help: the form's tooltip.
        hints: sentences added to an out-of-range message.
        at_low: a sentence added when the value is an open ``low`` itself.
        says_at_least: a whole number below ``low`` is told "must be at least ``low``".
        only_for: the optimizer this setting applies to ("" for every optimizer).
        column: its column in the run history ("" for none).
    """

    name: str
    label: str
    kind: str
    subject: str = ""
    low: float = 0
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    options: tuple[tuple[Any, str], ...] = ()
    step: float | None = None
    fmt: str | None = None
    help: str = ""
    hints: tuple[str, ...] = ()
    at_low: str = ""
    says_at_least: bool = False
    only_for: str = ""
    column: str = ""

    @property
    def values(self) -> tuple[Any, ...]:
        """The values the form offers, in order."""
        return tuple(value for value, _ in self.options)

    def text(self, value: Any) -> str:
        """The option's text for ``value`` (``str(value)`` when it is not an option).

        >>> SETTINGS[0].text("adam")
        'Adam'
        """
        return next((text for v, text in self.options if v == value), str(value))

    def problem(self, value: Any, n_available: int) -> str | None:
        """A plain message when ``value`` is not allowed, else None."""
        name = self.subject or self.label
        if self.kind == "choice":
            if value in self.values:
                return None
            return f"{name} must be one of {', '.join(map(str, self.values))}; got {brief(value)}."
        if self.kind == "number":
            return self._number_problem(name, value)
        high = n_available if self.high is None else self.high
        if _whole(value) and self.low <= value <= high:
            return None
        if self.says_at_least and _whole(value) and value < self.low:
            return f"{name} must be at least {self.low:,}; got {brief(value)}."
        return f"{name} must be a whole number from {self.low:,} to {high:,}; got {brief(value)}."

    def _number_problem(self, name: str, value: Any) -> str | None:
        x = _number(value)
        if x is None or not math.isfinite(x):
            return f"{name} must be a finite number; got {brief(value)}."
        above = x > self.low if self.low_open else x >= self.low
        below = x < self.high if self.high_open else x <= self.high
        if above and below:
            return None
        lower = f"{'above' if self.low_open else 'at least'} {self.low:g}"
        upper = f"{'below' if self.high_open else 'at most'} {self.high:g}"
        at_low = [self.at_low] if self.at_low and self.low_open and x == self.low else []
        return " ".join([f"{name} must be {lower} and {upper}; got {x:g}.", *at_low, *self.hints])


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:  # an int too large for a float
        return math.inf


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_TYPICAL = ", ".join(f"{lr:g} for {OPTIMIZER_NAMES[o]}" for o, lr in TYPICAL_LR.items())

# The seven settings, in TrainSettings' field order: the Train page's form, validate() and the
# run history all read this table. Not formatted by ruff (fmt: skip): one setting per entry, its
# keywords grouped as they read (bounds, then widget, then words).
SETTINGS = (
    Setting("optimizer", "Optimizer", "choice", options=tuple(OPTIMIZER_NAMES.items()),
            column="Optimizer",
            help="SGD takes plain steps down the gradient (the notebook's choice); Adam adapts the "
                 "step size per weight."),
    Setting("learning_rate", "Learning rate", "number", low=0, high=MAX_LEARNING_RATE,
            low_open=True, step=0.001, fmt="%g", column="Learning rate",
            at_low="With 0 nothing is learnt.", hints=(f"Typical values: {_TYPICAL}.",),
            help="How big a step each batch takes. Too large and the loss explodes; too small and "
                 "nothing moves."),
    Setting("momentum", "Momentum (SGD)", "number", subject="Momentum", low=0, high=1,
            high_open=True, step=0.1, fmt="%g", only_for="sgd",
            help="SGD only: how much of the previous step to keep going in; 0 is plain SGD, 0.9 "
                 "is common."),
    Setting("batch_size", "Batch size", "whole", low=1, high=MAX_BATCH, step=1, column="Batch",
            help="Images per weight update. The notebook used 32."),
    Setting("epochs", "Epochs", "whole", low=1, high=MAX_EPOCHS, step=1, says_at_least=True,
            column="Epochs", help="Passes over the training images."),
    Setting("n_train", "Training images", "whole", low=1, high=None, column="Images",
            options=tuple((n, f"{n:,}" + (" (all)" if n == 60_000 else " (quick)")) for n in SUBSETS),
            help="All 60,000, or a random subset for a quick run. The test set is always all "
                 "10,000."),
    Setting("seed", "Random seed", "whole", subject="Seed", low=0, high=MAX_SEED, step=1,
            column="Seed", help="Fixes the subset, the initial weights and the order of the batches."),
)  # fmt: skip
SETTING_NAMES = tuple(s.name for s in SETTINGS)


@dataclass(frozen=True)
class TrainSettings:
    """How to train: optimizer, step size, batch, epochs, how much of MNIST, seed.

    The fields are the names in ``SETTINGS``, in the same order. ``momentum`` applies to SGD
    only. The seed fixes the subset, the initial weights and the order of the batches.

    >>> TrainSettings(epochs=0).validate(60_000)
    ('Epochs must be at least 1; got 0.',)
    """

    optimizer: str = "sgd"
    learning_rate: float = 0.01
    momentum: float = 0.0
    batch_size: int = 32
    epochs: int = 3
    n_train: int = 60_000
    seed: int = 0

    def validate(self, n_available: int = 60_000) -> tuple[str, ...]:
        """Returns one plain message per problem; an empty tuple means the settings can be used."""
        problems = {s.name: s.problem(getattr(self, s.name), n_available) for s in SETTINGS}
        if (
            problems["batch_size"] is None
            and _whole(self.n_train)
            and self.batch_size > self.n_train >= 1
        ):
            problems["batch_size"] = (
                f"Batch size {self.batch_size:,} is larger than the {self.n_train:,} training "
                "images: choose a smaller batch or more images."
            )
        return tuple(p for p in problems.values() if p)

    def as_dict(self) -> dict[str, Any]:
        """The seven values by name, in table order."""
        return {name: getattr(self, name) for name in SETTING_NAMES}

    def describe(self) -> str:
        """One line, e.g. ``Adam lr 0.001 · batch 128 · 2 epochs · 60,000 images · seed 0``."""
        mom = f" momentum {self.momentum:g}" if self.optimizer == "sgd" and self.momentum else ""
        return (
            f"{optimizer_name(self.optimizer)} lr {self.learning_rate:g}{mom} · batch "
            f"{self.batch_size} · {self.epochs} epoch{'s' if self.epochs != 1 else ''} · "
            f"{self.n_train:,} images · seed {self.seed}"
        )

    def typical_lr(self) -> str:
        """The usual learning rate of this optimizer, as text for advice ("0.01" for SGD)."""
        return f"{TYPICAL_LR.get(self.optimizer, TYPICAL_LR['sgd']):g}"

    def make_optimizer(self) -> keras.optimizers.Optimizer:
        """A fresh Keras optimizer for these settings, with ``core.training.keras_fixes`` applied."""
        import keras

        from core.training.keras_fixes import no_single_replica_all_reduce

        if self.optimizer == "adam":
            optimizer = keras.optimizers.Adam(learning_rate=float(self.learning_rate))
        else:
            optimizer = keras.optimizers.SGD(
                learning_rate=float(self.learning_rate), momentum=float(self.momentum)
            )
        return no_single_replica_all_reduce(optimizer)


def optimizer_name(optimizer: str) -> str:
    """``"Adam"`` or ``"SGD"`` (what the page writes).

    >>> optimizer_name("adam")
    'Adam'
    """
    return OPTIMIZER_NAMES.get(optimizer, "SGD")


@dataclass(frozen=True)
class Recipe:
    """A ready-made set of settings the Train page offers as a button."""

    label: str
    settings: TrainSettings
    help: str


# The notebook's recipe, and the quick one a workshop uses (98% on the workshop CNN in ~15 s).
NOTEBOOK = TrainSettings("sgd", 0.01, 0.0, 32, 3, 60_000, 0)
QUICK = TrainSettings("adam", 0.001, 0.0, 128, 2, 60_000, 0)
RECIPES = (
    Recipe(
        "Notebook recipe",
        NOTEBOOK,
        "SGD, learning rate 0.01, batch 32, 3 epochs, all 60,000 images: the notebook's run (minutes).",
    ),
    Recipe(
        "Quick recipe",
        QUICK,
        "Adam, learning rate 0.001, batch 128, 2 epochs: about 98% on the workshop CNN in under a "
        "minute.",
    ),
)
