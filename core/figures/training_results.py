"""Figures of a trained model's test results: confusion matrix, per-digit accuracy, chosen digits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures.mnist import captioned_grid
from core.figures.style import ACCENT, ACCENT_2, base_layout

COUNT_SCALE = [[0.0, "#ffffff"], [1.0, ACCENT]]  # right answers (the diagonal)
ERROR_SCALE = [[0.0, "#ffffff"], [1.0, ACCENT_2]]  # wrong answers


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
    eye = np.eye(n, dtype=bool)
    off = np.where(eye, np.nan, cm).astype(float)
    off_max = max(float(np.nanmax(off)) if np.isfinite(off).any() else 0.0, 1.0)
    cells = dict(x=list(range(n)), y=list(range(n)), zmin=0, showscale=False, hoverinfo="skip")
    fig = go.Figure()
    diagonal = np.where(eye, cm, np.nan).astype(float)
    fig.add_trace(go.Heatmap(z=diagonal, colorscale=COUNT_SCALE, xgap=1, ygap=1, **cells))
    fig.add_trace(go.Heatmap(z=off, colorscale=ERROR_SCALE, zmax=off_max, xgap=1, ygap=1, **cells))
    fig.add_trace(_click_layer(cm, off_max))
    if selected is not None:
        r, c = selected
        outline = dict(x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5)
        fig.add_shape(type="rect", line=dict(color="#0f172a", width=3), **outline)
    fig.update_layout(**base_layout(None, height))
    fig.update_layout(clickmode="event+select", dragmode=False, hovermode="closest")
    axis = dict(tickmode="array", tickvals=list(range(n)), showgrid=False, zeroline=False)
    axis |= dict(fixedrange=True, constrain="domain")
    fig.update_xaxes(title_text="predicted digit", side="top", range=[-0.5, n - 0.5], **axis)
    fig.update_yaxes(title_text="true digit", autorange="reversed", scaleanchor="x", **axis)
    fig.update_layout(margin=dict(l=10, r=10, t=50, b=10))
    return fig


def _click_layer(cm: np.ndarray, off_max: float) -> go.Scatter:
    """A transparent square on every cell, carrying its count as text and its hover details."""
    n = cm.shape[0]
    t, p = np.meshgrid(range(n), range(n), indexing="ij")
    share = np.divide(cm, np.maximum(cm.sum(axis=1), 1)[:, None])
    dark = cm.ravel() > 0.6 * np.where(np.eye(n, dtype=bool), max(cm.max(), 1), off_max).ravel()
    return go.Scatter(
        x=p.ravel(),
        y=t.ravel(),
        mode="markers+text",
        text=[str(v) if v else "" for v in cm.ravel()],
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
    return captioned_grid(
        images, list(captions), columns, title, 50 + 70 * rows, colour, font_size=11
    )


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
