"""One shape rule per layer kind, as Keras 3 computes it: output shape, parameters and their formula.

Each rule takes (shape with the batch axis, the layer's params) and returns (output shape,
parameters, trainable parameters, formula) or raises ``LayerError`` with a message a beginner
understands at the layer that breaks. ``core.shapes.trace`` runs them layer by layer.

>>> apply_rule(LayerSpec.make("Conv2D", filters=32), (None, 28, 28, 1))
((None, 26, 26, 32), 320, 320, '3·3·1·32 + 32 = 320')
"""

from __future__ import annotations

from typing import Any

from core.architecture import LayerSpec
from core.windows import out_and_pad, window_of

Shape = tuple[int | None, ...]


class LayerError(Exception):
    """Raised by a shape rule with the beginner's message."""


def format_shape(shape: Shape | None) -> str:
    """``(None, 28, 28, 32)``; a one-axis shape keeps Python's trailing comma; None gives ``—``."""
    if shape is None:
        return "—"
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def apply_rule(spec: LayerSpec, shape: Shape) -> Rule:
    """The rule of ``spec``'s kind applied to ``shape``; raises LayerError where the layer breaks."""
    rule = _RULES.get(spec.kind)
    if rule is None:
        raise LayerError(f"unknown layer kind {spec.kind!r}; known kinds: {', '.join(_RULES)}")
    try:
        return rule(shape, spec.params)
    except (KeyError, TypeError):  # a LayerSpec made by hand, bypassing LayerSpec.make's checks
        raise LayerError(
            f"{spec.kind} has incomplete or invalid settings {spec.params!r}"
        ) from None


# --- checks ---------------------------------------------------------------------------------


def check_input(shape: Shape) -> str | None:
    """A message when the input shape is not whole numbers of at least 1, else None."""
    dims = shape[1:]
    if not dims or any(not isinstance(d, int) or isinstance(d, bool) or d < 1 for d in dims):
        return (
            f"the input shape {format_shape(shape)} needs whole numbers of at least 1 on every axis"
        )
    return None


def check_not_empty(shape: Shape) -> None:
    """Keras accepts some zero-size shapes without complaint; a beginner must be told."""
    if any(d is not None and d <= 0 for d in shape[1:]):
        spatial = "×".join(str(d) for d in shape[1:-1]) if len(shape) == 4 else format_shape(shape)
        raise LayerError(
            f"this would produce a {spatial} output {format_shape(shape)}, which holds no numbers"
        )


def _needs_image(kind: str, shape: Shape, what: str) -> tuple[int, int, int]:
    """Returns (height, width, channels) or explains that the input is not an image."""
    if len(shape) == 4:
        return shape[1], shape[2], shape[3]  # type: ignore[return-value]
    got = (
        f"a flat vector of {shape[1]:,} numbers"
        if len(shape) == 2
        else f"a tensor of shape {format_shape(shape)}"
    )
    raise LayerError(
        f"{kind} needs an image (height, width, channels) but gets {got}; put {what} layers before Flatten"
    )


def _fmt_hw(h: int, w: int) -> str:
    return f"{h}×{w}"


def _windowed(
    shape: Shape, p: dict[str, Any], size: int, stride: int, kind: str, what: str, noun: str
) -> Shape:
    h, w, c = _needs_image(kind, shape, what)
    if p["padding"] == "valid" and (size > h or size > w):
        hint = (
            "add padding or remove a pooling layer"
            if noun == "kernel"
            else ('use padding "same" or remove an earlier pooling layer')
        )
        raise LayerError(f"a {size}×{size} {noun} does not fit a {_fmt_hw(h, w)} input; {hint}")
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
        return (
            _windowed(shape, p, size, stride, kind, "pooling", "pooling window"),
            0,
            0,
            "no weights",
        )

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
    if (
        len(shape) > 2
    ):  # Keras applies Dense to the last axis: one set of weights shared by every position
        formula += (
            f" (the same weights at each of the {'×'.join(str(d) for d in shape[1:-1])} positions)"
        )
    return (*shape[:-1], units), n, n, formula


def _batch_norm(shape: Shape, p: dict[str, Any]) -> Rule:
    c = shape[-1]
    n, t = 4 * c, 2 * c  # type: ignore[operator]
    return (
        shape,
        n,
        t,
        f"4·{c:,} = {n:,} (scale and shift learnt: 2·{c:,} = {t:,}; mean and variance tracked)",
    )


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
