"""Figures for the MNIST page: digits, label counts, one-hot targets and pixel histograms."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.subplots import make_subplots

from core.figures.style import ACCENT, GREYS, MUTED, base_layout

_SIDE = 28  # an MNIST image is 28x28 pixels
_GAP = 2  # blank pixels between tiles in a digit grid
_HEADER = 9  # blank pixels above each tile, where its label is written
_MARK = "#334155"  # reference marks (mean, std): neutral, so red keeps meaning "error"


def _check_images(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (_SIDE, _SIDE):
        raise ValueError(f"images must have shape (N, 28, 28); received {images.shape}")
    return images


def tile_digits(images: np.ndarray, columns: int = 10) -> np.ndarray:
    """Lay digits out in a grid as one RGBA image; the space between tiles is transparent.

    Each tile is ``_HEADER`` blank rows (room for its label), the 28x28 digit, then ``_GAP``
    blank rows and columns.

    Args:
        images: (N, 28, 28) uint8 pixels, laid out row by row.
        columns: tiles per row, at least 1.

    Returns:
        (rows * 39, columns * 30, 4) uint8; grey pixels have R = G = B = value and alpha 255.

    Raises:
        ValueError: if images is not (N, 28, 28) or columns < 1.
    """
    images = _check_images(images)
    if columns < 1:
        raise ValueError(f"columns must be at least 1; received {columns}")
    rows = max(1, -(-len(images) // columns))
    cell_h, cell_w = _HEADER + _SIDE + _GAP, _SIDE + _GAP
    rgba = np.zeros((rows * cell_h, columns * cell_w, 4), dtype=np.uint8)
    for k, image in enumerate(images):
        top, left = (k // columns) * cell_h + _HEADER, (k % columns) * cell_w
        tile = rgba[top : top + _SIDE, left : left + _SIDE]
        tile[..., :3] = np.clip(image, 0, 255).astype(np.uint8)[..., np.newaxis]
        tile[..., 3] = 255
    return rgba


def _png_uri(rgba: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def digit_grid(
    images: np.ndarray,
    labels: np.ndarray,
    columns: int = 10,
    title: str = "Sample digits",
    height: int | None = None,
) -> go.Figure:
    """Digits in a grid with each label written above its tile, drawn as ONE image trace.

    The grid is sent as a small PNG (a few kB) rather than as numbers, so the chart stays
    light however many digits it shows; hovering still reads each pixel's value.

    Args:
        images: (N, 28, 28) uint8 pixels 0..255, laid out row by row.
        labels: (N,) the digit each image shows.
        columns: tiles per row.
        title: the chart title.
        height: figure height in pixels; default fits the rows at about 50 px per tile.

    Returns:
        A Figure with a single ``go.Image`` trace and one annotation per digit (its label).

    Raises:
        ValueError: if the shapes disagree or columns < 1.

    Example:
        >>> fig = digit_grid(np.zeros((20, 28, 28), np.uint8), np.arange(20) % 10)
        >>> len(fig.data), len(fig.layout.annotations)
        (1, 20)
    """
    labels = np.asarray(labels)
    if labels.shape != (len(np.asarray(images)),):
        raise ValueError(f"labels must have shape ({len(np.asarray(images))},); received {labels.shape}")
    rows = max(1, -(-len(labels) // columns)) if columns >= 1 else 1
    return captioned_grid(
        images, [f"<b>{int(label)}</b>" for label in labels], columns, title, height or 40 + 60 * rows
    )


def captioned_grid(
    images: np.ndarray,
    captions: list[str],
    columns: int,
    title: str | None,
    height: int,
    colour: str = ACCENT,
    font_size: int = 12,
) -> go.Figure:
    """Digits tiled as ONE image trace (a small PNG), each with a short caption above its tile.

    Args:
        images: (N, 28, 28) uint8 pixels 0..255, laid out row by row.
        captions: N short texts (Plotly's HTML subset), one per tile.
        columns: tiles per row.
        title: the chart title, or None.
        height: figure height in pixels.
        colour: the captions' colour.
        font_size: the captions' size.

    Returns:
        A Figure with a single ``go.Image`` trace and one annotation per caption.
    """
    rgba = tile_digits(images, columns)
    cell_h, cell_w = _HEADER + _SIDE + _GAP, _SIDE + _GAP
    annotations = [
        dict(
            x=(k % columns) * cell_w + _SIDE / 2 - 0.5,
            y=(k // columns) * cell_h + _HEADER - 1,
            text=caption,
            showarrow=False,
            yanchor="bottom",
            font=dict(size=font_size, color=colour),
        )
        for k, caption in enumerate(captions)
    ]
    fig = go.Figure(
        go.Image(
            source=_png_uri(rgba),
            colormodel="rgba",
            hovertemplate="pixel value %{z[0]}<extra></extra>",
        )
    )
    fig.update_layout(**base_layout(title, height), annotations=annotations)
    fig.update_xaxes(visible=False, constrain="domain", constraintoward="left")
    fig.update_yaxes(visible=False, scaleanchor="x", constrain="domain", constraintoward="top")
    return fig


def digit_heatmap(image: np.ndarray, title: str, height: int = 380) -> go.Figure:
    """One digit as a 28x28 grid of pixel values, 0 black to 255 white.

    Args:
        image: (28, 28) pixels 0..255.
        title: the chart title.
        height: figure height in pixels.

    Returns:
        A Figure with one Heatmap whose z is the image; hover shows row, column and value.

    Example:
        >>> digit_heatmap(np.eye(28) * 255, "A line").data[0].z.shape
        (28, 28)
    """
    image = _check_images(np.asarray(image)[np.newaxis])[0]
    fig = go.Figure(
        go.Heatmap(
            z=image,
            colorscale=GREYS,
            zmin=0,
            zmax=255,
            xgap=1,
            ygap=1,
            colorbar=dict(title=dict(text="pixel", side="top"), thickness=12, len=0.9),
            hovertemplate="row %{y}, column %{x}<br>pixel value %{z}<extra></extra>",
        )
    )
    fig.update_layout(**base_layout(title, height))
    # The 1-px gaps between pixels read as a grid; the margins make room for the axis titles.
    fig.update_layout(plot_bgcolor="#1e293b", margin=dict(l=55, r=10, t=40, b=45))
    fig.update_xaxes(
        title_text="column",
        constrain="domain",
        range=[-0.5, _SIDE - 0.5],
        tickvals=list(range(0, _SIDE, 4)),
        showgrid=False,
        zeroline=False,
    )
    fig.update_yaxes(
        title_text="row",
        autorange="reversed",
        scaleanchor="x",
        constrain="domain",
        tickvals=list(range(0, _SIDE, 4)),
        showgrid=False,
        zeroline=False,
    )
    return fig


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


def pixel_value_counts(images: np.ndarray, chunk: int = 1 << 22) -> np.ndarray:
    """How many pixels take each value 0..255, counted on the uint8 array in chunks.

    Args:
        images: any uint8 array (e.g. (N, 28, 28)); it is never copied to float.
        chunk: pixels per ``np.bincount`` call, to bound the temporary memory.

    Returns:
        (256,) int64 counts that sum to ``images.size``.

    Raises:
        ValueError: if images is not uint8.

    Example:
        >>> pixel_value_counts(np.array([[0, 0, 255]], np.uint8))[[0, 255]].tolist()
        [2, 1]
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"images must be uint8; received {images.dtype}")
    flat = images.reshape(-1)
    counts = np.zeros(256, dtype=np.int64)
    for start in range(0, flat.size, chunk):
        counts += np.bincount(flat[start : start + chunk], minlength=256)
    return counts


