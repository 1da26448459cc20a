"""The tensor picture: every layer's output drawn to scale, left to right (boxes from ``core.tensor_layout``).

The first broken layer is drawn in the error colour, later ones as dashed outlines ("not
reached"). Equal x/y scales keep the proportions: a 14×14 map is half as high as a 28×28 one.

>>> from core.presets import NOTEBOOK_CNN
>>> from core.shapes import trace
>>> tensor_figure(trace(NOTEBOOK_CNN)).layout.yaxis.scaleanchor
'x'
"""

from __future__ import annotations

import plotly.graph_objects as go

from core.figures.style import ACCENT, ACCENT_2, MUTED, base_layout
from core.shapes import Trace
from core.tensor_layout import TensorBox, tensor_boxes

__all__ = ["tensor_figure"]


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
        x=xs,
        y=ys,
        mode="lines",
        fill="toself",
        fillcolor=fill,
        line=dict(color=line, width=width, dash=dash),
        hoverinfo="skip",
        showlegend=False,
    )


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
        xaxis=dict(
            visible=False,
            range=[-boxes[0].slot * 0.2, right + boxes[-1].slot * 0.2],
            fixedrange=True,
        ),
        yaxis=dict(
            visible=False,
            range=[low, high],
            scaleanchor="x",
            scaleratio=1,
            fixedrange=True,
        ),
    )
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
            x=xs,
            y=[top * (1.15 + 0.28 * (rows - 1 - b.position % rows)) for b in boxes],
            textposition=where[: len(boxes)] if len(boxes) > 1 else ["middle right"],
            mode="text",
            text=[b.label for b in boxes],
            hoverinfo="skip",
            showlegend=False,
            textfont=dict(
                size=11, color=[ACCENT_2 if b.status == "error" else "#334155" for b in boxes]
            ),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=centres,
            y=[-top * 1.12] * len(boxes),
            mode="text",
            showlegend=False,
            text=["in" if b.position == 0 else f"#{b.position}" for b in boxes],
            hoverinfo="skip",
            textfont=dict(size=10, color=MUTED),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=centres,
            y=[0.0] * len(boxes),
            mode="markers",
            showlegend=False,
            marker=dict(size=[max(10.0, min(40.0, b.height)) for b in boxes], opacity=0),
            hovertext=[b.hover for b in boxes],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
