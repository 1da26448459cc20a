"""Look inside, "Every layer": each layer's output in order, titled "Kind → shape", to one pixel scale."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from core.activations import LayerOutput
from core.architecture import MNIST_SHAPE
from core.figures import inside as figs
from core.figures.style import diverging_range
from core.inside_caps import channels_shown, shown_note, strip_shown
from core.inside_captions import flatten_caption, layer_caption
from ui import inside_cache
from ui.errors import guard
from ui.inside_chart import chart

MAX_TILES = 32  # channels drawn per layer unless "Show every channel" is on


@dataclass(frozen=True)
class LayerView:
    """What the section shows for one layer: a heading, its figure, and a caption ("" for none)."""

    heading: str
    figure: go.Figure
    caption: str


def options() -> tuple[bool, bool]:
    """The section's two toggles: (show every channel, Conv2D values before ReLU)."""
    a, b = st.columns(2)
    show_all = a.toggle("Show every channel", key="inside.all", help="Otherwise the first 32.")
    before = b.toggle("Conv2D: show the values before ReLU", key="inside.before")
    return show_all, before


@st.fragment
@guard("drawing every layer's output")
def section(outputs: list[LayerOutput], key: tuple) -> None:
    """The toggles and every layer; toggling reruns only this part of the page.

    Args:
        outputs: the digit's layer outputs.
        key: what ``outputs`` came from, (model key, digit key): the figures are stored under it
            with the toggles.
    """
    show_all, before_relu = options()
    every_layer(outputs, show_all, before_relu, key)


def every_layer(
    outputs: list[LayerOutput],
    show_all: bool,
    before_relu: bool,
    key: tuple,
    input_shape: tuple = MNIST_SHAPE,
) -> None:
    """Each layer's output in order: maps for images, a strip for Flatten, bars for vectors.

    The figures are built once per (key, toggles) and kept for the session (``ui.inside_cache``).
    """
    views = inside_cache.remember(
        "layers",
        (*key, show_all, before_relu),
        lambda: layer_views(outputs, show_all, before_relu, input_shape),
    )
    for view, out in zip(views, outputs, strict=True):
        st.markdown(view.heading)
        chart(view.figure, key=f"inside.layer.{out.index}")
        if view.caption:
            st.caption(view.caption)


def layer_views(
    outputs: list[LayerOutput], show_all: bool, before_relu: bool, input_shape: tuple = MNIST_SHAPE
) -> list[LayerView]:
    """One LayerView per layer output, in order."""
    views = []
    for out in outputs:
        before = outputs[out.index - 1] if out.index else None
        heading = f"**{out.index + 1}. {out.spec.describe()}**"
        title = f"{out.kind} → {figs.shape_text(out.array.shape)}"
        if out.array.ndim == 3:
            fig, caption = _maps(out, before, title, show_all, before_relu)
        elif out.kind == "Flatten":
            source = before.array.shape if before is not None else input_shape
            shown = strip_shown(out.array.size)
            fig = figs.flat_strip(out.array[:shown], title, source)
            caption = flatten_caption(source, out.array.size)
            caption = f"{caption} {shown_note(shown, out.array.size, 'numbers')}".strip()
        else:
            soft = out.spec.params.get("activation") == "softmax" and out.array.shape == (10,)
            fig, caption = figs.vector_bars(out.array, title, probabilities=soft), ""
        views.append(LayerView(heading, fig, caption))
    return views


def _maps(
    out: LayerOutput, before: LayerOutput | None, title: str, show_all: bool, before_relu: bool
) -> tuple[go.Figure, str]:
    """A layer with rows and columns: its channels as tiles, and what to notice in them."""
    a = out.array
    pre = out.pre_activation if before_relu else None
    maps = a if pre is None else pre
    fig = figs.feature_maps(
        maps,
        title + (" (before ReLU)" if pre is not None else ""),
        max_tiles=channels_shown(a.shape, show_all, MAX_TILES),
        zrange=diverging_range(maps),  # so a padding or pooling after it looks the same
        border=out.spec.params["padding"] if out.kind == "ZeroPadding2D" else 0,
        px=6 if a.shape[-1] <= 2 else 3,
    )
    note = layer_caption(out, before, pre is not None)
    note += " " + shown_note(channels_shown(a.shape, show_all, MAX_TILES), a.shape[-1])
    return fig, note.strip()
