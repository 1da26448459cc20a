"""How the network groups digits: 2,000 test digits on two PCA axes, on Look inside and on Train.

``groups(choice, ...)`` is Look inside's section: the chosen model's layer before the last,
computed now; for this session's trained model, its frames per epoch instead. ``train_frames``
is the Train page's: the frames of the session's trained model. Both show the digit of a
clicked point (``on_select``), or of a number typed in the box beside the chart.

Importing this module does not import Keras (the Train page imports it).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import projection as proj
from core.architecture import Architecture
from core.figures import inside as inside_figs
from core.figures import projection as figs
from core.model_choice import TRAINED, ModelChoice
from core.shapes import trace
from ui import jobs, session_cache
from ui.errors import guard

CONFIG = {"displayModeBar": False}
_STORE = "groups.cache"  # this session's pictures (ui.session_cache), shared by both pages
KEEP = 3  # pictures kept (a run's frames make about 1 MB of figure)


@dataclass(frozen=True, eq=False)
class Picture:
    """What one chart shows: the figure, and the sample's digits with what was said in the end."""

    figure: go.Figure
    indices: np.ndarray  # test-digit numbers of the dots
    said: np.ndarray | None  # (N,) the digit said in the last frame, None when unknown
    source: str  # which model (and run) it shows


@st.fragment
@guard("placing the test digits by what the network computes")
def groups(choice: ModelChoice, x_test: np.ndarray, y_test: np.ndarray) -> None:
    """Look inside's section: the chosen model's picture, or its frames when it trained here."""
    own = jobs.trained()
    mine = choice.kind == TRAINED and own is not None and choice.key == f"own:{own.job_id}"
    if mine and own.feature_frames:
        _show_frames(own, x_test, y_test, "inside.groups")
        return
    arch = choice.built.arch
    words = _source(arch)
    picture = _remember(choice.key, lambda: _live(choice, x_test, y_test, words))
    _show(picture, x_test, y_test, "inside.groups")
    st.caption(
        f"Each dot is one of {len(picture.indices):,} test digits, placed by {words} squeezed "
        "to the two directions along which the digits differ most (PCA). Colour: the true "
        "digit; ✗: read wrong. Click a dot to see its digit."
    )
    if not choice.trained:
        st.info(
            "This model is untrained: its layer has learnt nothing, so the digits overlap (those "
            "that sit together do so because their pixels look alike). Train it on the Train "
            "page to watch the classes pull apart."
        )
    _fold_note(arch)


@st.fragment
@guard("showing how your model groups digits")
def train_frames(model: jobs.TrainedModel, x_test: np.ndarray, y_test: np.ndarray) -> None:
    """The Train page's section (in its expander): the trained model's frames, from the start on."""
    if not model.feature_frames:
        st.caption("No snapshots of the layer before the last were kept for this run.")
        return
    _show_frames(model, x_test, y_test, "train.groups")


def _show_frames(
    model: jobs.TrainedModel, x_test: np.ndarray, y_test: np.ndarray, prefix: str
) -> None:
    words = _source(model.built.arch)
    picture = _remember(("frames", model.job_id), lambda: _frames(model, y_test, words))
    _show(picture, x_test, y_test, prefix)
    n = len(model.feature_frames)
    st.caption(
        f"Each dot is one of {len(picture.indices):,} test digits, placed by {words} at {n} "
        "moments of the training: move the slider or press Play (the first is the untrained "
        "start). Every frame uses the final epoch's two PCA axes, so a dot that moves is a "
        "digit whose values changed; watch the colours pull apart. ✗: read wrong then."
    )
    _fold_note(model.built.arch)


def _remember(key: object, make: Callable[[], Picture]) -> Picture:
    return session_cache.remember(_STORE, "pictures", key, make, KEEP)


def _live(choice: ModelChoice, x_test: np.ndarray, y_test: np.ndarray, words: str) -> Picture:
    """The chosen model's layer before the last for the sample, on its own PCA axes."""
    sample = proj.sample_indices(len(y_test))
    bar = st.progress(0.0, text=f"Running {len(sample):,} test digits through the model…")
    try:
        features, outputs = proj.penultimate(
            choice.built.model, x_test[sample], progress=lambda d, t: bar.progress(d / t)
        )
    finally:
        bar.empty()
    axes = proj.fit(features)
    said = outputs.argmax(axis=1) if outputs.shape[1] == 10 else None
    title = f"{len(sample):,} test digits by {words}"
    fig = figs.scatter(
        proj.project(features, axes),
        y_test[sample],
        sample,
        said,
        title=title[:1].upper() + title[1:],
        axis_titles=figs.axis_titles(axes.share),
    )
    return Picture(fig, sample, said, choice.key)


