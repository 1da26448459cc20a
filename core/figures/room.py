"""The Room board's charts: accuracy against size, drawings per digit, the hardest drawings, answers."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures.mnist_digits import captioned_grid
from core.figures.style import ACCENT, ACCENT_2, MUTED, OK, base_layout
from core.room_board import Reference, Row, hover_name

GRID = "#e2e8f0"
REFERENCE_SYMBOLS = ("diamond", "star", "square")
NAMED_RUNS = 15  # up to this many runs, each point is labelled with its nickname


def scatter_figure(
    board_rows: Sequence[Row],
    references: Sequence[Reference] = (),
    height: int = 420,
    big: bool = False,
) -> go.Figure:
    """MNIST test accuracy against parameters (log scale), one point per run, references marked.

    Args:
        board_rows: the leaderboard's rows (``core.room_board.rows``).
        references: models drawn as labelled grey marks (the notebook CNN, the workshop CNN).
        height: pixels.
        big: larger type and points, for the projector.

    Returns:
        A Figure whose first trace is the room's runs (hover: nickname, parameters, accuracy),
        then one trace per reference.

    Example:
        >>> row = Row(1, 7, "Ana", 56_714, 0.983, None, 14.0, "", 0.0)
        >>> fig = scatter_figure([row], [Reference("Notebook CNN", 1_676_266, 0.9866, "")])
        >>> [t.name for t in fig.data], fig.layout.xaxis.type
        (['runs in this room', 'Notebook CNN'], 'log')
    """
    size = 16 if big else 11
    named = len(board_rows) <= NAMED_RUNS  # a few points carry their nickname; a crowd only hovers
    runs = go.Scatter(
        x=[r.params for r in board_rows],
        y=[100 * r.test_accuracy for r in board_rows],
        mode="markers+text" if named else "markers",
        text=[hover_name(r.nickname) for r in board_rows] if named else None,
        textposition="middle right",
        textfont=dict(color=ACCENT),
        name="runs in this room",
        marker=dict(size=size, color=ACCENT, line=dict(color="white", width=1)),
        customdata=[[hover_name(r.nickname), r.run_id, r.rank] for r in board_rows],
        hovertemplate=(
            "<b>%{customdata[0]}</b> (#%{customdata[2]})<br>%{x:,} parameters<br>"
            "%{y:.2f}% on MNIST's test digits<extra></extra>"
        ),
    )
    fig = go.Figure(runs)
    for i, ref in enumerate(references):
        symbol = REFERENCE_SYMBOLS[i % len(REFERENCE_SYMBOLS)]
        fig.add_trace(_reference_trace(ref, symbol, size, "top left" if i % 2 else "bottom left"))
    font = dict(size=18) if big else {}
    fig.update_layout(**base_layout("Test accuracy against size", height))
    fig.update_layout(hovermode="closest", showlegend=False, margin=dict(l=60, r=20, t=50, b=50))
    if font:
        fig.update_layout(font=font)
    fig.update_xaxes(
        type="log",
        title_text="parameters (log scale); grey: reference models",
        gridcolor=GRID,
        tickformat="~s",
        range=log_range([r.params for r in board_rows] + [r.params for r in references]),
    )
    fig.update_yaxes(title_text="MNIST test accuracy (%)", gridcolor=GRID, ticksuffix="%")
    return fig


def log_range(values: Sequence[int]) -> list[float] | None:
    """A log-axis range holding every value with room for a label on each side (None: autorange).

    >>> log_range([1_000, 100_000])
    [2.6, 5.5]
    """
    positive = [v for v in values if v > 0]
    if not positive:
        return None
    return [round(math.log10(min(positive)) - 0.4, 3), round(math.log10(max(positive)) + 0.5, 3)]


def _reference_trace(ref: Reference, symbol: str, size: int, side: str) -> go.Scatter:
    return go.Scatter(
        x=[ref.params],
        y=[100 * ref.test_accuracy],
        mode="markers+text",
        name=ref.name,
        text=[ref.name],
        textposition=side,
        textfont=dict(color="#475569"),
        marker=dict(size=size + 2, color=MUTED, symbol=symbol, line=dict(color="#475569", width=1)),
        customdata=[ref.note],
        hovertemplate=(
            f"<b>{ref.name}</b><br>%{{x:,}} parameters<br>%{{y:.2f}}% on MNIST's test digits"
            "<br>%{customdata}<extra></extra>"
        ),
    )


def drawings_figure(counts: Sequence[int], height: int = 260) -> go.Figure:
    """How many drawings of each digit the room has added, as bars.

    Raises:
        ValueError: unless there are 10 counts.

    Example:
        >>> list(drawings_figure(range(10)).data[0].y)
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """
    counts = np.asarray(counts, dtype=np.int64)
    if counts.shape != (10,):
        raise ValueError(f"counts must have 10 values, one per digit; received {counts.shape}")
    bars = go.Bar(
        x=list(range(10)),
        y=counts.tolist(),
        marker_color=ACCENT,
        text=[str(n) if n else "" for n in counts],
        textposition="outside",
        hovertemplate="%{y} drawings of a %{x}<extra></extra>",
    )
    fig = go.Figure(bars)
    fig.update_layout(**base_layout(f"Drawings per digit ({int(counts.sum())} in all)", height))
    fig.update_layout(margin=dict(l=50, r=10, t=40, b=40))
    fig.update_xaxes(title_text="digit meant", tickvals=list(range(10)), fixedrange=True)
    fig.update_yaxes(title_text="drawings", gridcolor=GRID, rangemode="tozero", fixedrange=True)
    return fig


def hardest_figure(images: Sequence[np.ndarray], captions: Sequence[str]) -> go.Figure:
    """The room's drawings most models get wrong, small and grey, each with its caption.

    Example:
        >>> fig = hardest_figure([np.zeros((28, 28), np.uint8)], ["7: 80%"])
        >>> [a.text for a in fig.layout.annotations]
        ['7: 80%']
    """
    columns = max(1, min(4, len(images)))
    rows = max(1, -(-len(images) // columns))
    stack = np.stack(images) if len(images) else np.zeros((0, 28, 28), np.uint8)
    return captioned_grid(
        stack.astype(np.uint8),
        list(captions),
        columns,
        "Drawings most models get wrong",
        50 + 125 * rows,
        colour=ACCENT_2,
        font_size=12,
    )


def answers_figure(
    title: str, counts: Sequence[tuple[str, int]], right: str | None = None, height: int = 240
) -> go.Figure:
    """One question's answers across the room: a bar per distinct answer, the right one green.

    Answers are the learners' own text: Plotly reads a little HTML, so they are escaped.

    Example:
        >>> fig = answers_figure("flatten", [("3,136", 5), ("<i>x</i>", 1)], right="3,136")
        >>> list(fig.data[0].x), list(fig.data[0].y), list(fig.data[0].marker.color)
        (['3,136', '&lt;i&gt;x&lt;/i&gt;'], [5, 1], ['#16a34a', '#94a3b8'])
    """
    bars = go.Bar(
        x=[hover_name(a) for a, _ in counts],
        y=[n for _, n in counts],
        marker_color=[OK if right is not None and a == right else MUTED for a, _ in counts],
        hovertemplate="%{y} said %{x}<extra></extra>",
    )
    fig = go.Figure(bars)
    total = sum(n for _, n in counts)
    fig.update_layout(**base_layout(f"{hover_name(title)}: {total} answers", height))
    fig.update_layout(margin=dict(l=40, r=10, t=40, b=40))
    fig.update_xaxes(type="category", fixedrange=True)
    fig.update_yaxes(title_text="learners", gridcolor=GRID, rangemode="tozero", fixedrange=True)
    return fig