def _std_arrow(fig: go.Figure, col: int, start: float, end: float, text: str) -> None:
    """A double arrow from start to end in one panel, labelled at its right end."""
    xref, yref = ("x", "y domain") if col == 1 else ("x2", "y2 domain")
    fig.add_annotation(
        x=end,
        y=0.5,
        xref=xref,
        yref=yref,
        ax=start,
        ay=0.5,
        axref=xref,
        ayref=yref,
        text="",
        showarrow=True,
        arrowhead=2,
        arrowside="end+start",
        arrowwidth=1.5,
        arrowcolor=_MARK,
    )
    fig.add_annotation(
        x=end,
        y=0.5,
        xref=xref,
        yref=yref,
        text=text,
        showarrow=False,
        xanchor="left",
        xshift=4,
        font=dict(size=11, color=_MARK),
    )


def _histogram_bars(
    fig: go.Figure, binned: np.ndarray, bin_width: int, mean: float, std: float
) -> None:
    """The same bars twice: at the raw values (left) and at (value - mean) / std (right)."""
    lows = np.arange(0, 256, bin_width)
    centres = lows + (bin_width - 1) / 2
    ranges = [f"{lo}" if bin_width == 1 else f"{lo}–{lo + bin_width - 1}" for lo in lows]
    for col, x, width, colour, name, hover in (
        (1, centres, bin_width, MUTED, "raw", "values %{customdata}"),
        (
            2,
            (centres - mean) / std,
            bin_width / std,
            ACCENT,
            "normalised",
            "%{x:.2f} (was %{customdata})",
        ),
    ):
        fig.add_trace(
            go.Bar(
                x=x,
                y=binned,
                width=width,
                marker_color=colour,
                name=name,
                customdata=ranges,
                hovertemplate=hover + ": %{y:,} pixels<extra></extra>",
            ),
            1,
            col,
        )


