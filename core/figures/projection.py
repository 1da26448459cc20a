"""How the network groups digits: a 2-D scatter coloured by true digit, mistakes marked, frames per epoch."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures.style import DIGIT_COLOURS, MUTED, base_layout

RIGHT, WRONG = "circle", "x"  # marker symbols: read right, read wrong
HOVER = (
    "test digit #%{customdata[0]}<br>true %{customdata[1]}, said %{customdata[2]}<extra></extra>"
)
HOVER_NO_GUESS = "test digit #%{customdata[0]}<br>true %{customdata[1]}<extra></extra>"
STEP_MS = 500  # one frame to the next when played
SLIDER_PX = 110  # room under the axis title for the slider and the Play button


def scatter(
    coords: np.ndarray,
    labels: np.ndarray,
    indices: np.ndarray,
    predicted: np.ndarray | None = None,
    *,
    title: str,
    axis_titles: tuple[str, str] = ("PC 1", "PC 2"),
    frame_names: Sequence[str] | None = None,
    height: int = 520,
) -> go.Figure:
    """The digits on two axes, one trace per true digit; several frames get a slider.

    Args:
        coords: (F, N, 2) coordinates, one (N, 2) frame per epoch (F = 1: no slider), or (N, 2).
        labels: (N,) true digits.
        indices: (N,) test-digit numbers (shown on hover and read back from a selection).
        predicted: (F, N) or (N,) the digit said in each frame; None leaves mistakes unmarked.
        title: the chart's title.
        axis_titles: the x and y axis titles.
        frame_names: F slider labels (e.g. "before training", "epoch 1"); the last frame shows
            first.
        height: pixels.

    Returns:
        A figure whose traces are the digits present, in order, then a legend entry for
        mistakes; every point's ``customdata`` is (test-digit number, true digit, said or -1).
    """
    coords = np.asarray(coords, np.float32)
    coords = coords[np.newaxis] if coords.ndim == 2 else coords
    said = None if predicted is None else np.asarray(predicted).reshape(len(coords), -1)
    labels = np.asarray(labels, np.int64)
    digits = [d for d in range(10) if (labels == d).any()]
    last = len(coords) - 1
    fig = go.Figure(
        [*_traces(coords[last], labels, indices, _at(said, last), digits), _wrong_key(said)]
    )
    fig.update_layout(**_layout(coords, title, axis_titles, height))
    if len(coords) > 1:
        names = list(frame_names or [str(f) for f in range(len(coords))])
        fig.frames = [
            go.Frame(
                name=str(f),
                data=_traces(coords[f], labels, indices, _at(said, f), digits),
                traces=list(range(len(digits))),
            )
            for f in range(len(coords))
        ]
        fig.update_layout(
            sliders=[_slider(names)],
            updatemenus=[_play()],
            height=height + SLIDER_PX,
            margin=dict(l=10, r=10, t=40, b=SLIDER_PX + 10),
        )
    return fig


def _at(said: np.ndarray | None, frame: int) -> np.ndarray | None:
    return None if said is None else said[frame]


def _traces(
    xy: np.ndarray,
    labels: np.ndarray,
    indices: np.ndarray,
    said: np.ndarray | None,
    digits: list[int],
) -> list[go.Scatter]:
    """One scatter per true digit: circles read right, crosses read wrong."""
    traces = []
    for d in digits:
        sel = labels == d
        guess = np.full(int(sel.sum()), -1) if said is None else np.asarray(said)[sel]
        wrong = (guess != d) & (guess >= 0)
        custom = np.stack([np.asarray(indices)[sel], labels[sel], guess], axis=1)
        traces.append(
            go.Scatter(
                x=xy[sel, 0],
                y=xy[sel, 1],
                mode="markers",
                name=str(d),
                legendgroup=str(d),
                marker=dict(
                    color=DIGIT_COLOURS[d],
                    size=np.where(wrong, 8, 5).tolist(),
                    symbol=np.where(wrong, WRONG, RIGHT).tolist(),
                    opacity=0.8,
                ),
                customdata=custom.tolist(),  # lists: a selection event reads them back as such
                hovertemplate=HOVER if said is not None else HOVER_NO_GUESS,
            )
        )
    return traces


def _wrong_key(said: np.ndarray | None) -> go.Scatter:
    """A legend entry only: what a cross means."""
    name = "✗ read wrong" if said is not None else "(no guesses)"
    marker = dict(color=MUTED, symbol=WRONG, size=8)
    return go.Scatter(
        x=[None], y=[None], mode="markers", name=name, marker=marker, hoverinfo="skip"
    )


def _layout(coords: np.ndarray, title: str, axis_titles: tuple[str, str], height: int) -> dict:
    """The axes keep one range over every frame, so that the motion shows."""
    layout = base_layout(title, height)
    finite = coords[np.isfinite(coords).all(axis=-1)]
    for axis, name, column in (("xaxis", axis_titles[0], 0), ("yaxis", axis_titles[1], 1)):
        lo, hi = (
            (float(finite[:, column].min()), float(finite[:, column].max()))
            if len(finite)
            else (0, 0)
        )
        pad = 0.05 * (hi - lo) or 1.0
        layout[axis] = dict(
            title=dict(text=name),
            range=[lo - pad, hi + pad],
            zeroline=False,
            showgrid=True,
            gridcolor="#eef2f7",
        )
    layout["legend"] = dict(title=dict(text="True digit"), itemsizing="constant")
    layout["margin"] = dict(l=10, r=10, t=40, b=10)
    return layout


def _slider(names: list[str]) -> dict:
    steps = [
        dict(
            method="animate",
            label=name,
            args=[
                [str(f)],
                dict(
                    mode="immediate",
                    frame=dict(duration=0, redraw=False),
                    transition=dict(duration=300),
                ),
            ],
        )
        for f, name in enumerate(names)
    ]
    return dict(
        active=len(names) - 1,
        steps=steps,
        currentvalue=dict(prefix="Showing: "),
        y=0,
        yanchor="top",
        pad=dict(t=70, l=80),
    )


def _play() -> dict:
    """A button that plays the frames from the untrained start."""
    play = dict(
        frame=dict(duration=STEP_MS, redraw=False),
        transition=dict(duration=STEP_MS - 100),
        fromcurrent=False,
        mode="immediate",
    )
    return dict(
        type="buttons",
        direction="left",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        pad=dict(t=95),
        showactive=False,
        buttons=[dict(label="▶ Play", method="animate", args=[None, play])],
    )


def frame_name(epoch: int) -> str:
    """A slider label: ``"before training"`` for frame 0, else ``"after epoch 3"``."""
    return "before training" if epoch == 0 else f"after epoch {epoch}"


def axis_titles(share: np.ndarray, final: bool = False) -> tuple[str, str]:
    """The axes' titles with their share of the variance, e.g. ``"PC 1 (23% of the variance)"``.

    >>> axis_titles(np.array([0.234, 0.1]), final=True)[1]
    'PC 2 of the final epoch (10% of its variance)'
    """
    whose = " of the final epoch" if final else ""
    its = "its" if final else "the"
    return tuple(f"PC {k + 1}{whose} ({share[k]:.0%} of {its} variance)" for k in range(2))


def source_words(name: str, number: int, width: int) -> str:
    """What the dots are placed by: the layer's description, its number from 1 (0: the input), width.

    >>> source_words("Dense(512, relu)", 13, 512)
    'the 512 values of layer 13, Dense(512, relu)'
    >>> source_words("input", 0, 784)
    'the 784 input pixels'
    """
    if number == 0:
        return f"the {width:,} input pixels"
    return f"the {width:,} values of layer {number}, {name}"
