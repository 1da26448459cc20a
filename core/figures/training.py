"""Figures for the Train page: live curves, first-layer filters, confusion matrix, per-class bars, runs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.mnist import captioned_grid
from core.figures.style import ACCENT, ACCENT_2, DIVERGING, MUTED, OK, base_layout, diverging_range

TEST = OK  # test-set figures: a colour of their own, used the same way on every chart here
RUN_COLOURS = (ACCENT, ACCENT_2, OK, "#9333ea", "#ea580c", "#0891b2", "#475569", "#db2777")
COUNT_SCALE = [[0.0, "#ffffff"], [1.0, ACCENT]]  # right answers (the diagonal)
ERROR_SCALE = [[0.0, "#ffffff"], [1.0, ACCENT_2]]  # wrong answers
_CONFIG_NOTE = "x: epochs (1.0 = one pass over the training images)"


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
    data = []
    for i, (values, tests, name) in enumerate(
        ((loss, test_loss, "loss"), (accuracy, test_accuracy, "accuracy"))
    ):
        axes = dict(xaxis=f"x{i + 1}", yaxis=f"y{i + 1}", showlegend=i == 0)
        data += [
            dict(type="scatter", x=x, y=np.asarray(values, dtype=np.float64), mode="lines",
                 line=dict(color=MUTED, width=1), opacity=0.6, name="training, every few batches",
                 legendgroup="raw", hovertemplate=f"epoch %{{x:.2f}}<br>{name} %{{y:.3f}}<extra>raw</extra>",
                 **axes),
            dict(type="scatter", x=x, y=smooth(values), mode="lines", line=dict(color=ACCENT, width=2.5),
                 name="training, smoothed", legendgroup="smooth",
                 hovertemplate=f"epoch %{{x:.2f}}<br>{name} %{{y:.3f}}<extra>smoothed</extra>", **axes),
            dict(type="scatter", x=list(test_epochs), y=list(tests), mode="markers+lines",
                 marker=dict(color=TEST, size=11, symbol="diamond", line=dict(color="white", width=1)),
                 line=dict(color=TEST, width=1, dash="dot"), name="test set, after each epoch",
                 legendgroup="test", hovertemplate=f"after epoch %{{x}}<br>test {name} %{{y:.4f}}<extra></extra>",
                 **axes),
        ]  # fmt: skip
    grid = dict(gridcolor="#e2e8f0", zeroline=False)
    xaxis = dict(range=[0, top * 1.02], title=dict(text="epochs"), **grid)
    layout = base_layout(None, height) | dict(
        xaxis1=dict(domain=[0, 0.45], anchor="y1", **xaxis),
        xaxis2=dict(domain=[0.55, 1], anchor="y2", **xaxis),
        yaxis1=dict(anchor="x1", rangemode="tozero", **grid),
        yaxis2=dict(anchor="x2", range=[0, 1.01], tickformat=".0%", **grid),
        annotations=[
            dict(text=title, x=x0, xref="paper", y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                 font=dict(size=14))
            for title, x0 in (("Loss", 0.225), ("Accuracy", 0.775))
        ],
        legend=dict(orientation="h", yanchor="bottom", y=1.1, x=0, font=dict(size=12)),
        margin=dict(l=10, r=10, t=60, b=10),
        uirevision=revision or None,
    )  # fmt: skip
    return go.Figure(dict(data=data, layout=layout))


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
        type="heatmap", z=z, customdata=number, colorscale=DIVERGING, zmin=low, zmax=high, zmid=0,
        hovertemplate="filter %{customdata:.0f}<br>weight %{z:.3f}<extra></extra>",
        colorbar=dict(thickness=10, len=0.9, outlinewidth=0),
    )  # fmt: skip
    return go.Figure(dict(data=[heatmap], layout=layout))


def confusion_figure(
    cm: np.ndarray, selected: tuple[int, int] | None = None, height: int = 460
) -> go.Figure:
    """Confusion matrix: right answers in blue on the diagonal, mistakes in red on their own scale.

    A transparent square marker sits on every cell so that a click selects it
    (``st.plotly_chart(on_select=...)`` reports points of scatter traces, not of heatmaps).

    Args:
        cm: (10, 10) counts, row = true digit, column = predicted digit.
        selected: (true, predicted) of the cell to outline.
        height: pixels.
    """
    cm = np.asarray(cm, dtype=np.int64)
    n = cm.shape[0]
    digits = list(range(n))
    diag = np.where(np.eye(n, dtype=bool), cm, np.nan).astype(float)
    off = np.where(np.eye(n, dtype=bool), np.nan, cm).astype(float)
    off_max = max(float(np.nanmax(off)) if np.isfinite(off).any() else 0.0, 1.0)
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=diag,
            x=digits,
            y=digits,
            colorscale=COUNT_SCALE,
            zmin=0,
            showscale=False,
            hoverinfo="skip",
            xgap=1,
            ygap=1,
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=off,
            x=digits,
            y=digits,
            colorscale=ERROR_SCALE,
            zmin=0,
            zmax=off_max,
            showscale=False,
            hoverinfo="skip",
            xgap=1,
            ygap=1,
        )
    )
    totals = cm.sum(axis=1)
    t, p = np.meshgrid(digits, digits, indexing="ij")
    share = np.divide(cm, np.maximum(totals, 1)[:, None])
    text = [str(v) if v else "" for v in cm.ravel()]
    dark = cm.ravel() > 0.6 * np.where(np.eye(n, dtype=bool), max(cm.max(), 1), off_max).ravel()
    fig.add_trace(
        go.Scatter(
            x=p.ravel(),
            y=t.ravel(),
            mode="markers+text",
            text=text,
            textfont=dict(size=12, color=["white" if d else "#0f172a" for d in dark]),
            marker=dict(symbol="square", size=30, color="rgba(0,0,0,0)", opacity=0.01),
            selected=dict(marker=dict(opacity=0.01)),
            unselected=dict(marker=dict(opacity=0.01)),
            customdata=np.stack([t.ravel(), p.ravel(), cm.ravel(), 100 * share.ravel()], axis=1),
            hovertemplate=(
                "true %{customdata[0]}, predicted %{customdata[1]}<br>"
                "%{customdata[2]} test images (%{customdata[3]:.1f}% of the %{customdata[0]}s)"
                "<br>click to see them<extra></extra>"
            ),
            showlegend=False,
        )
    )
    if selected is not None:
        r, c = selected
        fig.add_shape(
            type="rect",
            x0=c - 0.5,
            x1=c + 0.5,
            y0=r - 0.5,
            y1=r + 0.5,
            line=dict(color="#0f172a", width=3),
        )
    fig.update_layout(**base_layout(None, height))
    fig.update_layout(clickmode="event+select", dragmode=False, hovermode="closest")
    fig.update_xaxes(
        title_text="predicted digit",
        tickmode="array",
        tickvals=digits,
        side="top",
        range=[-0.5, n - 0.5],
        showgrid=False,
        zeroline=False,
        fixedrange=True,
        constrain="domain",
    )
    fig.update_yaxes(
        title_text="true digit",
        constrain="domain",
        tickmode="array",
        tickvals=digits,
        autorange="reversed",
        showgrid=False,
        zeroline=False,
        scaleanchor="x",
        fixedrange=True,
    )
    fig.update_layout(margin=dict(l=10, r=10, t=50, b=10))
    return fig


def per_class_figure(accuracy: np.ndarray, height: int = 300) -> go.Figure:
    """Per-digit test accuracy as bars; the weakest digit in the error colour."""
    acc = np.asarray(accuracy, dtype=np.float64)
    worst = int(np.nanargmin(acc)) if np.isfinite(acc).any() else -1
    colours = [ACCENT_2 if d == worst else ACCENT for d in range(len(acc))]
    fig = go.Figure(
        go.Bar(
            x=[str(d) for d in range(len(acc))],
            y=acc,
            marker_color=colours,
            text=[f"{v:.1%}" if np.isfinite(v) else "–" for v in acc],
            textposition="outside",
            hovertemplate="digit %{x}: %{y:.2%} of its test images right<extra></extra>",
        )
    )
    low = float(np.nanmin(acc)) if np.isfinite(acc).any() else 0.0
    fig.update_layout(**base_layout("Test accuracy per digit", height))
    fig.update_yaxes(range=[max(0.0, low - 0.1), 1.03], tickformat=".0%", gridcolor="#e2e8f0")
    fig.update_xaxes(title_text="true digit", type="category")
    return fig


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


def cell_digits_figure(
    images: np.ndarray,
    captions: Sequence[str],
    columns: int = 8,
    title: str | None = None,
    colour: str = ACCENT_2,
) -> go.Figure:
    """Test digits in a grid with a short caption above each (e.g. its predicted probability).

    ``colour`` is the captions': the error colour for mistakes, ACCENT for right answers.
    """
    images = np.asarray(images)
    columns = max(1, min(columns, len(images)))
    rows = max(1, -(-len(images) // columns))
    return captioned_grid(images, list(captions), columns, title, 50 + 70 * rows, colour, font_size=11)


def probabilities_figure(
    probs: np.ndarray, names: Sequence[str], height: int | None = None
) -> go.Figure:
    """Each example's 10 predicted probabilities as one row of a heatmap, percentages written in."""
    probs = np.asarray(probs, dtype=np.float64)
    text = [[f"{100 * v:.0f}" if v >= 0.005 else "" for v in row] for row in probs]
    fig = go.Figure(
        go.Heatmap(
            z=probs,
            x=[str(d) for d in range(probs.shape[1])],
            y=list(names),
            colorscale=COUNT_SCALE,
            zmin=0,
            zmax=1,
            text=text,
            texttemplate="%{text}",
            showscale=False,
            xgap=1,
            ygap=1,
            hovertemplate="%{y}<br>P(%{x}) = %{z:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        **base_layout("Predicted probabilities (%) of these digits", height or 70 + 24 * len(names))
    )
    fig.update_xaxes(side="top", type="category")
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(margin=dict(l=10, r=10, t=80, b=10))
    return fig
