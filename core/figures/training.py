"""Figures of training on the Train page: live curves, first-layer filters, several runs overlaid.

The test-result figures (confusion matrix, per-digit bars, chosen digits) are in
``core.figures.training_results``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.style import ACCENT, ACCENT_2, DIVERGING, MUTED, OK, base_layout, diverging_range

# The Lesson page imports probabilities_figure from here.
from core.figures.training_results import probabilities_figure  # noqa: F401

TEST = OK  # test-set figures: a colour of their own, used the same way on every chart here
RUN_COLOURS = (ACCENT, ACCENT_2, OK, "#9333ea", "#ea580c", "#0891b2", "#475569", "#db2777")


def smooth(values: Sequence[float], weight: float | None = None) -> np.ndarray:
    """Exponential moving average with TensorBoard's start-up correction.

    Args:
        values: the raw points.
        weight: how much of the previous average to keep, 0..1; default depends on the count
            (about 1/25 of the points contribute to each smoothed value).

    >>> smooth([1.0, 1.0, 1.0]).tolist()
    [1.0, 1.0, 1.0]
    """
    values = np.asarray(values, dtype=np.float64)
    if weight is None:
        weight = float(np.clip(1 - 25 / max(len(values), 1), 0.0, 0.95))
    out = np.empty_like(values)
    last, debias = 0.0, 0.0
    for i, v in enumerate(values):
        last = weight * last + (1 - weight) * v
        debias = weight * debias + (1 - weight)
        out[i] = last / debias if debias > 0 else v
    return out


def curves_figure(
    examples: Sequence[int],
    loss: Sequence[float],
    accuracy: Sequence[float],
    n_train: int,
    test_epochs: Sequence[int] = (),
    test_loss: Sequence[float] = (),
    test_accuracy: Sequence[float] = (),
    epochs: int | None = None,
    revision: str = "",
    height: int = 320,
) -> go.Figure:
    """Training loss and accuracy (raw faint, smoothed bold) and the test figures after each epoch.

    Built from one plain spec (no ``make_subplots``): it is redrawn twice a second while a model
    trains, and this keeps each redraw to a few milliseconds of the training thread's CPU.

    Args:
        examples: examples seen at each point; x is ``examples / n_train`` (epochs).
        loss, accuracy: one value per point (the mean over the few batches before it).
        n_train: training images per epoch.
        test_epochs, test_loss, test_accuracy: one value per finished epoch.
        epochs: the planned number of epochs, to fix the x range while training.
        revision: Plotly's uirevision: keeps the user's zoom while the figure updates.
        height: pixels.
    """
    x = np.asarray(examples, dtype=np.float64) / max(n_train, 1)
    top = max(float(epochs or 0), float(x.max()) if x.size else 0.0, 1.0)
    data = _traces(x, loss, test_epochs, test_loss, "loss", 1)
    data += _traces(x, accuracy, test_epochs, test_accuracy, "accuracy", 2)
    return go.Figure(dict(data=data, layout=_curves_layout(top, height, revision)))


def _traces(
    x: np.ndarray,
    values: Sequence[float],
    test_epochs: Sequence[int],
    tests: Sequence[float],
    name: str,
    panel: int,
) -> list[dict]:
    """One panel's three traces: raw training points, their smoothed line, the test markers."""
    common = dict(xaxis=f"x{panel}", yaxis=f"y{panel}", showlegend=panel == 1, type="scatter")
    hover = f"epoch %{{x:.2f}}<br>{name} %{{y:.3f}}"
    raw = dict(
        x=x,
        y=np.asarray(values, dtype=np.float64),
        mode="lines",
        line=dict(color=MUTED, width=1),
        opacity=0.6,
        name="training, every few batches",
        legendgroup="raw",
        hovertemplate=f"{hover}<extra>raw</extra>",
    )
    smoothed = dict(
        x=x,
        y=smooth(values),
        mode="lines",
        line=dict(color=ACCENT, width=2.5),
        name="training, smoothed",
        legendgroup="smooth",
        hovertemplate=f"{hover}<extra>smoothed</extra>",
    )
    test = dict(
        x=list(test_epochs),
        y=list(tests),
        mode="markers+lines",
        marker=dict(color=TEST, size=11, symbol="diamond", line=dict(color="white", width=1)),
        line=dict(color=TEST, width=1, dash="dot"),
        name="test set, after each epoch",
        legendgroup="test",
        hovertemplate=f"after epoch %{{x}}<br>test {name} %{{y:.4f}}<extra></extra>",
    )
    return [common | trace for trace in (raw, smoothed, test)]


