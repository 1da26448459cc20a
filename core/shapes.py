"""Shape trace: each layer's output shape and parameter count, or a beginner's message where it breaks.

Pure Python, no Keras: it runs on every edit. The rules mirror Keras 3 (``keras/src/ops/
operation_utils.py`` and each layer's ``build``/``compute_output_shape``); ``tests/test_shapes.py``
checks them against Keras itself.

>>> from core.presets import NOTEBOOK_CNN
>>> t = trace(NOTEBOOK_CNN)
>>> format_shape(t.output_shape), t.total_params
('(None, 10)', 1676266)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from core.architecture import Architecture, LayerSpec
from core.windows import out_and_pad, window_of

MAX_PARAMS = 20_000_000  # above this a model is traced but not built (workshop server memory/time)
MAX_VALUES = 2_000_000  # nor above this many values in one layer's output for ONE image (8 MB at float32)

Shape = tuple[int | None, ...]


@dataclass(frozen=True)
class LayerTrace:
    """What one layer does to the shape.

    Attributes:
        index: position in the architecture.
        spec: the layer.
        status: ``"ok"``, ``"error"`` (the first broken layer) or ``"skipped"`` (after it).
        output_shape: with the batch axis, e.g. ``(None, 28, 28, 32)``; None unless ok.
        params: parameter count (0 unless ok).
        trainable: the trainable part of ``params``.
        formula: how ``params`` was counted, e.g. ``"3·3·1·32 + 32 = 320"``; ``"no weights"`` when 0.
        error: a message for a beginner, only on the first broken layer.
    """

    index: int
    spec: LayerSpec
    status: str
    output_shape: Shape | None
    params: int
    trainable: int
    formula: str
    error: str | None


@dataclass(frozen=True)
class Trace:
    """The trace of a whole architecture."""

    arch: Architecture
    input_shape: Shape
    layers: tuple[LayerTrace, ...]
    total_params: int
    error_index: int | None

    @property
    def ok(self) -> bool:
        """True when every layer fits."""
        return self.error_index is None

    @property
    def output_shape(self) -> Shape:
        """The last ok layer's output shape, or the input shape when there is none."""
        for layer in reversed(self.layers):
            if layer.status == "ok":
                return layer.output_shape  # type: ignore[return-value]
        return self.input_shape

    @property
    def largest_output(self) -> int:
        """The most values any ok layer outputs for one image (batch axis left out)."""
        sizes = [math.prod(layer.output_shape[1:]) for layer in self.layers if layer.status == "ok"]
        return max(sizes, default=0)

    @property
    def too_big_reason(self) -> str | None:
        """Why this model is traced but not built here (too many weights or too large outputs), or None."""
        if self.total_params > MAX_PARAMS:
            return (
                f"this model has {self.total_params:,} parameters, more than the {MAX_PARAMS:,} this server "
                f"builds: its weights alone take {self.total_params * 4 / 1e6:,.0f} MB and training needs "
                "several times that; use fewer filters or units, or pool before Flatten"
            )
        if self.largest_output > MAX_VALUES:
            return (
                f"one layer outputs {self.largest_output:,} numbers per image, more than the {MAX_VALUES:,} "
                "this server handles (a batch of 32 would need gigabytes); use less padding, fewer filters "
                "or pool earlier"
            )
        return None

    @property
    def too_big(self) -> bool:
        """True when the model is traced but not built: see too_big_reason."""
        return self.too_big_reason is not None

    @property
    def error(self) -> str | None:
        """The first broken layer's message, or None."""
        return None if self.error_index is None else self.layers[self.error_index].error

    def running_totals(self) -> list[int]:
        """Cumulative parameter count after each layer."""
        totals, total = [], 0
        for layer in self.layers:
            total += layer.params
            totals.append(total)
        return totals


class _LayerError(Exception):
    """Raised by a shape rule with the beginner's message."""


def format_shape(shape: Shape | None) -> str:
    """``(None, 28, 28, 32)``; a one-axis shape keeps Python's trailing comma; None gives ``—``."""
    if shape is None:
        return "—"
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def trace(arch: Architecture) -> Trace:
    """Traces ``arch`` layer by layer; never raises for a bad architecture.

    Args:
        arch: the architecture to trace.

    Returns:
        A Trace whose layers after the first broken one are ``"skipped"``.
    """
    shape: Shape = (None, *arch.input_shape)
    out: list[LayerTrace] = []
    error_index: int | None = None
    total = 0
    bad_input = _check_input(shape)
    for i, spec in enumerate(arch.layers):
        if error_index is not None:
            out.append(LayerTrace(i, spec, "skipped", None, 0, 0, "", None))
            continue
        try:
            if bad_input:
                raise _LayerError(bad_input)
            new_shape, params, trainable, formula = _apply(spec, shape)
            _check_not_empty(new_shape)
        except _LayerError as err:
            error_index = i
            out.append(LayerTrace(i, spec, "error", None, 0, 0, "", str(err)))
            continue
        total += params
        shape = new_shape
        out.append(LayerTrace(i, spec, "ok", new_shape, params, trainable, formula, None))
    return Trace(arch, (None, *arch.input_shape), tuple(out), total, error_index)


