"""Look inside, "One window explained": a pixel's receptive field, and how its value was made."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import activations as act
from core import explain
from core.activations import LayerOutput
from core.figures import inside as figs
from core.figures import inside_window as window_figs
from core.figures.style import diverging_range, outline_cells
from core.inside_captions import conv_sum, layer_name, pool_sentence
from core.keras_model import BuiltModel
from core.receptive import input_box, receptive_fields
from ui import inside_cache, session_cache
from ui.errors import guard
from ui.inside_chart import chart

POOLS = ("MaxPooling2D", "AveragePooling2D")


@st.fragment
@guard("explaining one window")
def pixel_explained(
    outputs: list[LayerOutput], built: BuiltModel, image: np.ndarray, key: tuple
) -> None:
    """:func:`one_window` as a fragment: moving its layer, row, column or filter reruns only it."""
    one_window(outputs, built, image, key)


def one_window(
    outputs: list[LayerOutput], built: BuiltModel, image: np.ndarray, key: tuple
) -> None:
    """Choose a layer, a pixel and a channel: its receptive field, and how its value was made.

    ``key`` is what ``outputs`` came from (``inside_cache.key_of``); figures are kept under it.
    """
    spatial = [o.index for o in outputs if o.array.ndim == 3]
    if not spatial:
        st.info("No layer of this model has rows and columns, so there is no window to explain.")
        return
    out = outputs[_choose_layer(outputs, built, spatial)]
    row, col, ch = _choose_pixel(out)
    left, mid, right = st.columns([0.9, 0.9, 1.8])
    with left:
        _field(built, out, image, row, col, ch)
    with mid:
        _channel(out, row, col, ch, key)
    with right:
        _how_it_was_made(outputs, built, image, out, row, col, ch)


def _choose_layer(outputs: list[LayerOutput], built: BuiltModel, spatial: list[int]) -> int:
    """A select box over the layers with rows and columns; the first Conv2D to begin with."""
    names = {i: layer_name(built.arch, i, outputs[i].array.shape) for i in spatial}
    convs = [i for i in spatial if outputs[i].kind == "Conv2D"]
    start = spatial.index(convs[0]) if convs else 0
    return st.selectbox(
        "Layer", spatial, index=start, format_func=names.get, key="inside.window.layer"
    )


def _choose_pixel(out: LayerOutput) -> tuple[int, int, int]:
    """Row, column and channel sliders; they start where channel 0 responds most (on the digit)."""
    h, w, c = out.array.shape
    a, b, d = st.columns(3)
    ch = (
        d.slider("Filter (channel)", 0, c - 1, 0, key=f"inside.window.ch.{out.index}")
        if c > 1
        else 0
    )
    top_r, top_c = np.unravel_index(int(np.argmax(out.array[..., 0])), (h, w))
    row = a.slider("Row", 0, h - 1, int(top_r), key=f"inside.window.row.{out.index}")
    col = b.slider("Column", 0, w - 1, int(top_c), key=f"inside.window.col.{out.index}")
    return row, col, ch


def _field(
    built: BuiltModel, out: LayerOutput, image: np.ndarray, row: int, col: int, ch: int
) -> None:
    """The digit with the pixels that value depends on outlined."""
    field = receptive_fields(built.arch)[out.index]
    box = input_box(field, row, col)
    title = "Where it looks in the digit"
    fig = inside_cache.remember(
        "window",
        ("field", session_cache.fingerprint(image), box),
        lambda: figs.digit_with_box(image, box, title),
    )
    chart(fig)
    if box is None:
        st.caption("This pixel lies in the added zero border: it sees no pixel of the digit.")
        return
    t, lft, btm, rgt = box
    st.caption(
        f"Value {float(out.array[row, col, ch]):.3f} depends on a {field.size}×{field.size} patch "
        f"of the input (rows {t}–{btm}, columns {lft}–{rgt} inside the image). Deeper layers see "
        "larger patches: that is how small 3×3 filters come to see whole strokes."
    )


def _channel(out: LayerOutput, row: int, col: int, ch: int, key: tuple) -> None:
    """The chosen channel with the chosen pixel outlined, about the size of the digit beside it."""

    def make() -> go.Figure:
        h, w = out.array.shape[:2]
        fig = figs.feature_maps(
            out.array[..., ch : ch + 1],
            f"Channel {ch} of layer {out.index + 1}",
            px=max(2, round(168 / max(h, w))),
        )
        outline_cells(fig, row, col, row, col)
        return fig

    chart(inside_cache.remember("window", ("channel", *key, out.index, row, col, ch), make))


def _how_it_was_made(
    outputs: list[LayerOutput],
    built: BuiltModel,
    image: np.ndarray,
    out: LayerOutput,
    row: int,
    col: int,
    ch: int,
) -> None:
    """A Conv2D's multiply-and-sum, a pooling layer's choice, or just the value for other layers."""
    x = act.layer_input(outputs, out.index, image)
    value = float(out.array[row, col, ch])
    if out.kind == "Conv2D":
        kernel, bias = act.layer_weights(built.model, out.index)
        e = explain.explain_conv_pixel(x, kernel, bias, out.spec, row, col, ch)
        _conv(e, value, (diverging_range(x), diverging_range(kernel)))
    elif out.kind in POOLS:
        _pool(explain.explain_pool_pixel(x, out.spec, row, col, ch))
    else:
        st.markdown(f"**{out.spec.describe()}** — value **{value:.4f}**.")
        st.caption(
            "Pick a Conv2D layer to see its multiply-and-sum, or a pooling layer to see "
            "which value of its window it kept."
        )


def _conv(e: explain.ConvPixel, value: float, ranges: tuple) -> None:
    k, channels = e.patch.shape[0], e.patch.shape[-1]
    if channels == 1:
        st.markdown(f"**The {k}×{k} multiply-and-sum** (input after normalising and padding)")
        chart(
            window_figs.conv_window(
                e.patch[..., 0], e.weights[..., 0], e.products[..., 0], 250, *ranges
            )
        )
    else:
        st.markdown(
            f"**{channels} input channels × {k}×{k} weights = {e.products.size:,} products**"
        )
        chart(window_figs.channel_sums(e.products))
        strongest = int(np.abs(e.products.sum((0, 1))).argmax())
        pick = st.slider(
            "Input channel to show in full",
            0,
            channels - 1,
            strongest,
            key=f"inside.window.inch.{channels}",
        )
        chart(
            window_figs.conv_window(
                e.patch[..., pick], e.weights[..., pick], e.products[..., pick], 200, *ranges
            )
        )
    lines, check = conv_sum(e, value)
    st.markdown(lines)
    st.caption(check)


def _pool(e: explain.PoolPixel) -> None:
    k = e.window.shape[0]
    st.markdown(f"**The {k}×{k} window of the layer before, channel {e.channel}**")
    chart(window_figs.pool_window(e.window, e.argmax if e.kind == "MaxPooling2D" else None))
    st.markdown(pool_sentence(e))