def _histogram_marks(
    fig: go.Figure, mean: float, std: float, counts: np.ndarray, bin_width: int
) -> None:
    """Dashed lines at the mean (0 after), arrows one std long (1 after), the share of 0s."""
    for col, centre, label in ((1, mean, f"mean {mean:.2f}"), (2, 0.0, "0 = the mean")):
        fig.add_vline(
            x=centre,
            line=dict(color=_MARK, dash="dash", width=1.5),
            row=1,
            col=col,
            annotation=dict(text=label, font=dict(size=11, color=_MARK)),
            annotation_position="top right",
        )
    _std_arrow(fig, 1, mean, mean + std, f"std {std:.2f}")
    _std_arrow(fig, 2, 0.0, 1.0, "1 = one std")
    first_bin = int(counts[:bin_width].sum())
    if first_bin == 0:
        return
    zero_share = 100 * counts[0] / max(int(counts.sum()), 1)
    fig.add_annotation(  # points at the top of the first bar, on the log axis
        x=(bin_width - 1) / 2,
        y=np.log10(first_bin),
        xref="x",
        yref="y",
        ax=70,
        ay=30,
        text=f"{zero_share:.0f}% of all pixels<br>are exactly 0",
        showarrow=True,
        arrowhead=0,
        arrowwidth=1,
        arrowcolor=_MARK,
        xanchor="left",
        align="left",
        font=dict(size=11),
    )


def pixel_histograms(
    raw_counts: np.ndarray, mean: float, std: float, bin_width: int = 4, height: int = 320
) -> go.Figure:
    """Pixel values before and after normalising, from counts of the values 0..255.

    The right panel uses the same counts at x = (value - mean) / std: normalising moves and
    rescales the axis, it does not change the shape. The mean is marked with a dashed line
    (at 0 after), one standard deviation with an arrow (of length 1 after).

    Args:
        raw_counts: (256,) how many pixels have each value 0..255 (see ``pixel_value_counts``).
        mean: the mean pixel value.
        std: the pixel standard deviation; must be > 0.
        bin_width: pixel values per bar, a divisor of 256 (1 draws one bar per value; single
            values are too thin to see at this size).
        height: figure height in pixels.

    Returns:
        A Figure with two Bar traces (raw, normalised) sharing one log-scaled y axis; the
        bars' heights sum to ``raw_counts.sum()`` in each.

    Raises:
        ValueError: if raw_counts is not (256,), std is not positive or bin_width does
            not divide 256.
    """
    counts = np.asarray(raw_counts)
    if counts.shape != (256,):
        raise ValueError(f"raw_counts must have shape (256,); received {counts.shape}")
    if not std > 0:
        raise ValueError(f"std must be positive; received {std}")
    if bin_width < 1 or 256 % bin_width:
        raise ValueError(f"bin_width must divide 256; received {bin_width}")
    binned = counts.reshape(-1, bin_width).sum(axis=1)
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.06,
        shared_yaxes=True,
        subplot_titles=("Raw pixels, 0 to 255", "After normalising"),
    )
    _histogram_bars(fig, binned, bin_width, mean, std)
    _histogram_marks(fig, mean, std, counts, bin_width)
    positive = binned[binned > 0]
    y_range = (
        [np.log10(positive.min()) - 0.3, np.log10(positive.max()) + 0.6] if positive.size else None
    )
    fig.update_layout(**base_layout(height=height), showlegend=False, bargap=0, hovermode="x")
    fig.update_layout(margin=dict(l=70, r=10, t=30, b=50))
    fig.update_xaxes(title_text="pixel value", range=[-4, 259], row=1, col=1)
    fig.update_xaxes(
        title_text="normalised value", range=[(-4 - mean) / std, (259 - mean) / std], row=1, col=2
    )
    fig.update_yaxes(
        type="log", range=y_range, dtick=1, exponentformat="power", gridcolor="#e2e8f0"
    )
    fig.update_yaxes(title_text="pixels (log scale)", row=1, col=1)
    return fig
