"""Figures for Look inside's "One window explained": a Conv2D's multiply-and-sum, a pooling window."""

from __future__ import annotations

import copy
import functools

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.inside import GAP_COLOUR
from core.figures.style import (
    DIVERGING,
    MUTED,
    base_layout,
    diverging_range,
    outline_cells,
)


def _numbers(z, axes: str, colorscale, zrange, fmt: str, name: str) -> go.Heatmap:
    """A small heatmap with each value written in its cell, on the axes ``x<axes>``/``y<axes>``."""
    return go.Heatmap(
        z=z,
        colorscale=colorscale,
        zmin=zrange[0],
        zmax=zrange[1],
        showscale=False,
        texttemplate=f"%{{z:{fmt}}}",
        textfont=dict(size=12),
        xgap=2,
        ygap=2,
        hovertemplate=f"{name}<br>row %{{y}}, col %{{x}}: %{{z:.4f}}<extra></extra>",
        xaxis=f"x{axes}",
        yaxis=f"y{axes}",
    )


@functools.cache
def _three_panels() -> dict:
    """The layout of three panels side by side with their titles, laid out by make_subplots once."""
    grid = make_subplots(
        1,
        3,
        horizontal_spacing=0.08,
        subplot_titles=("input patch", "× filter weights", "= products"),
    )
    layout = grid.to_dict()["layout"]
    layout.pop("template", None)  # go.Figure adds the default one itself
    for axes in ("", "2", "3"):
        layout[f"xaxis{axes}"].update(visible=False, constrain="domain")
        layout[f"yaxis{axes}"].update(
            visible=False, autorange="reversed", scaleanchor=f"x{axes}", constrain="domain"
        )
    return layout


def conv_window(
    patch: np.ndarray,
    weights: np.ndarray,
    products: np.ndarray,
    height: int = 250,
    patch_range: tuple[float, float] | None = None,
    weight_range: tuple[float, float] | None = None,
) -> go.Figure:
    """One input channel of a Conv2D window: patch × weights = products, each number written.

    Args:
        patch, weights, products: (k, k) arrays (one input channel of a ConvPixel).
        height: figure height in pixels.
        patch_range, weight_range: colour limits, e.g. over the whole layer input and the whole
            kernel so that colours match the other charts; default: this window's own values.
    """
    panels = [
        _numbers(patch, "", DIVERGING, patch_range or diverging_range(patch), ".2f", "input"),
        _numbers(
            weights, "2", DIVERGING, weight_range or diverging_range(weights), ".2f", "weight"
        ),
        _numbers(products, "3", DIVERGING, diverging_range(products), ".2f", "product"),
    ]
    layout = copy.deepcopy(_three_panels())
    layout.update(base_layout(None, height), margin=dict(l=8, r=8, t=30, b=8))
    return go.Figure(panels, layout=layout)  # in one go: make_subplots and updates cost ~20 ms


def channel_sums(products: np.ndarray, height: int = 200) -> go.Figure:
    """How much each input channel's k×k multiply-and-sum adds to a Conv2D's output value."""
    sums = np.asarray(products, np.float64).reshape(-1, products.shape[-1]).sum(axis=0)
    lo, hi = diverging_range(sums)
    fig = go.Figure(
        go.Bar(
            x=np.arange(len(sums)),
            y=sums,
            marker=dict(color=sums, colorscale=DIVERGING, cmin=lo, cmax=hi),
            hovertemplate="input channel %{x}: %{y:.3f}<extra></extra>",
        )
    )
    fig.update_layout(**base_layout("What each input channel adds", height), title_font_size=14)
    fig.update_layout(margin=dict(l=50, r=10, t=36, b=36))
    fig.update_xaxes(title_text="input channel")
    fig.update_yaxes(gridcolor=GAP_COLOUR, zeroline=True, zerolinecolor=MUTED)
    return fig


def pool_window(window: np.ndarray, argmax: tuple[int, int] | None, height: int = 220) -> go.Figure:
    """A pooling window's values written in their cells; the chosen maximum outlined."""
    window = np.asarray(window, np.float64)
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=window,
            colorscale=DIVERGING,
            zmin=diverging_range(window)[0],
            zmax=diverging_range(window)[1],
            showscale=False,
            texttemplate="%{z:.3f}",
            textfont=dict(size=13),
            xgap=2,
            ygap=2,
            hovertemplate="row %{y}, col %{x}: %{z:.4f}<extra></extra>",
        )
    )
    if argmax is not None:
        r, c = argmax
        outline_cells(fig, r, c, r, c, width=4)
    fig.update_layout(**base_layout(None, height))
    fig.update_layout(margin=dict(l=8, r=8, t=8, b=8))
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", constrain="domain")
    return fig
