"""Figures for Look inside's "What a filter looks for": the strongest patches, and where they sit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.inside import grid_figure, tile
from core.figures.style import ACCENT, GREYS, MUTED, outline_cells


def patches_grid(
    patches: np.ndarray, values: np.ndarray, title: str, columns: int = 9, px: int = 6
) -> go.Figure:
    """Top patches in greys (NaN = outside the image), each with its activation written above."""
    patches = np.asarray(patches, np.float32)
    n, s = patches.shape[0], patches.shape[1]
    z, custom = tile(np.moveaxis(patches, 0, -1), columns, gap=max(2, s // 5))
    hover = "patch %{customdata[0]} · row %{customdata[1]}, col %{customdata[2]}<br>pixel %{z:.0f}"
    px = min(24, max(px, round(72 / max(s, 1))))  # at least ~72 screen pixels per patch
    fig = grid_figure(z, custom, (0, 255), hover, title, px, colorscale=GREYS)
    fig.update_traces(showscale=False)
    gap = max(2, s // 5)
    cols = max(1, min(columns, n))
    for k in range(n):  # outline each patch: its NaN part (outside the digit) has no colour
        x0, y0 = (k % cols) * (s + gap) - 0.5, (k // cols) * (s + gap) - 0.5
        fig.add_shape(
            type="rect", x0=x0, x1=x0 + s, y0=y0, y1=y0 + s, line=dict(color=MUTED, width=1)
        )
    for k, v in enumerate(values):
        _value_below(
            fig, (k % cols) * (s + gap) + s / 2 - 0.5, (k // cols) * (s + gap) + s - 0.5, v
        )
    fig.update_layout(height=fig.layout.height + 24, margin=dict(l=8, r=8, t=36, b=30))
    return fig


def digits_with_boxes(
    images: np.ndarray, boxes: np.ndarray, values: np.ndarray, title: str, px: int = 3
) -> go.Figure:
    """Whole digits side by side, each with one box outlined and a number written under it.

    Args:
        images: (n, 28, 28) pixels 0..255.
        boxes: (n, 4) (top, left, bottom, right), inclusive; may reach outside the image.
        values: (n,) the number to write under each digit.
        title: the chart title.
        px: screen pixels per image pixel.
    """
    images = np.asarray(images, np.float32)
    n, h, w = images.shape
    gap = 4
    z, custom = tile(np.moveaxis(images, 0, -1), n, gap=gap)
    hover = "digit %{customdata[0]} · row %{customdata[1]}, col %{customdata[2]}<br>pixel %{z:.0f}"
    fig = grid_figure(z, custom, (0, 255), hover, title, px, colorscale=GREYS)
    fig.update_traces(showscale=False)
    for k, ((top, left, bottom, right), v) in enumerate(zip(boxes, values, strict=True)):
        x0 = k * (w + gap)
        outline_cells(
            fig, max(top, 0), x0 + max(left, 0), min(bottom, h - 1), x0 + min(right, w - 1)
        )
        _value_below(fig, x0 + w / 2 - 0.5, h - 0.5, v)
    fig.update_layout(height=fig.layout.height + 20, margin=dict(l=8, r=8, t=36, b=28))
    return fig


def _value_below(fig: go.Figure, x: float, y: float, value: float) -> None:
    """A patch's activation, written just below it in the accent colour."""
    fig.add_annotation(
        x=x,
        y=y,
        text=f"{value:.2f}",
        showarrow=False,
        yanchor="top",
        font=dict(size=11, color=ACCENT),
    )
