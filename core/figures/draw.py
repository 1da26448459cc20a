"""Draw page visuals: crisp step tiles, the probability bars, the occlusion map (one colour scheme)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale, unlabel_rgb

from core.figures.style import (
    ACCENT,
    ACCENT_2,
    DIVERGING,
    MUTED,
    base_layout,
    diverging_range,
)
from core.pixels import resize_area

FRAME = (30, 41, 59)  # slate, around tiles that are not square, so black background stays visible
TILE = 112  # display side of a step tile, in screen pixels (4 per MNIST pixel)


def tile(image: np.ndarray, size: int = TILE) -> np.ndarray:
    """A (size, size, 3) uint8 tile: ``image`` upscaled by whole pixels (crisp), centred on slate.

    Args:
        image: (H, W) uint8 greyscale, (H, W, 3) RGB or (H, W, 4) RGBA (composited over black).
        size: the tile's side. Images larger than ``size`` are shrunk by area averaging.
    """
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 4:
        img = np.rint(img[..., :3] * (img[..., 3:4] / 255.0)).astype(np.uint8)
    if img.ndim == 2:
        img = np.repeat(img[..., np.newaxis], 3, axis=2)
    h, w = img.shape[:2]
    if max(h, w) > size:
        scale = size / max(h, w)
        nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
        img = np.stack([resize_area(img[..., c], nh, nw) for c in range(3)], axis=-1)
        img = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    else:
        factor = size // max(h, w)
        img = np.repeat(np.repeat(img, factor, axis=0), factor, axis=1)
    h, w = img.shape[:2]
    out = np.empty((size, size, 3), np.uint8)
    out[:] = FRAME
    top, left = (size - h) // 2, (size - w) // 2
    out[top : top + h, left : left + w] = img
    return out


@lru_cache(maxsize=1)
def _diverging_table() -> np.ndarray:
    """256 RGB colours of the diverging scale, blue (most negative) to red (most positive)."""
    colours = sample_colorscale(DIVERGING, list(np.linspace(0.0, 1.0, 256)))
    return np.array([unlabel_rgb(c) for c in colours], dtype=np.float64).round().astype(np.uint8)


def diverging_rgb(values: np.ndarray, bound: float | None = None) -> np.ndarray:
    """Colour a 2-D float array with the diverging scale centred on 0 (white = 0); (H, W, 3) uint8.

    Args:
        values: the numbers.
        bound: the colour limit (symmetric, ±bound); default ``diverging_range(values)``.
    """
    lo, hi = (-bound, bound) if bound else diverging_range(values)
    index = np.clip(np.rint((np.asarray(values) - lo) / (hi - lo) * 255), 0, 255).astype(np.intp)
    return _diverging_table()[index]


def probability_figure(
    probs: dict[str, np.ndarray], highlight: dict[str, int] | None = None, height: int = 260
) -> go.Figure:
    """Bars of the probabilities of 0–9, one bar group per model.

    Args:
        probs: model name -> (10,) probabilities. The first model gets the accent colour, a second
            one the comparison colour.
        highlight: model name -> its top digit, drawn fully opaque (the others lighter).
        height: figure height in px.
    """
    fig = go.Figure()
    colours = [ACCENT, ACCENT_2, MUTED]
    for i, (name, p) in enumerate(probs.items()):
        p = np.asarray(p, dtype=float)
        top = (highlight or {}).get(name, int(np.argmax(p)))
        fig.add_bar(
            x=list(range(10)),
            y=p,
            name=name,
            marker=dict(
                color=colours[i % 3], opacity=[1.0 if d == top else 0.55 for d in range(10)]
            ),
            text=[f"{v:.0%}" if v >= 0.005 else "" for v in p],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="digit %{x}: %{y:.1%}<extra>" + name + "</extra>",
        )
    fig.update_layout(
        **base_layout(height=height),
        barmode="group",
        bargap=0.25,
        showlegend=len(probs) > 1,
        legend=dict(orientation="h", y=1.12, x=0),
    )
    fig.update_xaxes(
        tickmode="array", tickvals=list(range(10)), title_text="digit", fixedrange=True
    )
    fig.update_yaxes(range=[0, 1.12], tickformat=".0%", title_text="probability", fixedrange=True)
    return fig


def occlusion_figure(
    drop: np.ndarray, image: np.ndarray, digit: int, height: int = 280
) -> go.Figure:
    """The occlusion map on the diverging scale (centred on 0) with the digit's outline on top.

    Args:
        drop: (28, 28) drop in the guess's probability when each part is hidden.
        image: (28, 28) uint8 model input, outlined where it is brighter than 96.
        digit: the tracked digit, for the hover text.
        height: figure height in px.
    """
    lo, hi = diverging_range(drop)
    ticks = ".0%" if hi >= 0.05 else ".1%" if hi >= 0.005 else ".2%"
    fig = go.Figure(
        go.Heatmap(
            z=drop,
            colorscale=DIVERGING,
            zmin=lo,
            zmax=hi,
            colorbar=dict(
                title=dict(text=f"drop in P({digit})", side="right"), tickformat=ticks, thickness=12
            ),
            hovertemplate="row %{y}, col %{x}<br>hiding it changes P("
            + str(digit)
            + ") by %{customdata:+.1%}<extra></extra>",
            customdata=-np.asarray(drop),
        )
    )
    fig.add_contour(
        z=np.asarray(image, dtype=float),
        contours=dict(start=96, end=96, size=1, coloring="none"),
        line=dict(color="#111827", width=1.5),
        showscale=False,
        hoverinfo="skip",
    )
    fig.update_layout(**base_layout(height=height), width=height + 90)
    fig.update_layout(margin=dict(l=0, r=0, t=10, b=10))
    fig.update_xaxes(visible=False, constrain="domain", fixedrange=True)
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", fixedrange=True)
    return fig
