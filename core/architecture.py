"""Architectures as plain, immutable data: validation, edits, JSON and share-link text."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from core.layers import CATALOGUE, layer_kind
from core.layers import brief as _short

MAX_LAYERS = 60
MAX_TEXT = 20_000  # characters of JSON or link text we are willing to read
MNIST_SHAPE = (28, 28, 1)
JSON_FORMAT = "layer-by-layer/architecture"


class ArchitectureError(ValueError):
    """A user-facing problem with an architecture; the message says what was wrong and what came in."""


@dataclass(frozen=True)
class LayerSpec:
    """One layer: its Keras class name and its Keras arguments, validated against the catalogue.

    >>> LayerSpec.make("Conv2D", filters=16).params["kernel_size"]
    3
    """

    kind: str
    items: tuple[tuple[str, Any], ...] = ()

    @property
    def params(self) -> dict[str, Any]:
        """The full parameters (defaults filled in) as a new dict."""
        return dict(self.items)

    @staticmethod
    def make(kind: str, /, **params: Any) -> LayerSpec:
        """Returns a validated LayerSpec; missing parameters take their defaults.

        Raises:
            ArchitectureError: unknown kind, unknown parameter, or a value out of range.
        """
        try:
            entry = layer_kind(kind)
        except ValueError as err:
            raise ArchitectureError(str(err)) from None
        try:
            for name in params:
                entry.param(name)
            values = entry.defaults() | params
            checked = tuple((p.name, p.check(values[p.name])) for p in entry.params)
        except ValueError as err:
            raise ArchitectureError(f"{entry.kind}: {err}") from None
        return LayerSpec(entry.kind, checked)

    def with_params(self, **changes: Any) -> LayerSpec:
        """Returns a copy with some parameters changed (validated)."""
        return LayerSpec.make(self.kind, **(self.params | changes))

    def non_defaults(self) -> dict[str, Any]:
        """The parameters that differ from the catalogue defaults, in catalogue order."""
        defaults = CATALOGUE[self.kind].defaults()
        return {k: v for k, v in self.items if defaults[k] != v}

    def describe(self) -> str:
        """A short label such as ``Conv2D(32, 3×3, relu)``."""
        p = self.params
        if self.kind == "Conv2D":
            extra = "".join(
                [
                    f", stride {p['strides']}" if p["strides"] != 1 else "",
                    ", same" if p["padding"] == "same" else "",
                ]
            )
            return f"Conv2D({p['filters']}, {p['kernel_size']}×{p['kernel_size']}, {p['activation']}{extra})"
        if self.kind in ("MaxPooling2D", "AveragePooling2D"):
            return f"{self.kind}({p['pool_size']}×{p['pool_size']})"
        if self.kind == "Dense":
            return f"Dense({p['units']}, {p['activation']})"
        args = ", ".join(str(v) for v in p.values() if v is not None)
        return f"{self.kind}({args})" if args else self.kind


@dataclass(frozen=True)
class Architecture:
    """An ordered tuple of layers on a fixed input shape (channels last, no batch axis)."""

    layers: tuple[LayerSpec, ...] = ()
    input_shape: tuple[int, ...] = field(default=MNIST_SHAPE)

    def __post_init__(self) -> None:
        if len(self.layers) > MAX_LAYERS:
            raise ArchitectureError(
                f"an architecture can have at most {MAX_LAYERS} layers; got {len(self.layers)}"
            )

    def __len__(self) -> int:
        return len(self.layers)

    def indices(self, kind: str) -> tuple[int, ...]:
        """Positions of the layers of ``kind`` (``model.layers[i]`` of a built model matches).

        >>> from core.presets import NOTEBOOK_CNN
        >>> NOTEBOOK_CNN.indices("Conv2D")
        (2, 4, 7, 9)
        """
        return tuple(i for i, spec in enumerate(self.layers) if spec.kind == kind)

    def first(self, kind: str) -> int | None:
        """Position of the first layer of ``kind``, or None when there is none."""
        return next(iter(self.indices(kind)), None)

    def append(self, layer: LayerSpec) -> Architecture:
        """Returns a copy with ``layer`` added at the end."""
        return self.insert(len(self.layers), layer)

    def insert(self, index: int, layer: LayerSpec) -> Architecture:
        """Returns a copy with ``layer`` inserted before position ``index``."""
        self._check_index(index, allow_end=True)
        return replace(self, layers=self.layers[:index] + (layer,) + self.layers[index:])

    def remove(self, index: int) -> Architecture:
        """Returns a copy without the layer at ``index``."""
        self._check_index(index)
        return replace(self, layers=self.layers[:index] + self.layers[index + 1 :])

    def replace_layer(self, index: int, layer: LayerSpec) -> Architecture:
        """Returns a copy with the layer at ``index`` replaced."""
        self._check_index(index)
        return replace(self, layers=self.layers[:index] + (layer,) + self.layers[index + 1 :])

    def move(self, index: int, offset: int) -> Architecture:
        """Returns a copy with the layer at ``index`` moved by ``offset`` (clamped to the ends)."""
        self._check_index(index)
        target = min(max(index + offset, 0), len(self.layers) - 1)
        rest = self.layers[:index] + self.layers[index + 1 :]
        return replace(self, layers=rest[:target] + (self.layers[index],) + rest[target:])

    def _check_index(self, index: int, allow_end: bool = False) -> None:
        top = len(self.layers) if allow_end else len(self.layers) - 1
        if not 0 <= index <= top:
            raise ArchitectureError(f"there is no layer position {index}; positions run 0 to {top}")

    # --- JSON -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: format tag, version, input shape and the layers with all parameters."""
        return {
            "format": JSON_FORMAT,
            "version": 1,
            "input_shape": list(self.input_shape),
            "layers": [{"kind": s.kind, "params": s.params} for s in self.layers],
        }

    def to_json(self) -> str:
        """Pretty JSON text for download."""
        return json.dumps(self.to_dict(), indent=2)

    @staticmethod
    def from_json(text: str | bytes) -> Architecture:
        """Parses JSON written by :meth:`to_json` (missing parameters take defaults).

        Raises:
            ArchitectureError: malformed JSON, wrong structure, unknown kinds or bad values.
        """
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                raise ArchitectureError(
                    "the file is not UTF-8 text; expected architecture JSON"
                ) from None
        if len(text) > MAX_TEXT:
            raise ArchitectureError(
                f"the text is too long ({len(text):,} characters; at most {MAX_TEXT:,})"
            )
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as err:
            raise ArchitectureError(f"this is not valid JSON ({str(err)[:80]})") from None
        return Architecture.from_dict(data)

    @staticmethod
    def from_dict(data: Any) -> Architecture:
        """Builds an Architecture from :meth:`to_dict` output; raises ArchitectureError when malformed."""
        if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
            got = (
                f"layers = {_short(data['layers'])}"
                if isinstance(data, dict) and "layers" in data
                else (f"a JSON {type(data).__name__} without one")
            )
            raise ArchitectureError(f'expected an object with a "layers" list; got {got}')
        if data.get("format", JSON_FORMAT) != JSON_FORMAT:
            raise ArchitectureError(
                f"unknown format {_short(data.get('format'))}; expected {JSON_FORMAT!r}"
            )
        shape = data.get("input_shape", list(MNIST_SHAPE))
        if not (
            isinstance(shape, list)
            and len(shape) == 3
            and all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 512 for d in shape)
        ):
            raise ArchitectureError(
                f"input_shape must be three whole numbers 1..512; got {_short(shape)}"
            )
        if len(data["layers"]) > MAX_LAYERS:
            raise ArchitectureError(f"at most {MAX_LAYERS} layers; got {len(data['layers'])}")
        specs = []
        for i, item in enumerate(data["layers"], start=1):
            if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
                raise ArchitectureError(
                    f'layer {i}: expected {{"kind": ..., "params": {{...}}}}; got {_short(item)}'
                )
            params = item.get("params", {})
            if not isinstance(params, dict):
                raise ArchitectureError(
                    f"layer {i}: params must be an object; got {_short(params)}"
                )
            try:
                specs.append(LayerSpec.make(item["kind"], **params))
            except ArchitectureError as err:
                raise ArchitectureError(f"layer {i}: {err}") from None
        return Architecture(tuple(specs), tuple(shape))

    # --- share links --------------------------------------------------------------------------
    def to_url(self) -> str:
        """Compact, readable text for ``?arch=``, e.g. ``norm-pad(1)-conv(32,3,relu)-maxpool-flatten``.

        Parameters are written positionally in catalogue order, dropping trailing defaults;
        an optional parameter left at None is written as ``auto``.
        """
        from core.link_text import layer_to_url  # it builds on LayerSpec, defined here

        return "-".join(layer_to_url(s) for s in self.layers)

    @staticmethod
    def from_url(text: str) -> Architecture:
        """Parses :meth:`to_url` text (keyword form ``conv(filters=32)`` is accepted too).

        Raises:
            ArchitectureError: naming the piece that could not be read.
        """
        if not isinstance(text, str):
            raise ArchitectureError(f"expected link text; got {_short(text)}")
        text = text.strip()
        if len(text) > MAX_TEXT:
            raise ArchitectureError(f"the link text is too long ({len(text):,} characters)")
        if not text:
            return Architecture()
        pieces = text.split("-")
        if len(pieces) > MAX_LAYERS:
            raise ArchitectureError(f"at most {MAX_LAYERS} layers; the link has {len(pieces)}")
        from core.link_text import layer_from_url  # it builds on LayerSpec, defined here

        return Architecture(tuple(layer_from_url(p, i) for i, p in enumerate(pieces, start=1)))
