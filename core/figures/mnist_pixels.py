"""Pixel values as figures: how often each value 0..255 occurs, before and after normalising."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.style import ACCENT, MUTED, base_layout
from core.pixel_stats import pixel_value_counts  # noqa: F401 - re-exported with the figures

_MARK = "#334155"  # reference marks (mean, std): neutral, so red keeps meaning "error"


def _std_arrow(fig: go.Figure, col: int, start: float, end: float, text: str) -> None:
    """A double arrow from start to end in one panel, labelled at its right end."""
    xref, yref = ("x", "y domain") if col == 1 else ("x2", "y2 domain")
    fig.add_annotation(
        x=end,
        y=0.5,
        xref=xref,
        yref=yref,
        ax=start,
        ay=0.5,
        axref=xref,
        ayref=yref,
        text="",
        showarrow=True,
        arrowhead=2,
        arrowside="end+start",
        arrowwidth=1.5,
        arrowcolor=_MARK,
    )
    fig.add_annotation(
        x=end,
        y=0.5,
        xref=xref,
        yref=yref,
        text=text,
        showarrow=False,
        xanchor="left",
        xshift=4,
        font=dict(size=11, color=_MARK),
    )


def _histogram_bars(
    fig: go.Figure, binned: np.ndarray, bin_width: int, mean: float, std: float
) -> None:
    """The same bars twice: at the raw values (left) and at (value - mean) / std (right)."""
    lows = np.arange(0, 256, bin_width)
    centres = lows + (bin_width - 1) / 2
    ranges = [f"{lo}" if bin_width == 1 else f"{lo}–{lo + bin_width - 1}" for lo in lows]
    for col, x, width, colour, name, hover in (
        (1, centres, bin_width, MUTED, "raw", "values %{customdata}"),
        (
            2,
            (centres - mean) / std,
            bin_width / std,
            ACCENT,
            "normalised",
            "%{x:.2f} (was %{customdata})",
        ),
    ):
        fig.add_trace(
            go.Bar(
                x=x,
                y=binned,
                width=width,
                marker_color=colour,
                name=name,
                customdata=ranges,
                hovertemplate=hover + ": %{y:,} pixels<extra></extra>",
            ),
            1,
            col,
        )


def _histogram_marks(
    fig: go.Figure, mean: float, std: float, counts: np.ndarray, bin_width: int
) -> None:
    """Dashed lines at the mean (0 after), arrows one std long (1 after), the share of 0s."""
    for col, centre, label in ((1, mean, f"mean {mean:.2f}"), (2, 0.0, "0 = the mean")):
        fig.add_vline(
            x=centre,
            line=dict(color=_MARK, dash="dash", width=1.5),
            row=1,
            col=col,
            annotation=dict(text=label, font=dict(size=11, color=_MARK)),
            annotation_position="top right",
        )
    _std_arrow(fig, 1, mean, mean + std, f"std {std:.2f}")
    _std_arrow(fig, 2, 0.0, 1.0, "1 = one std")
    first_bin = int(counts[:bin_width].sum())
    if first_bin == 0:
        return
    zero_share = 100 * counts[0] / max(int(counts.sum()), 1)
    fig.add_annotation(  # points at the top of the first bar, on the log axis
        x=(bin_width - 1) / 2,
        y=np.log10(first_bin),
        xref="x",
        yref="y",
        ax=70,
        ay=30,
        text=f"{zero_share:.0f}% of all pixels<br>are exactly 0",
        showarrow=True,
        arrowhead=0,
        arrowwidth=1,
        arrowcolor=_MARK,
        xanchor="left",
        align="left",
        font=dict(size=11),
    )


def _histogram_axes(
    fig: go.Figure, binned: np.ndarray, mean: float, std: float, height: int
) -> None:
    """Raw values 0..255 on the left, the same range normalised on the right; one log y axis."""
    positive = binned[binned > 0]
    y_range = (
        [np.log10(positive.min()) - 0.3, np.log10(positive.max()) + 0.6] if positive.size else None
    )
    fig.update_layout(**base_layout(height=height), showlegend=False, bargap=0, hovermode="x")
    fig.update_layout(margin=dict(l=70, r=10, t=30, b=50))
    fig.update_xaxes(title_text="pixel value", range=[-4, 259], row=1, col=1)
    fig.update_xaxes(
        title_text="normalised value", range=[(-4 - mean) / std, (259 - mean) / std], row=1, col=2
    )
    fig.update_yaxes(
        type="log", range=y_range, dtick=1, exponentformat="power", gridcolor="#e2e8f0"
    )
    fig.update_yaxes(title_text="pixels (log scale)", row=1, col=1)


def pixel_histograms(
    raw_counts: np.ndarray, mean: float, std: float, bin_width: int = 4, height: int = 320
) -> go.Figure:
    """Pixel values before and after normalising, from counts of the values 0..255.

    The right panel uses the same counts at x = (value - mean) / std: normalising moves and
    rescales the axis, it does not change the shape. The mean is marked with a dashed line
    (at 0 after), one standard deviation with an arrow (of length 1 after).

    Args:
        raw_counts: (256,) how many pixels have each value 0..255 (see ``pixel_value_counts``).
        mean: the mean pixel value.
        std: the pixel standard deviation; must be > 0.
        bin_width: pixel values per bar, a divisor of 256 (1 draws one bar per value; single
            values are too thin to see at this size).
        height: figure height in pixels.

    Returns:
        A Figure with two Bar traces (raw, normalised) sharing one log-scaled y axis; the
        bars' heights sum to ``raw_counts.sum()`` in each.

    Raises:
        ValueError: if raw_counts is not (256,), std is not positive or bin_width does
            not divide 256.

    Example:
        >>> fig = pixel_histograms(np.ones(256, np.int64), mean=127.5, std=73.9, bin_width=64)
        >>> [int(sum(t.y)) for t in fig.data]
        [256, 256]
    """
    counts = np.asarray(raw_counts)
    if counts.shape != (256,):
        raise ValueError(f"raw_counts must have shape (256,); received {counts.shape}")
    if not std > 0:
        raise ValueError(f"std must be positive; received {std}")
    if bin_width < 1 or 256 % bin_width:
        raise ValueError(f"bin_width must divide 256; received {bin_width}")
    binned = counts.reshape(-1, bin_width).sum(axis=1)
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.06,
        shared_yaxes=True,
        subplot_titles=("Raw pixels, 0 to 255", "After normalising"),
    )
    _histogram_bars(fig, binned, bin_width, mean, std)
    _histogram_marks(fig, mean, std, counts, bin_width)
    _histogram_axes(fig, binned, mean, std, height)
    return fig
