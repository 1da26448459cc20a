"""Share-link text for one layer: ``conv(32,3,relu)`` and back (``Architecture.to_url``/``from_url``).

Parameters are written positionally in catalogue order, dropping trailing defaults; an optional
parameter left at None is ``auto``; the keyword form ``conv(filters=32)`` is read too.

>>> from core.architecture import LayerSpec
>>> layer_to_url(LayerSpec.make("Conv2D", filters=32, kernel_size=5))
'conv(32,5)'
>>> layer_from_url("dropout(0.25)", 1).params
{'rate': 0.25}
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from core.architecture import ArchitectureError, LayerSpec
from core.layers import CATALOGUE, layer_kind
from core.layers import brief as _short

_PIECE = re.compile(r"^([a-z0-9]+)(?:\(([^()]*)\))?$")


def layer_to_url(spec: LayerSpec) -> str:
    """The link text of one layer."""
    entry = CATALOGUE[spec.kind]
    values = [
        "auto" if v is None else _float_text(v) if isinstance(v, float) else str(v)
        for _, v in spec.items
    ]
    defaults = ["auto" if p.default is None else str(p.default) for p in entry.params]
    while values and values[-1] == defaults[len(values) - 1]:
        values.pop()
    return f"{entry.short}({','.join(values)})" if values else entry.short


def _float_text(x: float) -> str:
    """Shortest text that reads back as ``x``, without an exponent: ``-`` separates layers in links."""
    text = format(Decimal(repr(x + 0.0)), "f")  # + 0.0 turns -0.0 into 0.0
    return text.rstrip("0").rstrip(".") if "." in text else text


def layer_from_url(piece: str, position: int) -> LayerSpec:
    """The layer a piece of link text stands for; ``position`` (1-based) names it in errors.

    Raises:
        ArchitectureError: naming the piece that could not be read.
    """
    match = _PIECE.match(piece.strip())
    if not match:
        raise ArchitectureError(
            f"layer {position}: cannot read {_short(piece)}; expected e.g. conv(32,3,relu)"
        )
    name, args = match.group(1), match.group(2)
    try:
        entry = layer_kind(name)
    except ValueError:
        shorts = ", ".join(k.short for k in CATALOGUE.values())
        raise ArchitectureError(
            f"layer {position}: unknown layer {_short(name)}; known: {shorts}"
        ) from None
    params: dict[str, Any] = {}
    for i, raw in enumerate([a.strip() for a in args.split(",")] if args else []):
        key, _, value = raw.rpartition("=")
        if not key:
            if i >= len(entry.params):
                raise ArchitectureError(
                    f"layer {position}: {entry.kind} takes at most {len(entry.params)} values; got {_short(args)}"
                )
            key = entry.params[i].name
        params[key] = _parse_value(value)
    try:
        return LayerSpec.make(entry.kind, **params)
    except ArchitectureError as err:
        raise ArchitectureError(f"layer {position}: {err}") from None


def _parse_value(text: str) -> Any:
    if text == "auto":
        return None
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text
