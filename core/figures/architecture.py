"""The tensor picture: every layer's output drawn to scale, and the VGG16 comparison chart.

A view-model (``tensor_boxes``) turns a shape trace into boxes; the figure functions only draw
those boxes. An image-shaped output (height, width, channels) is a slab: its height and its
slanted depth are proportional to the height and width in pixels (one scale for the whole
picture), and its thickness grows with the square root of the channel count, so 1 and 512
channels both fit. A flat vector of n numbers is a thin bar √n tall: the height a square image
of n pixels would have. The first broken layer is drawn in the error colour, later ones as
dashed outlines ("not reached").

>>> from core.presets import NOTEBOOK_CNN
>>> from core.shapes import trace
>>> [b.label for b in tensor_boxes(trace(NOTEBOOK_CNN))][:3]
['28×28×1', '28×28×1', '30×30×1']
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.style import ACCENT, ACCENT_2, MUTED, base_layout
from core.shapes import Shape, Trace, format_shape

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


def shape_label(shape: Shape) -> str:
    """``28×28×32`` for an image, ``3,136`` for a flat vector, ``28×28×10``-style otherwise.

    >>> shape_label((None, 7, 7, 64)), shape_label((None, 3136))
    ('7×7×64', '3,136')
    """
    dims = shape[1:]
    return f"{dims[0]:,}" if len(dims) == 1 else "×".join(str(d) for d in dims)


def _numbers(shape: Shape) -> int:
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
    return math.sqrt(_numbers(shape)), 0.0, BAR


def _hover(position: int, trace: Trace) -> str:
    if position == 0:
        shape = trace.input_shape
        return f"<b>Input</b><br>{format_shape(shape)}: {_numbers(shape):,} numbers per image"
    layer = trace.layers[position - 1]
    head = f"<b>#{position} {layer.spec.describe()}</b>"
    if layer.status == "error":
        return f"{head}<br>breaks here: {layer.error}"
    if layer.status == "skipped":
        return f"{head}<br>not reached: an earlier layer breaks"
    shape = layer.output_shape
    params = f"{layer.params:,} parameters ({layer.formula})" if layer.params else "no weights"
    return f"{head}<br>output {format_shape(shape)}: {_numbers(shape):,} numbers<br>{params}"  # type: ignore[arg-type]


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


def _tint(colour: str, amount: float) -> str:
    """Mix a #rrggbb colour with white (amount > 0) or black (amount < 0)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    target = 255 if amount > 0 else 0
    mix = [round(c + (target - c) * abs(amount)) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def _faces(box: TensorBox) -> list[list[tuple[float, float]]]:
    """Front, top and side polygons of a box centred on y = 0."""
    x0, x1 = box.x, box.x + box.thickness
    y0 = -(box.height + box.rise) / 2
    y1 = y0 + box.height
    d = box.rise
    front = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    top = [(x0, y1), (x1, y1), (x1 + d, y1 + d), (x0 + d, y1 + d)]
    side = [(x1, y0), (x1 + d, y0 + d), (x1 + d, y1 + d), (x1, y1)]
    return [front, top, side] if d > 0 else [front]


def _colour(box: TensorBox) -> str:
    if box.status == "error":
        return ACCENT_2
    if box.status in ("input", "skipped"):
        return MUTED
    return ACCENT


def _polygon_trace(
    polygons: list[list[tuple[float, float]]], style: tuple[str, str, str, float]
) -> go.Scatter:
    fill, line, dash, width = style
    xs: list[float | None] = []
    ys: list[float | None] = []
    for poly in polygons:
        xs += [p[0] for p in poly] + [poly[0][0], None]
        ys += [p[1] for p in poly] + [poly[0][1], None]
    return go.Scatter(
        x=xs, y=ys, mode="lines", fill="toself", fillcolor=fill,
        line=dict(color=line, width=width, dash=dash), hoverinfo="skip", showlegend=False,
    )  # fmt: skip


def tensor_figure(
    trace: Trace, selected: int | None = None, width_hint: int = 560, label_rows: int = 2
) -> go.Figure:
    """Draws every layer's output tensor to scale, left to right.

    Args:
        trace: the shape trace to draw.
        selected: index of the layer to outline (the one open in the editor), or None.
        width_hint: the width the figure will probably get, in pixels; sets its height so
            the drawing fills it without white bands.
        label_rows: shape labels are staggered over this many rows so neighbours don't collide.

    Returns:
        A Figure with equal x/y scales, so a 14×14 map is drawn half as high as a 28×28 one.
    """
    boxes = tensor_boxes(trace)
    fig = go.Figure()
    by_style: dict[tuple[str, str, str, float], list] = {}
    for box in boxes:
        colour = _colour(box)
        if box.status == "skipped":
            by_style.setdefault(("rgba(0,0,0,0)", MUTED, "dot", 1.0), []).extend(_faces(box))
            continue
        chosen = selected is not None and box.position == selected + 1
        line = ("#0f172a", 2.5) if chosen else (_tint(colour, -0.3), 1.0)
        for face, shade in zip(_faces(box), (0.0, 0.35, -0.25), strict=False):
            fill = colour if shade == 0 else _tint(colour, shade)
            by_style.setdefault((fill, line[0], "solid", line[1]), []).append(face)
    for style, polygons in by_style.items():
        fig.add_trace(_polygon_trace(polygons, style))
    _add_labels(fig, boxes, label_rows)
    top = max(b.height + b.rise for b in boxes) / 2
    right = sum(b.slot for b in boxes)
    low, high = -top * 1.3, top * (1.2 + 0.28 * label_rows)
    span_x = right + (boxes[0].slot + boxes[-1].slot) * 0.2
    height = round(min(max(width_hint * (high - low) / span_x, 160), 270)) + 12
    fig.update_layout(
        **base_layout(height=height),
        hovermode="closest",
        xaxis=dict(visible=False, range=[-boxes[0].slot * 0.2, right + boxes[-1].slot * 0.2], fixedrange=True),
        yaxis=dict(
            visible=False, range=[low, high], scaleanchor="x", scaleratio=1,
            fixedrange=True,
        ),
    )  # fmt: skip
    fig.update_layout(margin=dict(l=4, r=4, t=8, b=4))
    return fig


def _add_labels(fig: go.Figure, boxes: list[TensorBox], rows: int) -> None:
    """Shape labels above the boxes (staggered rows), numbers below, and hover targets."""
    top = max(b.height + b.rise for b in boxes) / 2
    centres = [b.centre for b in boxes]
    # The outermost labels grow inwards so they are never cut at the figure's edges.
    xs = (
        [boxes[0].x] + centres[1:-1] + [boxes[-1].x + boxes[-1].extent]
        if len(boxes) > 1
        else [boxes[0].x]
    )
    where = ["middle right"] + ["middle center"] * (len(boxes) - 2) + ["middle left"]
    fig.add_trace(
        go.Scatter(
            x=xs, y=[top * (1.15 + 0.28 * (rows - 1 - b.position % rows)) for b in boxes],
            textposition=where[: len(boxes)] if len(boxes) > 1 else ["middle right"],
            mode="text", text=[b.label for b in boxes], hoverinfo="skip", showlegend=False,
            textfont=dict(size=11, color=[ACCENT_2 if b.status == "error" else "#334155" for b in boxes]),
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=centres, y=[-top * 1.12] * len(boxes), mode="text", showlegend=False,
            text=["in" if b.position == 0 else f"#{b.position}" for b in boxes], hoverinfo="skip",
            textfont=dict(size=10, color=MUTED),
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=centres, y=[0.0] * len(boxes), mode="markers", showlegend=False,
            marker=dict(size=[max(10.0, min(40.0, b.height)) for b in boxes], opacity=0),
            hovertext=[b.hover for b in boxes], hovertemplate="%{hovertext}<extra></extra>",
        )
    )  # fmt: skip


def _journey(trace: Trace) -> tuple[list[int], list[int], list[str]]:
    """(positions, numbers per example, hover names) for the input and every ok layer."""
    xs, ys, names = [0], [_numbers(trace.input_shape)], ["input " + format_shape(trace.input_shape)]
    for t in trace.layers:
        if t.status == "ok":
            xs.append(t.index + 1)
            ys.append(_numbers(t.output_shape))  # type: ignore[arg-type]
            names.append(f"#{t.index + 1} {t.spec.describe()} → {format_shape(t.output_shape)}")
    return xs, ys, names


def comparison_figure(
    mine: Trace, other: Trace, other_name: str = "VGG16", height: int = 330
) -> go.Figure:
    """Two panels: numbers per example after each layer, and parameters per layer (log scales).

    Args:
        mine: the user's trace (drawn in the accent colour).
        other: the comparison trace (drawn in the comparison colour).
        other_name: legend name of the comparison.
        height: figure height in pixels.
    """
    fig = make_subplots(
        rows=1, cols=2, horizontal_spacing=0.1,
        subplot_titles=("Numbers per image after each layer", "Parameters in each layer"),
    )  # fmt: skip
    for trace, name, colour in ((mine, "Your model", ACCENT), (other, other_name, ACCENT_2)):
        xs, ys, names = _journey(trace)
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="lines+markers", name=name, legendgroup=name,
                line=dict(color=colour), hovertext=names,
                hovertemplate="%{hovertext}<br>%{y:,} numbers<extra></extra>",
            ), row=1, col=1,
        )  # fmt: skip
        weighted = [t for t in trace.layers if t.status == "ok" and t.params]
        fig.add_trace(
            go.Bar(
                x=[t.index + 1 for t in weighted], y=[t.params for t in weighted], name=name,
                legendgroup=name, showlegend=False, marker_color=colour,
                hovertext=[t.spec.describe() for t in weighted],
                hovertemplate="#%{x} %{hovertext}<br>%{y:,} parameters<extra></extra>",
            ), row=1, col=2,
        )  # fmt: skip
    fig.update_layout(
        **base_layout(height=height), barmode="group", legend=dict(orientation="h", y=-0.2)
    )
    fig.update_yaxes(type="log", gridcolor="#e2e8f0", tickformat="~s")
    fig.update_xaxes(title_text="layer #", gridcolor="#f1f5f9")
    return fig