def _apply(spec: LayerSpec, shape: Shape) -> Rule:
    rule = _RULES.get(spec.kind)
    if rule is None:
        raise _LayerError(f"unknown layer kind {spec.kind!r}; known kinds: {', '.join(_RULES)}")
    try:
        return rule(shape, spec.params)
    except (KeyError, TypeError):  # a LayerSpec made by hand, bypassing LayerSpec.make's checks
        raise _LayerError(f"{spec.kind} has incomplete or invalid settings {spec.params!r}") from None


# --- checks ---------------------------------------------------------------------------------


def _check_input(shape: Shape) -> str | None:
    dims = shape[1:]
    if not dims or any(not isinstance(d, int) or isinstance(d, bool) or d < 1 for d in dims):
        return f"the input shape {format_shape(shape)} needs whole numbers of at least 1 on every axis"
    return None


def _check_not_empty(shape: Shape) -> None:
    """Keras accepts some zero-size shapes without complaint; a beginner must be told."""
    if any(d is not None and d <= 0 for d in shape[1:]):
        spatial = "×".join(str(d) for d in shape[1:-1]) if len(shape) == 4 else format_shape(shape)
        raise _LayerError(f"this would produce a {spatial} output {format_shape(shape)}, which holds no numbers")


def _needs_image(kind: str, shape: Shape, what: str) -> tuple[int, int, int]:
    """Returns (height, width, channels) or explains that the input is not an image."""
    if len(shape) == 4:
        return shape[1], shape[2], shape[3]  # type: ignore[return-value]
    got = f"a flat vector of {shape[1]:,} numbers" if len(shape) == 2 else f"a tensor of shape {format_shape(shape)}"
    raise _LayerError(
        f"{kind} needs an image (height, width, channels) but gets {got}; put {what} layers before Flatten"
    )


def _fmt_hw(h: int, w: int) -> str:
    return f"{h}×{w}"


def _windowed(shape: Shape, p: dict[str, Any], size: int, stride: int, kind: str, what: str, noun: str) -> Shape:
    h, w, c = _needs_image(kind, shape, what)
    if p["padding"] == "valid" and (size > h or size > w):
        hint = "add padding or remove a pooling layer" if noun == "kernel" else (
            'use padding "same" or remove an earlier pooling layer'
        )
        raise _LayerError(f"a {size}×{size} {noun} does not fit a {_fmt_hw(h, w)} input; {hint}")
    oh, ow = (out_and_pad(n, size, stride, p["padding"])[0] for n in (h, w))
    return (shape[0], oh, ow, c)


# --- one rule per layer kind: (shape, params) -> (shape, params, trainable, formula) ------------

Rule = tuple[Shape, int, int, str]


def _no_weights(shape: Shape, p: dict[str, Any]) -> Rule:
    return shape, 0, 0, "no weights"


def _conv2d(shape: Shape, p: dict[str, Any]) -> Rule:
    k, stride, _ = window_of("Conv2D", p)
    f = p["filters"]
    out = _windowed(shape, p, k, stride, "Conv2D", "convolution", "kernel")
    c = shape[3]
    n = k * k * c * f + f  # type: ignore[operator]
    return (*out[:3], f), n, n, f"{k}·{k}·{c:,}·{f:,} + {f:,} = {n:,}"


def _pooling(kind: str):
    def rule(shape: Shape, p: dict[str, Any]) -> Rule:
        size, stride, _ = window_of(kind, p)
        return _windowed(shape, p, size, stride, kind, "pooling", "pooling window"), 0, 0, "no weights"

    return rule


def _zero_padding(shape: Shape, p: dict[str, Any]) -> Rule:
    h, w, c = _needs_image("ZeroPadding2D", shape, "padding")
    pad = 2 * p["padding"]
    return (shape[0], h + pad, w + pad, c), 0, 0, "no weights"


def _flatten(shape: Shape, p: dict[str, Any]) -> Rule:
    n = 1
    for d in shape[1:]:
        n *= d  # type: ignore[operator]
    return (shape[0], n), 0, 0, "no weights"


def _dense(shape: Shape, p: dict[str, Any]) -> Rule:
    units, last = p["units"], shape[-1]
    n = last * units + units  # type: ignore[operator]
    formula = f"{last:,}·{units:,} + {units:,} = {n:,}"
    if len(shape) > 2:  # Keras applies Dense to the last axis: one set of weights shared by every position
        formula += f" (the same weights at each of the {'×'.join(str(d) for d in shape[1:-1])} positions)"
    return (*shape[:-1], units), n, n, formula


def _batch_norm(shape: Shape, p: dict[str, Any]) -> Rule:
    c = shape[-1]
    n, t = 4 * c, 2 * c  # type: ignore[operator]
    return shape, n, t, f"4·{c:,} = {n:,} (scale and shift learnt: 2·{c:,} = {t:,}; mean and variance tracked)"


_RULES = {
    "Normalization": _no_weights,
    "Activation": _no_weights,
    "Dropout": _no_weights,
    "ZeroPadding2D": _zero_padding,
    "Conv2D": _conv2d,
    "MaxPooling2D": _pooling("MaxPooling2D"),
    "AveragePooling2D": _pooling("AveragePooling2D"),
    "Flatten": _flatten,
    "Dense": _dense,
    "BatchNormalization": _batch_norm,
}
