"""Draw's sweep chart: the probability of the original guess across each transform's range, per model."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.figures.style import ACCENT, ACCENT_2, MUTED, base_layout
from core.transform import KINDS, KNOBS

COLOURS = (ACCENT, ACCENT_2, MUTED)  # by model order, as Draw's probability bars
COLUMNS = 3


def sweep_figure(
    probs: Mapping[str, np.ndarray],
    digits: Mapping[str, int],
    rows: Mapping[str, slice],
    current: Mapping[str, float] | None = None,
    height: int = 470,
) -> go.Figure:
    """One small chart per transform, one line per model: P(its original top digit) along the range.

    Args:
        probs: model name -> (N,) probability of that model's original top digit for each image
            of ``core.transform.sweep_all`` (in that order).
        digits: model name -> that top digit.
        rows: kind -> the rows of ``probs`` for that transform (from ``sweep_all``).
        current: kind -> the slider's value now, marked with a dashed line (None: no marks).
        height: figure height in px.

    Returns:
        A figure whose traces carry ``meta`` = the transform's kind and ``legendgroup`` = the model;
        its axes are laid out by hand (``make_subplots`` and ``add_vline`` cost 50 ms a figure).
    """
    n_rows = -(-len(KINDS) // COLUMNS)
    layout = base_layout(height=height) | dict(
        legend=dict(orientation="h", y=1.1, x=0), showlegend=True, hovermode="closest"
    )
    traces, shapes = [], []
    for i, kind in enumerate(KINDS):
        knob, axis = KNOBS[kind], "" if i == 0 else str(i + 1)
        row, col = divmod(i, COLUMNS)
        pad = (knob.hi - knob.lo) * 0.04
        layout[f"xaxis{axis}"] = dict(
            domain=_span(col, COLUMNS, 0.05),
            anchor=f"y{axis}",
            title=dict(text=knob.axis),
            range=[knob.lo - pad, knob.hi + pad],
            fixedrange=True,
        )
        layout[f"yaxis{axis}"] = dict(
            domain=_span(n_rows - 1 - row, n_rows, 0.2),
            anchor=f"x{axis}",
            range=[0, 1.05],
            tickformat=".0%",
            fixedrange=True,
            title=dict(text="P(original guess)" if col == 0 else ""),
            showticklabels=col == 0,
        )
        if current is not None and kind in current:
            x = float(current[kind])
            shapes.append(
                dict(
                    type="line", xref=f"x{axis}", yref=f"y{axis} domain", x0=x, x1=x, y0=0, y1=1,
                    line=dict(color=MUTED, dash="dash", width=1),
                )
            )  # fmt: skip  # one dashed vertical line: its fields read better together
    for m, (name, p) in enumerate(probs.items()):
        traces += _lines(name, digits[name], np.asarray(p, dtype=float), rows, COLOURS[m % 3])
    return go.Figure(data=traces, layout=layout | dict(shapes=shapes))


def _lines(
    name: str, digit: int, p: np.ndarray, rows: Mapping[str, slice], colour: str
) -> list[go.Scatter]:
    """One model's line on each transform's axes (only the first one in the legend)."""
    return [
        go.Scatter(
            x=KNOBS[kind].values(),
            y=p[rows[kind]],
            xaxis=f"x{'' if i == 0 else i + 1}",
            yaxis=f"y{'' if i == 0 else i + 1}",
            name=f"{name}: P({digit})",
            legendgroup=name,
            showlegend=i == 0,
            meta=kind,
            mode="lines+markers",
            line=dict(color=colour, width=2),
            marker=dict(size=4),
            hovertemplate=f"{KNOBS[kind].axis} %{{x}}: P({digit}) = %{{y:.1%}}<extra>{name}</extra>",
        )
        for i, kind in enumerate(KINDS)
    ]


def _span(index: int, count: int, gap: float) -> list[float]:
    """The [start, end] of the ``index``-th of ``count`` equal parts of 0..1, ``gap`` between them.

    >>> _span(0, 2, 0.2), _span(1, 2, 0.2)
    ([0.0, 0.4], [0.6, 1.0])
    """
    width = (1 - gap * (count - 1)) / count
    start = index * (width + gap)
    return [round(start, 6), round(start + width, 6)]