def _curves_layout(top: float, height: int, revision: str) -> dict:
    """Two panels side by side (loss, accuracy) sharing an x axis in epochs from 0 to ``top``."""
    grid = dict(gridcolor="#e2e8f0", zeroline=False)
    xaxis = dict(range=[0, top * 1.02], title=dict(text="epochs"), **grid)
    titles = [
        dict(
            text=title,
            x=x0,
            xref="paper",
            y=1.0,
            yref="paper",
            yanchor="bottom",
            showarrow=False,
            font=dict(size=14),
        )
        for title, x0 in (("Loss", 0.225), ("Accuracy", 0.775))
    ]
    return base_layout(None, height) | dict(
        xaxis1=dict(domain=[0, 0.45], anchor="y1", **xaxis),
        xaxis2=dict(domain=[0.55, 1], anchor="y2", **xaxis),
        yaxis1=dict(anchor="x1", rangemode="tozero", **grid),
        yaxis2=dict(anchor="x2", range=[0, 1.01], tickformat=".0%", **grid),
        annotations=titles,
        legend=dict(orientation="h", yanchor="bottom", y=1.1, x=0, font=dict(size=12)),
        margin=dict(l=10, r=10, t=60, b=10),
        uirevision=revision or None,
    )


def filters_mosaic(kernel: np.ndarray, columns: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """First-layer kernels laid out in a grid, NaN between tiles.

    Args:
        kernel: (kh, kw, in_channels, filters); with several input channels their mean is shown.
        columns: tiles per row; default 8 (16 above 32 filters).

    Returns:
        (z, number): the mosaic and, per cell, the filter number (NaN in the gaps).

    >>> z, n = filters_mosaic(np.ones((3, 3, 1, 2)), columns=2)
    >>> z.shape, int(np.nansum(n == 1))
    ((3, 7), 9)
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 4:
        raise ValueError(f"kernel must have shape (kh, kw, in, filters); received {kernel.shape}")
    kh, kw, _, n = kernel.shape
    tiles = kernel.mean(axis=2)
    columns = columns or (8 if n <= 32 else 16)
    columns = max(1, min(columns, n))
    rows = -(-n // columns)
    z = np.full((rows * (kh + 1) - 1, columns * (kw + 1) - 1), np.nan)
    number = np.full_like(z, np.nan)
    for f in range(n):
        top, left = (f // columns) * (kh + 1), (f % columns) * (kw + 1)
        z[top : top + kh, left : left + kw] = tiles[:, :, f]
        number[top : top + kh, left : left + kw] = f + 1
    return z, number


def filters_figure(
    kernel: np.ndarray, title: str | None = None, height: int | None = None
) -> go.Figure:
    """The first Conv2D layer's filters as small heatmaps: blue negative, white 0, red positive.

    One heatmap of the whole mosaic (built from a plain spec, cheap to redraw while training).
    """
    z, number = filters_mosaic(kernel)
    low, high = diverging_range(z[np.isfinite(z)])
    rows, cols = z.shape
    width_px = 430  # about the width the Train page gives the mosaic (beside its colour bar)
    auto_height = 70 + int(width_px * rows / max(cols, 1))
    layout = base_layout(title, height or auto_height) | dict(
        xaxis=dict(visible=False, constrain="domain"),
        yaxis=dict(visible=False, autorange="reversed", scaleanchor="x", constrain="domain"),
    )
    heatmap = dict(
        type="heatmap",
        z=z,
        customdata=number,
        colorscale=DIVERGING,
        zmin=low,
        zmax=high,
        zmid=0,
        hovertemplate="filter %{customdata:.0f}<br>weight %{z:.3f}<extra></extra>",
        colorbar=dict(thickness=10, len=0.9, outlinewidth=0),
    )
    return go.Figure(dict(data=[heatmap], layout=layout))


def runs_figure(runs: Sequence[dict], height: int = 320) -> go.Figure:
    """Several runs overlaid: smoothed training loss and test accuracy per epoch.

    Args:
        runs: dicts with ``label``, ``n_train``, ``examples``, ``loss``, ``test_epochs``, ``test_accuracy``.
        height: pixels.
    """
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Training loss (smoothed)", "Test accuracy"),
        horizontal_spacing=0.1,
    )
    for i, run in enumerate(runs):
        colour = RUN_COLOURS[i % len(RUN_COLOURS)]
        x = np.asarray(run["examples"], dtype=np.float64) / max(run["n_train"], 1)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=smooth(run["loss"]),
                mode="lines",
                line=dict(color=colour, width=2),
                name=run["label"],
                legendgroup=run["label"],
                hovertemplate="epoch %{x:.2f}: loss %{y:.3f}<extra>%{fullData.name}</extra>",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=list(run["test_epochs"]),
                y=list(run["test_accuracy"]),
                mode="lines+markers",
                line=dict(color=colour, width=2),
                marker=dict(size=8),
                name=run["label"],
                legendgroup=run["label"],
                showlegend=False,
                hovertemplate="after epoch %{x}: %{y:.2%}<extra>%{fullData.name}</extra>",
            ),
            row=1,
            col=2,
        )
    fig.update_xaxes(title_text="epochs", gridcolor="#e2e8f0", rangemode="tozero")
    fig.update_yaxes(gridcolor="#e2e8f0")
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    accuracies = [a for run in runs for a in run["test_accuracy"]]
    low = min(accuracies, default=0.9)
    fig.update_yaxes(tickformat=".1%", range=[max(0.0, low - 0.02), 1.0], row=1, col=2)
    fig.update_layout(
        **base_layout(None, height),
        legend=dict(orientation="h", yanchor="top", y=-0.25, x=0, font=dict(size=12)),
    )
    fig.update_layout(margin=dict(l=10, r=10, t=40, b=10))
    return fig
