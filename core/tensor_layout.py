"""The tensor picture as a view-model: every layer's output as a box, laid out to one scale.

An image-shaped output (height, width, channels) is a slab: its height and its slanted depth are
proportional to the height and width in pixels (one scale for the whole picture), and its
thickness grows with the square root of the channel count, so 1 and 512 channels both fit. A
flat vector of n numbers is a thin bar √n tall: the height a square image of n pixels would have.
Sizes come from the shapes alone: nothing here allocates at a layer's size.
``core.figures.tensors`` draws the boxes.

>>> from core.presets import NOTEBOOK_CNN
>>> from core.shapes import trace
>>> [b.label for b in tensor_boxes(trace(NOTEBOOK_CNN))][:3]
['28×28×1', '28×28×1', '30×30×1']
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.shapes import Shape, Trace, format_shape, shape_label

SLANT = 0.35  # the slanted (width) edge is drawn this long per pixel, at 45°
GAP = 4.0  # space between two tensors, in pixels of the drawing
BAR = 2.0  # thickness of a flat vector's bar
PLACEHOLDER = 0.35  # side of the error/not-reached box, as a share of the tallest tensor
MIN_SLOT = 0.3  # least horizontal room per tensor (labels), as a share of the tallest tensor

_COS = math.cos(math.pi / 4)


@dataclass(frozen=True)
class TensorBox:
    """One tensor of the picture, in drawing units (1 unit = 1 pixel of the tensor's height).

    Attributes:
        position: 0 for the input, ``i + 1`` for layer ``i``'s output.
        status: ``"input"``, ``"ok"``, ``"error"`` or ``"skipped"``.
        shape: the output shape with the batch axis, or None when not computed.
        label: ``"28×28×32"``, ``"3,136"``, ``"error"`` or ``"not reached"``.
        height: front edge, proportional to the tensor's height (or √n for a vector).
        depth: slanted edge before projection, proportional to the tensor's width (0 for a bar).
        thickness: horizontal edge: grows with √channels; ``BAR`` for a flat vector.
        x: left edge of the front face.
        slot: horizontal room given to this tensor (at least the box, more for its label).
        hover: the text shown when the pointer rests on the box.
    """

    position: int
    status: str
    shape: Shape | None
    label: str
    height: float
    depth: float
    thickness: float
    x: float
    slot: float
    hover: str

    @property
    def extent(self) -> float:
        """Horizontal room the drawn box takes, slanted face included."""
        return self.thickness + self.depth * SLANT * _COS

    @property
    def centre(self) -> float:
        """Horizontal middle of the drawn box."""
        return self.x + self.extent / 2

    @property
    def rise(self) -> float:
        """How far the slanted face climbs above the front face."""
        return self.depth * SLANT * _COS


def numbers(shape: Shape) -> int:
    """Numbers per example in ``shape`` (batch axis left out; an unknown axis counts as 1).

    >>> numbers((None, 7, 7, 64))
    3136
    """
    n = 1
    for d in shape[1:]:
        n *= int(d or 1)
    return n


def _channel_scale(shapes: list[Shape]) -> float:
    """Units of thickness per √channel: the deepest slab is about half as thick as the tallest one is high."""
    images = [s for s in shapes if len(s) == 4]
    if not images:
        return 1.0
    tallest = max(max(s[1], s[2]) for s in images)
    deepest = max(s[3] for s in images)
    return max(tallest / (2.0 * math.sqrt(deepest)), 0.5)


def _sizes(shape: Shape, k: float) -> tuple[float, float, float]:
    """(height, depth, thickness) of a computed shape."""
    if len(shape) == 4:
        return float(shape[1]), float(shape[2]), max(k * math.sqrt(shape[3]), 1.0)
    return math.sqrt(numbers(shape)), 0.0, BAR


def _hover(position: int, trace: Trace) -> str:
    if position == 0:
        shape = trace.input_shape
        return f"<b>Input</b><br>{format_shape(shape)}: {numbers(shape):,} numbers per image"
    layer = trace.layers[position - 1]
    head = f"<b>#{position} {layer.spec.describe()}</b>"
    if layer.status == "error":
        return f"{head}<br>breaks here: {layer.error}"
    if layer.status == "skipped":
        return f"{head}<br>not reached: an earlier layer breaks"
    shape = layer.output_shape
    params = f"{layer.params:,} parameters ({layer.formula})" if layer.params else "no weights"
    return f"{head}<br>output {format_shape(shape)}: {numbers(shape):,} numbers<br>{params}"  # type: ignore[arg-type]


def tensor_boxes(trace: Trace) -> list[TensorBox]:
    """Lays out the input and every layer's output as boxes, left to right, to one scale.

    Args:
        trace: a shape trace (``core.shapes.trace``).

    Returns:
        ``len(trace.layers) + 1`` boxes; position 0 is the input.
    """
    shapes = [trace.input_shape] + [t.output_shape for t in trace.layers if t.output_shape]
    k = _channel_scale(shapes)
    tallest = max(_sizes(s, k)[0] for s in shapes)
    side = max(PLACEHOLDER * tallest, 2.0)
    least = MIN_SLOT * tallest
    entries: list[tuple[str, Shape | None]] = [("input", trace.input_shape)]
    entries += [(t.status, t.output_shape) for t in trace.layers]
    boxes, x = [], 0.0
    for position, (status, shape) in enumerate(entries):
        if shape is not None:
            height, depth, thickness = _sizes(shape, k)
            label = shape_label(shape)
        else:
            height, depth, thickness = side, side, side / 2
            label = "error" if status == "error" else "not reached"
        extent = thickness + depth * SLANT * _COS
        slot = max(extent + GAP, least)
        left = x + (slot - extent) / 2
        boxes.append(
            TensorBox(
                position,
                status,
                shape,
                label,
                height,
                depth,
                thickness,
                left,
                slot,
                _hover(position, trace),
            )
        )
        x += slot
    return boxes
