"""What a layer kind is, as plain data: its parameters (each with its check) and its texts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.text import ELLIPSIS, clip


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a layer kind, named as Keras names it.

    Args:
        name: the Keras argument name, e.g. ``"filters"``.
        kind: ``"int"``, ``"float"`` or ``"choice"``.
        default: the value a new layer gets.
        low: smallest allowed value (int/float), inclusive.
        high: largest allowed value (int/float); inclusive unless ``high_open``.
        choices: allowed values of a ``"choice"`` parameter.
        optional: ``None`` is allowed and means "Keras's own default" (e.g. pooling strides).
        label: the short label a widget shows.
        help: one sentence for a beginner.
    """

    name: str
    kind: str
    default: Any
    label: str
    help: str
    low: float | None = None
    high: float | None = None
    high_open: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False

    def check(self, value: Any) -> Any:
        """Returns ``value`` normalised to this parameter's type, or raises ValueError.

        >>> ParamSpec("units", "int", 10, "Units", "", low=1, high=4096).check(64)
        64
        """
        if value is None and self.optional:
            return None
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise ValueError(
                    f"{self.label.lower()} must be one of {', '.join(self.choices)}; got {brief(value)}"
                )
            return value
        number = _as_number(value, integer=self.kind == "int", label=self.label)
        too_high = number >= self.high if self.high_open else number > self.high
        if number < self.low or too_high:
            upper = f"below {_fmt(self.high)}" if self.high_open else f"at most {_fmt(self.high)}"
            raise ValueError(
                f"{self.label.lower()} must be at least {_fmt(self.low)} and {upper}; got {_fmt(value)}"
            )
        return number


def brief(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for error messages that quote user input.

    >>> brief("x" * 100, limit=5)
    "'xxxxx'…"
    """
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else repr(value[:limit]) + ELLIPSIS
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # deeply nested data; ints too long for str()
        return f"a very large {type(value).__name__}"
    return clip(text, limit)


def _fmt(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else brief(x)


def _as_number(value: Any, integer: bool, label: str) -> int | float:
    """Accepts ints (and integral floats for int params) and finite floats; rejects bools/strings."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{label.lower()} must be a number; got {brief(value)}")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{label.lower()} must be a finite number; got {brief(value)}")
    if integer:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{label.lower()} must be a whole number; got {brief(value)}")
        return int(value)
    try:
        return float(value)
    except OverflowError:  # an int too large for a float, e.g. 10**400 from JSON or a link
        raise ValueError(
            f"{label.lower()} is far too large; got a whole number above 10**308"
        ) from None


@dataclass(frozen=True)
class LayerKind:
    """A kind of layer the Build page offers.

    Args:
        kind: the Keras class name (``"Conv2D"``); also the key in JSON.
        short: the compact name used in share links (``"conv"``).
        label: what the palette shows.
        params: the parameters, in the order share links write them.
        summary: one line for the palette.
        explanation: a few sentences, for someone who has never seen a CNN.
    """

    kind: str
    short: str
    label: str
    params: tuple[ParamSpec, ...]
    summary: str
    explanation: str

    def defaults(self) -> dict[str, Any]:
        """Returns the parameters a freshly added layer gets."""
        return {p.name: p.default for p in self.params}

    def param(self, name: str) -> ParamSpec:
        """Returns the ParamSpec called ``name``; raises ValueError naming the known ones."""
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise ValueError(f"no parameter {brief(name)} (it has: {known})")
