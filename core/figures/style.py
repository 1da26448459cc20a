"""The one colour scheme: a diverging scale for weights and activations, greys for images."""

from __future__ import annotations

from typing import Any

import numpy as np

# Weights and activations: blue for negative, white for 0, red for positive. Always centred on 0
# with a symmetric range (use diverging_range), so white means "zero" on every chart.
DIVERGING = "RdBu_r"
# Images (pixels, model inputs): black background, white ink, as MNIST stores them.
GREYS = [[0.0, "#000000"], [1.0, "#ffffff"]]
# Categorical accents: one colour per role, used the same way on every page.
ACCENT = "#2563eb"  # the user's model, the selected thing, the "current" value
ACCENT_2 = "#dc2626"  # the comparison (VGG16, wrong predictions, errors)
MUTED = "#94a3b8"  # context: other layers, raw values behind a smoothed curve
OK = "#16a34a"
# One colour per digit 0..9 (the D3 / Tableau 10 qualitative palette), the same on every chart
# that colours digits by class.
DIGIT_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip  # two rows of five read as a palette
FONT = dict(family="Inter, 'Source Sans Pro', sans-serif", size=13)
MARGIN = dict(l=10, r=10, t=40, b=10)


def diverging_range(values: np.ndarray) -> tuple[float, float]:
    """Symmetric colour limits around 0 so that 0 is always the neutral colour.

    >>> diverging_range(np.array([-1.0, 3.0]))
    (-3.0, 3.0)
    """
    bound = float(np.nanmax(np.abs(values))) if np.size(values) else 0.0
    bound = bound if bound > 0 and np.isfinite(bound) else 1.0
    return -bound, bound


def base_layout(title: str | None = None, height: int | None = None) -> dict:
    """Layout settings every figure starts from: font, margins, white background."""
    layout = dict(font=FONT, margin=MARGIN, plot_bgcolor="white", paper_bgcolor="white")
    if title:
        layout["title"] = dict(text=title, x=0, xanchor="left", font=dict(size=15))
    if height:
        layout["height"] = height
    return layout


def outline_cells(
    fig: Any,
    top: float,
    left: float,
    bottom: float,
    right: float,
    colour: str = ACCENT_2,
    width: int = 2,
) -> None:
    """Draws a box around the heatmap cells from (top, left) to (bottom, right), both included.

    Cell centres sit on whole numbers, so the box runs half a cell beyond them on every side.
    """
    fig.add_shape(
        type="rect",
        x0=left - 0.5,
        x1=right + 0.5,
        y0=top - 0.5,
        y1=bottom + 0.5,
        line=dict(color=colour, width=width),
    )
