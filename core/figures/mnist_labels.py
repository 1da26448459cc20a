"""Labels as figures: how many images of each digit, and labels written as one-hot rows."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.style import ACCENT, MUTED, base_layout


def label_counts_bar(
    train_counts: np.ndarray, test_counts: np.ndarray, height: int = 340
) -> go.Figure:
    """How many examples of each digit the training and test sets hold, as grouped bars.

    Args:
        train_counts: (10,) examples per digit in the training set.
        test_counts: (10,) examples per digit in the test set.
        height: figure height in pixels.

    Returns:
        A Figure with two Bar traces, "train" then "test"; hover shows count and share.

    Raises:
        ValueError: if either count array is not (10,).

    Example:
        >>> [t.name for t in label_counts_bar(np.full(10, 6), np.ones(10)).data]
        ['train (60)', 'test (10)']
    """
    traces = []
    for name, counts, colour in (("train", train_counts, ACCENT), ("test", test_counts, MUTED)):
        counts = np.asarray(counts)
        if counts.shape != (10,):
            raise ValueError(f"{name}_counts must have shape (10,); received {counts.shape}")
        share = 100 * counts / max(int(counts.sum()), 1)
        traces.append(
            go.Bar(
                x=np.arange(10),
                y=counts,
                name=f"{name} ({int(counts.sum()):,})",
                marker_color=colour,
                customdata=share,
                hovertemplate=f"{name}: %{{y:,}} images (%{{customdata:.1f}}%)<extra></extra>",
            )
        )
    fig = go.Figure(traces)
    fig.update_layout(
        **base_layout("Images per digit", height),
        barmode="group",
        hovermode="x",
        legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"),
    )
    fig.update_layout(margin=dict(l=70, r=10, t=40, b=45))
    fig.update_xaxes(title_text="digit (label)", tickvals=list(range(10)))
    fig.update_yaxes(title_text="number of images", gridcolor="#e2e8f0", tickformat=",")
    return fig


def one_hot_figure(labels: np.ndarray, height: int | None = None) -> go.Figure:
    """Each label as its one-hot row: ten slots, a 1 in the slot of the digit, 0 elsewhere.

    Args:
        labels: (N,) digits 0..9; one row each, top to bottom.
        height: figure height in pixels; default fits the rows.

    Returns:
        A Figure with one Heatmap; z[i] is the one-hot row of labels[i], written in each cell.

    Raises:
        ValueError: if a label is not an integer digit 0..9.

    Example:
        >>> one_hot_figure(np.array([3, 3])).data[0].y
        ('label 3 (#1) →', 'label 3 (#2) →')
    """
    labels = np.asarray(labels)
    if (
        labels.ndim != 1
        or not np.issubdtype(labels.dtype, np.integer)
        or (labels.size and (labels.min() < 0 or labels.max() > 9))
    ):
        raise ValueError(f"labels must be 1-D digits 0..9; received {labels!r}")
    z = np.zeros((labels.size, 10), dtype=np.int64)
    z[np.arange(labels.size), labels] = 1
    rows = [f"label {int(d)} →" for d in labels]
    # Rows must be unique for a categorical axis; repeated labels get a position suffix.
    rows = [r if rows.count(r) == 1 else f"{r[:-2]} (#{i + 1}) →" for i, r in enumerate(rows)]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(d) for d in range(10)],
            y=rows,
            zmin=0,
            zmax=1,
            showscale=False,
            colorscale=[[0.0, "#f8fafc"], [1.0, ACCENT]],
            xgap=2,
            ygap=2,
            texttemplate="%{z}",
            textfont=dict(size=14),
            hovertemplate="%{y} slot %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_layout(**base_layout("One-hot targets", height or 85 + 34 * labels.size))
    fig.update_layout(margin=dict(l=90, r=10, t=40, b=45))
    fig.update_xaxes(
        title_text="slot (one per digit 0–9)",
        tickmode="linear",
        showgrid=False,
        ticks="",
        zeroline=False,
    )
    fig.update_yaxes(autorange="reversed", showgrid=False, ticks="", zeroline=False)
    return fig
