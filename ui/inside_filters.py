"""Look inside, "Filters": a Conv2D's trained filters beside a random start, and over training."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import activations as act
from core.activations import LayerOutput
from core.architecture import ArchitectureError
from core.figures import inside as figs
from core.figures.style import diverging_range
from core.inside_captions import layer_name
from core.model_choice import ModelChoice
from ui import inside_cache, models
from ui.errors import guard
from ui.inside_chart import chart

KERNELS = dict(columns=8, px=10, max_width=380)  # how both kernel charts are tiled


@st.fragment
@guard("drawing the filters")
def filters(choice: ModelChoice) -> int | None:
    """A Conv2D's filters, the trained ones next to the same layer's random start.

    A fragment: choosing another layer or input channel reruns only this part of the page.

    Returns:
        The chosen Conv2D's index, or None (after a message) when the model has no Conv2D.
    """
    arch = choice.built.arch
    convs = arch.indices("Conv2D")
    if not convs:
        st.info(
            "This model has no Conv2D layer, so it has no filters to show. Its other layers "
            "are all under *Every layer*; add a convolution on the Build page to get filters."
        )
        return None
    index = st.selectbox(
        "Convolution layer",
        convs,
        format_func=lambda i: layer_name(arch, i),
        key="inside.filters.layer",
    )
    channel, label = _input_channel(choice, index)
    if not choice.trained:
        st.info(
            "This model is untrained: these are its random starting weights. Train it on the "
            "Train page, then compare them with what it learns."
        )
    key = ("filters", choice.key, index, channel)
    charts, problem = inside_cache.figure(
        key, lambda: _kernel_charts(choice, index, channel, label)
    )
    if problem:
        st.caption(f"No random model to compare with: {problem}")
    if len(charts) == 1:
        chart(charts[0])
        return index
    for column, fig in zip(st.columns(2), charts, strict=True):
        with column:
            chart(fig)
    st.caption(
        "Blue weights are negative, red positive, white zero; hover for the numbers. Random "
        "filters are noise; trained first-layer filters look like small edge and stroke detectors."
    )
    return index


def _kernel_charts(
    choice: ModelChoice, index: int, channel: int, label: str
) -> tuple[tuple[go.Figure, ...], str]:
    """The layer's kernels (and its random start, on one scale, for a trained model); and why
    there is no start to compare with ("" when there is one, or none is needed)."""
    trained, _ = act.layer_weights(choice.built.model, index)
    if not choice.trained:
        return (figs.kernels(trained, channel, f"Random filters · {label}", **KERNELS),), ""
    try:
        start, start_title = _random_start(choice, index, label)
    except ArchitectureError as err:
        return (figs.kernels(trained, channel, f"Trained · {label}", **KERNELS),), str(err)
    zrange = diverging_range(np.concatenate([trained.ravel(), start.ravel()]))  # one scale for both
    pairs = ((trained, f"Trained · {label}"), (start, start_title))
    return tuple(figs.kernels(k, channel, t, zrange=zrange, **KERNELS) for k, t in pairs), ""


def _input_channel(choice: ModelChoice, index: int) -> tuple[int, str]:
    """A slider over the layer's input channels when it has several; (channel, its name)."""
    in_ch = choice.built.model.layers[index].kernel.shape[2]
    if in_ch == 1:
        return 0, "weights on the grey digit"
    k = choice.built.arch.layers[index].params["kernel_size"]
    channel = st.slider(
        f"Input channel (each filter has one {k}² grid of weights for each of its {in_ch} input channels)",
        0,
        in_ch - 1,
        0,
        key=f"inside.filters.channel.{index}",
    )
    return channel, f"input channel {channel} of {in_ch}"


def _random_start(choice: ModelChoice, index: int, label: str) -> tuple[np.ndarray, str]:
    """The kernel to compare with: this model's own start when saved, else a fresh random one.

    Raises:
        ArchitectureError: when no random model of this architecture can be built.
    """
    snapshots = dict(choice.snapshots)
    if index == choice.built.arch.first("Conv2D") and 0 in snapshots:  # saved before training
        return snapshots[0], f"Its random start, before training · {label}"
    kernel = np.asarray(models.untrained(choice.built.arch).model.layers[index].kernel)
    return kernel, f"A random start (seed {models.SEED}) · {label}"


@st.fragment
@guard("replaying the filters over training")
def filters_over_training(
    choice: ModelChoice, outputs: list[LayerOutput], image: np.ndarray
) -> None:
    """A slider over the first Conv2D's kernels saved at each epoch of this session's training.

    A fragment: moving the slider reruns only this part of the page.
    """
    st.markdown("**Filters over training**")
    if not choice.snapshots:
        st.caption(
            "When you train a model on the Train page in this session, its first layer's "
            "filters are saved after every epoch and can be replayed here."
        )
        return
    epochs = [e for e, _ in choice.snapshots]
    epoch = st.select_slider(
        "Training so far",
        epochs,
        value=epochs[-1],
        key="inside.snap.epoch",
        format_func=_epoch_name,
    )
    key = ("over training", *inside_cache.key_of(choice, image), epoch)
    charts = inside_cache.figure(key, lambda: _over_training(choice, outputs, image, epoch))
    for fig in charts:
        chart(fig)


def _over_training(
    choice: ModelChoice, outputs: list[LayerOutput], image: np.ndarray, epoch: int
) -> tuple[go.Figure, go.Figure]:
    """The first Conv2D's kernels after ``epoch``, and its output for the digit with them."""
    first = choice.built.arch.first("Conv2D")
    kernel = dict(choice.snapshots)[epoch]
    every = np.concatenate([np.ravel(k) for _, k in choice.snapshots])  # one range for all epochs
    title = f"First-layer filters {_epoch_name(epoch)}"
    kernels = figs.kernels(kernel, 0, title, columns=8, px=10, zrange=diverging_range(every))
    x = act.layer_input(outputs, first, image)
    maps = act.conv_with(choice.built.model, first, x, kernel)
    title = f"Conv2D → {figs.shape_text(maps.shape)} with those filters"
    return kernels, figs.feature_maps(maps, title)


def _epoch_name(epoch: int) -> str:
    return "before training" if epoch == 0 else f"after epoch {epoch}"
