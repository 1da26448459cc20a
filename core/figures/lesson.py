"""The Lesson's own figures: the normalisation slip, and larger type for presentation mode.

>>> import numpy as np
>>> fig = slip_figure(np.ones(256), mean=33.3, std=78.6)
>>> [a.text for a in fig.layout.annotations if "from" in a.text][:1]
['<b>from -0.42 to 2.82</b>']
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.style import ACCENT, ACCENT_2, FONT, base_layout

PRESENT_FONT = 5  # presentation mode: points added to the figure's font
PRESENT_NOTE_FONT = 4  # and to each annotation's
PRESENT_TALLER = 1.25  # figures without a fixed size in pixels grow by this factor


def enlarge(fig: go.Figure, fixed: bool = False) -> go.Figure:
    """Presentation mode: larger fonts; taller unless the figure's size is fixed in pixels.

    >>> enlarge(go.Figure(layout=dict(height=200))).layout.height
    250
    """
    fig.update_layout(font_size=FONT["size"] + PRESENT_FONT, title_font_size=21)
    for note in fig.layout.annotations:
        note.font.size = (note.font.size or FONT["size"]) + PRESENT_NOTE_FONT
    if not fixed and fig.layout.height:
        fig.update_layout(height=round(fig.layout.height * PRESENT_TALLER))
    return fig


def _panel(
    fig: go.Figure, row: int, binned: np.ndarray, mean: float, scale: float, colour: str
) -> None:
    """One histogram of the pixels after (pixel − mean) / scale, with its range shaded and named."""
    centres = np.arange(0, 256, 4) + 1.5
    low, high = (0 - mean) / scale, (255 - mean) / scale
    bars = go.Bar(
        x=(centres - mean) / scale,
        y=binned,
        width=4 / scale,
        marker_color=colour,
        hovertemplate="%{x:.2f}: %{y:,} pixels<extra></extra>",
    )
    fig.add_trace(bars, row, 1)
    fig.add_vrect(x0=low, x1=high, fillcolor=colour, opacity=0.08, line_width=0, row=row, col=1)
    fig.add_annotation(
        x=8.1,
        y=0.9,
        xref="x" if row == 1 else "x2",
        yref="y domain" if row == 1 else "y2 domain",
        text=f"<b>from {low:.2f} to {high:.2f}</b>",
        showarrow=False,
        xanchor="right",
        font=dict(color=colour, size=14),
        bgcolor="white",
    )


def slip_figure(counts: np.ndarray, mean: float, std: float, height: int = 340) -> go.Figure:
    """The same pixel counts normalised two ways, on one axis: ÷ std (the app) and ÷ mean (the notebook).

    Args:
        counts: how many training pixels have each value 0..255 (256 numbers).
        mean: the mean pixel value.
        std: the pixels' standard deviation.
        height: figure height in pixels.
    """
    binned = np.asarray(counts).reshape(-1, 4).sum(axis=1)
    titles = (
        f"(pixel − {mean:.1f}) / std {std:.1f}: this app",
        f"(pixel − {mean:.1f}) / mean {mean:.1f}: the notebook's slip",
    )
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.2, subplot_titles=titles
    )
    _panel(fig, 1, binned, mean, std, ACCENT)
    _panel(fig, 2, binned, mean, mean, ACCENT_2)
    fig.update_layout(**base_layout(height=height), showlegend=False, bargap=0)
    fig.update_layout(margin=dict(l=60, r=10, t=30, b=45))
    fig.update_xaxes(range=[-1.6, 8.2], zeroline=True, zerolinecolor="#334155", gridcolor="#e2e8f0")
    fig.update_xaxes(title_text="input value the network sees", row=2, col=1)
    fig.update_yaxes(
        type="log", dtick=1, exponentformat="power", gridcolor="#e2e8f0", title_text="pixels"
    )
    fig.update_annotations(font_size=13, selector=dict(xanchor="center"))
    return fig
