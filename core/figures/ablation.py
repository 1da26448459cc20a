"""Switching filters off: one digit's probabilities, and the accuracy per digit, before and after."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.style import ACCENT_2, MUTED, base_layout

BEFORE, AFTER = "all filters on", "with filters off"
DIGITS = [str(d) for d in range(10)]


def probabilities(
    before: np.ndarray, after: np.ndarray, title: str, height: int = 260
) -> go.Figure:
    """The digit's ten probabilities with every filter on and with the chosen ones off.

    Args:
        before: (10,) probabilities with every filter on.
        after: (10,) with the chosen filters off.
        title: the chart's title.
        height: pixels.
    """
    fig = go.Figure(
        [
            _bars(before, BEFORE, MUTED, "digit %{x}: %{y:.1%}"),
            _bars(after, AFTER, ACCENT_2, "digit %{x}: %{y:.1%}"),
        ]
    )
    fig.update_layout(**_layout(title, height, "probability"))
    return fig


def per_class(
    before: np.ndarray, after: np.ndarray, counts: np.ndarray, title: str, height: int = 300
) -> go.Figure:
    """Each true digit's share read right, with every filter on and with the chosen ones off.

    Args:
        before: (10,) accuracy per true digit, 0..1 (NaN for a digit without test digits).
        after: (10,) likewise with the filters off.
        counts: (10,) test digits of each class (shown on hover).
        title: the chart's title.
        height: pixels.
    """
    counts = np.asarray(counts, np.int64)
    hover = "digit %{x}: %{y:.1%} of %{customdata:,} read right"
    fig = go.Figure(
        [
            _bars(before, BEFORE, MUTED, hover, counts),
            _bars(after, AFTER, ACCENT_2, hover, counts),
        ]
    )
    fig.update_layout(**_layout(title, height, "share read right"))
    return fig


def _bars(
    values: np.ndarray, name: str, colour: str, hover: str, custom: np.ndarray | None = None
) -> go.Bar:
    return go.Bar(
        x=DIGITS,
        y=np.asarray(values, np.float64),
        name=name,
        marker_color=colour,
        customdata=custom,
        hovertemplate=hover + "<extra>%{fullData.name}</extra>",
    )


def _layout(title: str, height: int, y_title: str) -> dict:
    layout = base_layout(title, height)
    layout.update(
        barmode="group",
        bargap=0.25,
        xaxis=dict(title=dict(text="digit"), type="category"),
        yaxis=dict(title=dict(text=y_title), range=[0, 1], tickformat=".0%", gridcolor="#eef2f7"),
        legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"),
    )
    return layout
