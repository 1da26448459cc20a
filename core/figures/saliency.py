"""What the model looked at: the digit, its occlusion map and its gradient map side by side, labelled.

The digit is drawn in greys; both maps are signed, so each gets the diverging scale centred on 0
(``style.DIVERGING``, white = no effect) with its own colour bar, and the digit's outline on top.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.style import DIVERGING, GREYS, base_layout, diverging_range

# Each panel's horizontal extent; the two colour bars sit just right of panels 2 and 3.
DOMAINS = ((0.0, 0.24), (0.33, 0.57), (0.72, 0.96))
OUTLINE = 96  # the digit's outline on the maps: where the pixels are brighter than this


def _percent_ticks(bound: float) -> str:
    return ".0%" if bound >= 0.05 else ".1%" if bound >= 0.005 else ".2%"


def _map(z: np.ndarray, panel: int, title: str, hover: str, fmt: str) -> go.Heatmap:
    """A signed map on panel ``panel`` (2 or 3), on the diverging scale with its own colour bar."""
    lo, hi = diverging_range(z)
    right = DOMAINS[panel - 1][1]
    return go.Heatmap(
        z=z,
        colorscale=DIVERGING,
        zmin=lo,
        zmax=hi,
        xaxis=f"x{panel}",
        yaxis=f"y{panel}",
        colorbar=dict(
            title=dict(text=title, side="right"),
            x=right + 0.005,
            xanchor="left",
            thickness=10,
            len=0.85,
            tickformat=fmt,
        ),
        hovertemplate="row %{y}, col %{x}<br>" + hover + "<extra></extra>",
    )


def _outline(image: np.ndarray, panel: int) -> go.Contour:
    return go.Contour(
        z=np.asarray(image, dtype=float),
        contours=dict(start=OUTLINE, end=OUTLINE, size=1, coloring="none"),
        line=dict(color="#111827", width=1.2),
        showscale=False,
        hoverinfo="skip",
        xaxis=f"x{panel}",
        yaxis=f"y{panel}",
    )


def _panels(fig: go.Figure, names: tuple[str, str, str]) -> None:
    """Three square panels side by side, each titled, without axes; image rows run downwards."""
    for i, (domain, name) in enumerate(zip(DOMAINS, names, strict=True), start=1):
        suffix = "" if i == 1 else str(i)
        y = dict(visible=False, autorange="reversed", scaleanchor=f"x{suffix}", constrain="domain")
        x = dict(domain=domain, visible=False, constrain="domain")
        fig.update_layout({f"xaxis{suffix}": x, f"yaxis{suffix}": y})
        fig.add_annotation(
            text=name,
            x=sum(domain) / 2,
            y=1.0,
            xref="paper",
            yref="paper",
            yanchor="bottom",
            showarrow=False,
            font=dict(size=13),
        )


def saliency_figure(
    image: np.ndarray,
    drop: np.ndarray,
    grad: np.ndarray,
    top: tuple[int, float],
    second: tuple[int, float],
    title: str = "",
    height: int = 300,
) -> go.Figure:
    """The digit, then what hiding each part does to P(top), then the gradient of P(top).

    Args:
        image: (28, 28) uint8, the model's input.
        drop: (28, 28) occlusion map (``core.predict.Occlusion.drop``): the fall in P(top) when a
            square there is blacked out.
        grad: (28, 28) gradient of P(top) per unit of pixel value (``core.saliency.Gradient.grad``);
            drawn per full step of brightness (× 255).
        top: (digit, probability) of the top guess.
        second: (digit, probability) of the runner-up.
        title: the start of the figure's title, e.g. ``"Test #115, a 4: "``.
        height: pixels.
    """
    digit, p_top = top
    per_step = np.asarray(grad, dtype=np.float64) * 255.0
    bound = diverging_range(drop)[1]
    traces = [
        go.Heatmap(
            z=np.asarray(image),
            colorscale=GREYS,
            zmin=0,
            zmax=255,
            showscale=False,
            hovertemplate="row %{y}, col %{x}: pixel %{z}<extra></extra>",
        ),
        _map(
            np.asarray(drop, dtype=np.float64),
            2,
            f"drop in P({digit})",
            f"hiding it lowers P({digit}) by %{{z:.1%}}",
            _percent_ticks(bound),
        ),
        _map(
            per_step,
            3,
            f"∂P({digit})/∂pixel",
            f"a pixel fully brighter here changes P({digit}) by about %{{z:+.3f}}",
            ".2f",
        ),
        _outline(image, 2),
        _outline(image, 3),
    ]
    fig = go.Figure(traces)
    heading = f"{title}read as {digit} ({p_top:.0%}), then {second[0]} ({second[1]:.0%})"
    fig.update_layout(**base_layout(heading, height))
    fig.update_layout(margin=dict(l=10, r=60, t=70, b=10), showlegend=False)
    _panels(fig, ("The digit", f"Hiding: P({digit}) drops", f"Gradient of P({digit})"))
    return fig