def _frames(model: jobs.TrainedModel, y_test: np.ndarray, words: str) -> Picture:
    """The trained model's frames, every one on the final frame's axes."""
    frames, sample = model.feature_frames, np.asarray(model.feature_sample)
    coords, axes = proj.aligned([f.features for f in frames])
    said = np.stack([f.predicted for f in frames]).astype(np.int64)
    fig = figs.scatter(
        coords,
        y_test[sample],
        sample,
        said,
        title=f"Run {model.run}: {len(sample):,} test digits by {words}",
        axis_titles=figs.axis_titles(axes.share, final=True),
        frame_names=[figs.frame_name(f.epoch) for f in frames],
    )
    return Picture(fig, sample, said[-1], f"own:{model.job_id}")


def _layer(arch: Architecture) -> tuple[str, int, int]:
    """The layer before the last: (description, number from 1, values per digit); the input
    pixels (number 0) for a one-layer model."""
    if len(arch.layers) < 2:
        return "input", 0, math.prod(arch.input_shape)
    i = len(arch.layers) - 2
    width = math.prod(trace(arch).layers[i].output_shape[1:])
    return arch.layers[i].describe(), i + 1, width


def _source(arch: Architecture) -> str:
    """What places the dots, in words."""
    return figs.source_words(*_layer(arch))


def _fold_note(arch: Architecture) -> None:
    width = _layer(arch)[2]
    if width > proj.MAX_WIDTH:
        st.caption(
            f"That layer has {width:,} values per digit: they are first folded into "
            f"{proj.MAX_WIDTH:,} by a fixed random sketch, which keeps the distances close."
        )


def _show(picture: Picture, x_test: np.ndarray, y_test: np.ndarray, prefix: str) -> None:
    """The chart, and beside it the digit of the clicked dot or of the number typed."""
    pick, chart_key, shows = f"{prefix}.pick", f"{prefix}.chart", f"{prefix}.shows"
    if st.session_state.get(shows) != picture.source or pick not in st.session_state:
        st.session_state[pick] = _first_mistake(picture, y_test)  # a new picture: a mistake
        st.session_state[shows] = picture.source
    left, right = st.columns([3, 1], gap="medium")
    with left:
        st.plotly_chart(
            picture.figure,
            key=chart_key,
            on_select=lambda: _on_select(chart_key, pick),
            selection_mode="points",
            config=CONFIG,
        )
    with right:
        number = st.number_input(
            "Test digit shown",
            min_value=0,
            step=1,
            key=pick,
            help="Click a dot, or type its number.",
        )
        _digit(int(number), picture, x_test, y_test, f"{prefix}.digit")


def _first_mistake(picture: Picture, y_test: np.ndarray) -> int:
    """The first digit read wrong in the last frame (the first digit when none or unknown)."""
    if picture.said is not None:
        wrong = np.flatnonzero(picture.said != y_test[picture.indices])
        if len(wrong):
            return int(picture.indices[wrong[0]])
    return int(picture.indices[0])


def _on_select(chart_key: str, pick: str) -> None:
    """Callback: a clicked dot's test-digit number goes into the box."""
    state = st.session_state.get(chart_key) or {}
    for point in (state.get("selection") or {}).get("points", []):
        custom = point.get("customdata")
        if isinstance(custom, dict):  # a typed array's row arrives as {"0": ..., "1": ...}
            custom = [custom[k] for k in sorted(custom, key=int)]
        if custom:
            st.session_state[pick] = int(custom[0])
            return


def _digit(i: int, picture: Picture, x_test: np.ndarray, y_test: np.ndarray, key: str) -> None:
    """The digit, its true label and what the model said (in the last frame)."""
    place = int(np.searchsorted(picture.indices, i))
    if place >= len(picture.indices) or picture.indices[place] != i:
        n = len(picture.indices)
        st.caption(f"Test digit {i:,} is not one of the {n:,} dots: click one, or type its number.")
        return
    st.plotly_chart(
        inside_figs.digit_with_box(x_test[i], None, f"Test digit #{i:,}", height=180),
        key=key,
        config=CONFIG,
    )
    truth = int(y_test[i])
    if picture.said is None:
        st.markdown(f"True digit **{truth}**.")
        return
    said = int(picture.said[place])
    verdict = "✓" if said == truth else "✗"
    st.markdown(f"True digit **{truth}**; the model said **{said}** {verdict}")
