"""Shape trace: each layer's output shape and parameter count, or a beginner's message where it breaks.

Pure Python, no Keras: it runs on every edit. The rules mirror Keras 3 (``keras/src/ops/
operation_utils.py`` and each layer's ``build``/``compute_output_shape``) and live in
``core.shape_rules``; ``tests/test_shapes.py`` checks them against Keras itself.

>>> from core.presets import NOTEBOOK_CNN
>>> t = trace(NOTEBOOK_CNN)
>>> format_shape(t.output_shape), t.total_params
('(None, 10)', 1676266)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.architecture import Architecture, LayerSpec
from core.shape_rules import (
    LayerError,
    Shape,
    apply_rule,
    check_input,
    check_not_empty,
    format_shape,
)

MAX_PARAMS = 20_000_000  # above this a model is traced but not built (workshop server memory/time)
# Nor above this many values in one layer's output for ONE image (8 MB at float32).
MAX_VALUES = 2_000_000
# All layers' outputs for one image together (the notebook CNN: 143,390). Look inside keeps them,
# and their pre-activations, per digit: 4 million float32 values are 16 MB.
MAX_TOTAL_VALUES = 4_000_000

__all__ = ["LayerTrace", "Shape", "Trace", "format_shape", "shape_label", "trace"]


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
    def total_outputs(self) -> int:
        """How many values all ok layers output together for one image."""
        return sum(
            math.prod(layer.output_shape[1:]) for layer in self.layers if layer.status == "ok"
        )

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
        if self.total_outputs > MAX_TOTAL_VALUES:
            return (
                f"its layers output {self.total_outputs:,} numbers per image in all, more than the "
                f"{MAX_TOTAL_VALUES:,} this server handles; use fewer or smaller layers, or pool earlier"
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


def shape_label(shape: Shape) -> str:
    """``28×28×32`` for an image, ``3,136`` for a flat vector (the batch axis left out).

    >>> shape_label((None, 7, 7, 64)), shape_label((None, 3136))
    ('7×7×64', '3,136')
    """
    dims = shape[1:]
    return f"{dims[0]:,}" if len(dims) == 1 else "×".join(str(d) for d in dims)


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
    bad_input = check_input(shape)
    for i, spec in enumerate(arch.layers):
        if error_index is not None:
            out.append(LayerTrace(i, spec, "skipped", None, 0, 0, "", None))
            continue
        try:
            if bad_input:
                raise LayerError(bad_input)
            new_shape, params, trainable, formula = apply_rule(spec, shape)
            check_not_empty(new_shape)
        except LayerError as err:
            error_index = i
            out.append(LayerTrace(i, spec, "error", None, 0, 0, "", str(err)))
            continue
        total += params
        shape = new_shape
        out.append(LayerTrace(i, spec, "ok", new_shape, params, trainable, formula, None))
    return Trace(arch, (None, *arch.input_shape), tuple(out), total, error_index)
