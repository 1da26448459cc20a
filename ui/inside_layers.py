"""Look inside, "Every layer": each layer's output in order, titled "Kind → shape", to one pixel scale."""

from __future__ import annotations

import streamlit as st

from core.activations import LayerOutput
from core.architecture import MNIST_SHAPE
from core.figures import inside as figs
from core.figures.style import diverging_range
from core.inside_captions import flatten_caption, layer_caption
from ui.inside_chart import chart

MAX_TILES = 32  # channels drawn per layer unless "Show every channel" is on


def options() -> tuple[bool, bool]:
    """The section's two toggles: (show every channel, Conv2D values before ReLU)."""
    a, b = st.columns(2)
    show_all = a.toggle("Show every channel", key="inside.all", help="Otherwise the first 32.")
    before = b.toggle("Conv2D: show the values before ReLU", key="inside.before")
    return show_all, before


def every_layer(
    outputs: list[LayerOutput], show_all: bool, before_relu: bool, input_shape: tuple = MNIST_SHAPE
) -> None:
    """Each layer's output in order: maps for images, a strip for Flatten, bars for vectors."""
    for out in outputs:
        before = outputs[out.index - 1] if out.index else None
        st.markdown(f"**{out.index + 1}. {out.spec.describe()}**")
        key = f"inside.layer.{out.index}"
        title = f"{out.kind} → {figs.shape_text(out.array.shape)}"
        if out.array.ndim == 3:
            _maps(out, before, title, key, show_all, before_relu)
        elif out.kind == "Flatten":
            source = before.array.shape if before is not None else input_shape
            chart(figs.flat_strip(out.array, title, source), key=key)
            st.caption(flatten_caption(source, out.array.size))
        else:
            soft = out.spec.params.get("activation") == "softmax" and out.array.shape == (10,)
            chart(figs.vector_bars(out.array, title, probabilities=soft), key=key)


def _maps(
    out: LayerOutput,
    before: LayerOutput | None,
    title: str,
    key: str,
    show_all: bool,
    before_relu: bool,
) -> None:
    """A layer with rows and columns: its channels as tiles, and what to notice in them."""
    a = out.array
    pre = out.pre_activation if before_relu else None
    maps = a if pre is None else pre
    fig = figs.feature_maps(
        maps,
        title + (" (before ReLU)" if pre is not None else ""),
        max_tiles=None if show_all else MAX_TILES,
        zrange=diverging_range(maps),  # so a padding or pooling after it looks the same
        border=out.spec.params["padding"] if out.kind == "ZeroPadding2D" else 0,
        px=6 if a.shape[-1] <= 2 else 3,
    )
    chart(fig, key=key)
    note = layer_caption(out, before, pre is not None)
    if a.shape[-1] > MAX_TILES and not show_all:
        note += f" Showing the first {MAX_TILES} of {a.shape[-1]} channels."
    if note:
        st.caption(note)
