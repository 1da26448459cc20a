"""Figures for Look inside: every layer's output, kernels, and the input digit with a box.

NumPy in, plotly Figure out, in the one colour scheme of ``style.py``: greys for images, the
diverging scale centred on 0 for weights and activations. Many small maps are tiled into ONE
heatmap with blank (NaN) gaps, drawn at a fixed number of screen pixels per map pixel, so a
pooled map really looks half as big as the map before it.

One window explained is drawn by ``inside_window.py``, what a filter looks for by
``inside_patches.py``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.style import (
    ACCENT,
    DIVERGING,
    GREYS,
    MUTED,
    base_layout,
    diverging_range,
    outline_cells,
)

GAP_COLOUR = "#e2e8f0"  # between tiles, so a tile of zeros (white) still shows its edges
PX = 3  # screen pixels per feature-map pixel
_HEAD = 16  # room for the title, in screen pixels


def shape_text(shape: tuple[int, ...]) -> str:
    """``(28, 28, 32)`` -> ``"28×28×32"``; ``(3136,)`` -> ``"3,136"``."""
    return "×".join(f"{d:,}" for d in shape)


def _layout(title: str, height: int | None = None) -> dict:
    """base_layout with the smaller title these charts use, to pass to ``go.Figure`` in one go."""
    layout = base_layout(title, height)
    layout.setdefault("title", {})["font"] = dict(size=14)
    return layout


def tile(maps: np.ndarray, columns: int, gap: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Lay out (H, W, C) maps row by row into one 2-D array with NaN gaps.

    Returns:
        (z, custom): z is float32 (rows·(H+gap)-gap, columns·(W+gap)-gap); custom[..., :] holds
        (channel, row, column) of each cell (the dtype's largest value in the gaps), as uint8
        when it fits, since plotly sends NumPy arrays as compact binary.
    """
    h, w, c = maps.shape
    columns = max(1, min(columns, c))
    rows = -(-c // columns)
    z = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), np.nan, np.float32)
    dtype = np.uint8 if max(h, w, c) < 255 else np.uint16
    custom = np.full((*z.shape, 3), np.iinfo(dtype).max, dtype)
    within = np.stack(np.mgrid[0:h, 0:w], axis=-1)
    for k in range(c):
        top, left = (k // columns) * (h + gap), (k % columns) * (w + gap)
        z[top : top + h, left : left + w] = maps[..., k]
        custom[top : top + h, left : left + w, 0] = k
        custom[top : top + h, left : left + w, 1:] = within
    return z, custom


def grid_figure(
    z: np.ndarray,
    custom: np.ndarray,
    zrange: tuple[float, float],
    hover: str,
    title: str,
    px: int,
    colorscale: str | list = DIVERGING,
    shapes: list[dict] | None = None,
) -> go.Figure:
    """One heatmap of tiled maps (see :func:`tile`) at ``px`` screen pixels per cell, gaps in slate.

    Args:
        z: the tiled values, NaN in the gaps.
        custom: per-cell hover data, e.g. (channel, row, column).
        zrange: colour limits.
        hover: the hover template (``<extra>`` is added).
        title: the chart title.
        px: screen pixels per cell.
        colorscale: the diverging scale, or GREYS for images.
        shapes: layout shapes drawn over the tiles (dicts), e.g. outlines.
    """
    h, w = z.shape
    layout = _layout(title)
    layout.update(
        plot_bgcolor=GAP_COLOUR,
        width=w * px + 90,
        height=h * px + 50,
        margin=dict(l=8, r=8, t=36, b=8),
        autosize=False,
        xaxis=dict(visible=False, range=[-0.5, w - 0.5], constrain="domain"),
        yaxis=dict(visible=False, range=[h - 0.5, -0.5], scaleanchor="x", constrain="domain"),
    )
    if shapes:
        layout["shapes"] = shapes
    heatmap = go.Heatmap(
        z=z,
        customdata=custom,
        colorscale=colorscale,
        zmin=zrange[0],
        zmax=zrange[1],
        hoverongaps=False,
        hovertemplate=hover + "<extra></extra>",
        colorbar=dict(thickness=10, len=1.0, x=1.0, xpad=4, outlinewidth=0),
    )
    return go.Figure(heatmap, layout=layout)  # built in one go: each update_* call re-validates


def feature_maps(
    maps: np.ndarray,
    title: str,
    *,
    max_tiles: int | None = 32,
    columns: int = 8,
    zrange: tuple[float, float] | None = None,
    border: int = 0,
    px: int = PX,
) -> go.Figure:
    """One layer's output channels as a grid of small heatmaps on the diverging scale.

    Args:
        maps: (H, W, C) one layer's output for one image.
        title: e.g. ``"Conv2D → 28×28×32"``.
        max_tiles: show at most this many channels (the first ones); None shows all.
        columns: tiles per row.
        zrange: colour limits; default symmetric around 0 over every channel of the layer.
        border: a ZeroPadding2D's padding: the original image area is outlined in each tile.
        px: screen pixels per map pixel.

    Example:
        >>> fig = feature_maps(np.zeros((28, 28, 40)), "Conv2D → 28×28×40")
        >>> fig.data[0].z.shape  # 32 tiles of 28×28, 8 per row, 1-pixel gaps
        (115, 231)
    """
    maps = np.asarray(maps, np.float32)
    if maps.ndim != 3:
        raise ValueError(f"maps must have shape (H, W, C); received {maps.shape}")
    shown = maps if max_tiles is None else maps[..., :max_tiles]
    z, custom = tile(shown, columns)
    zrange = zrange or diverging_range(maps)
    hover = "channel %{customdata[0]} · row %{customdata[1]}, col %{customdata[2]}<br>%{z:.3f}"
    h, w, c = shown.shape
    cols = max(1, min(columns, c))
    outlines = [  # the image inside the padding, one rectangle per tile, added in one go
        dict(
            type="rect",
            x0=(k % cols) * (w + 1) + border - 0.5,
            x1=(k % cols) * (w + 1) + w - border - 0.5,
            y0=(k // cols) * (h + 1) + border - 0.5,
            y1=(k // cols) * (h + 1) + h - border - 0.5,
            line=dict(color=ACCENT, width=1),
        )
        for k in range(c if border > 0 else 0)
    ]
    return grid_figure(z, custom, zrange, hover, title, px, shapes=outlines)


def kernels(
    kernel: np.ndarray,
    channel: int,
    title: str,
    columns: int = 16,
    px: int = 12,
    zrange: tuple[float, float] | None = None,
    max_width: int = 760,
) -> go.Figure:
    """Every filter's weights for one input channel, tiled, on the diverging scale, values on hover.

    Args:
        kernel: (k, k, in_channels, filters) a Conv2D's kernel.
        channel: which input channel's slice to show (0 for a first layer on grey images).
        title: the chart title (say which input channel it is).
        columns: tiles per row.
        px: screen pixels per weight; raised so the chart is at least ~100 px tall (room for its
            colour bar) but never wider than ``max_width``.
        zrange: colour limits; default symmetric over the whole kernel, so tiles (and channels)
            compare. Pass one range to two kernels (trained and random) to compare them.
        max_width: the widest the tiles may be drawn, in screen pixels.

    Example:
        >>> kernels(np.zeros((3, 3, 1, 32)), 0, "Filters").data[0].z.shape  # 2 rows of 16
        (7, 63)
    """
    kernel = np.asarray(kernel, np.float32)
    if kernel.ndim != 4 or not 0 <= channel < kernel.shape[2]:
        raise ValueError(
            f"need (k, k, in, out) and a channel in range; received {kernel.shape}, {channel}"
        )
    z, custom = tile(kernel[:, :, channel, :], columns)
    hover = (
        "filter %{customdata[0]} · row %{customdata[1]}, col %{customdata[2]}<br>weight %{z:.3f}"
    )
    px = max(1, min(max(px, -(-100 // z.shape[0])), max_width // z.shape[1]))
    return grid_figure(z, custom, zrange or diverging_range(kernel), hover, title, px)


def vector_bars(
    values: np.ndarray, title: str, *, probabilities: bool = False, height: int = 220
) -> go.Figure:
    """A Dense layer's output as bars; the final softmax as ten probabilities, the top one in accent.

    Args:
        values: (n,) the layer's output.
        title: e.g. ``"Dense → 512"``.
        probabilities: label the bars 0..9 and draw them on a 0..1 axis.
        height: figure height in pixels.
    """
    values = np.asarray(values, np.float64).ravel()
    x = np.arange(len(values))
    if probabilities:
        colours = [ACCENT if i == int(values.argmax()) else MUTED for i in x]
        marker = dict(color=colours)
        hover = "digit %{x}: %{y:.1%}<extra></extra>"
    else:
        lo, hi = diverging_range(values)
        marker = dict(color=values, colorscale=DIVERGING, cmin=lo, cmax=hi)
        hover = "unit %{x}: %{y:.3f}<extra></extra>"
    layout = _layout(title, height)
    layout.update(bargap=0.15 if len(values) < 50 else 0, margin=dict(l=50, r=10, t=36, b=36))
    if probabilities:
        layout["xaxis"] = dict(tickvals=list(x), title_text="digit")
        layout["yaxis"] = dict(range=[0, 1], tickformat=".0%", gridcolor=GAP_COLOUR)
    else:
        layout["xaxis"] = dict(title_text="unit")
        layout["yaxis"] = dict(gridcolor=GAP_COLOUR, zeroline=True, zerolinecolor=MUTED)
    bars = go.Bar(x=x, y=values, marker=marker, hovertemplate=hover)
    return go.Figure(bars, layout=layout)  # in one go, as grid_figure


def flat_strip(
    values: np.ndarray, title: str, source_shape: tuple[int, ...], per_row: int = 392
) -> go.Figure:
    """Flatten's output: the long vector as a strip, wrapped into rows of ``per_row`` numbers.

    Hover names each number's position and where it came from in the layer before.
    """
    values = np.asarray(values, np.float32).ravel()
    n = len(values)
    rows = -(-n // per_row)
    z = np.full(rows * per_row, np.nan, np.float32)
    z[:n] = values
    idx = np.arange(rows * per_row)
    src = (
        np.stack(np.unravel_index(np.minimum(idx, n - 1), source_shape), -1)
        if len(source_shape) > 1
        else idx[:, None]
    )
    custom = np.concatenate([idx[:, None], src], -1).astype(np.int32).reshape(rows, per_row, -1)
    where = "(" + ", ".join(f"%{{customdata[{i + 1}]}}" for i in range(custom.shape[-1] - 1)) + ")"
    hover = f"number %{{customdata[0]}} = value at {where}<br>%{{z:.3f}}"
    fig = grid_figure(z.reshape(rows, per_row), custom, diverging_range(values), hover, title, 2)
    fig.update_layout(
        height=max(120, 86 + 8 * rows), width=None, autosize=True, yaxis_scaleanchor=None
    )
    return fig


def digit_with_box(
    image: np.ndarray, box: tuple[int, int, int, int] | None, title: str, height: int = 260
) -> go.Figure:
    """The input digit in greys with the receptive field of the chosen pixel outlined."""
    image = np.asarray(image)
    h, w = image.shape[:2]
    layout = _layout(title, height)
    layout.update(
        margin=dict(l=8, r=8, t=36, b=8),
        xaxis=dict(visible=False, range=[-0.5, w - 0.5], constrain="domain"),
        yaxis=dict(visible=False, range=[h - 0.5, -0.5], scaleanchor="x", constrain="domain"),
    )
    pixels = go.Heatmap(
        z=image.reshape(h, w),
        colorscale=GREYS,
        zmin=0,
        zmax=255,
        showscale=False,
        hovertemplate="row %{y}, col %{x}<br>pixel %{z}<extra></extra>",
    )
    fig = go.Figure(pixels, layout=layout)  # in one go, as grid_figure
    if box is not None:
        outline_cells(fig, *box, width=3)
    return fig
