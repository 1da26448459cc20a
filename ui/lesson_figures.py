"""The Lesson's figure column: for each step, the live figure (real data, the pretrained model) and its words.

``show(step, arch, present)`` picks the step's figure; the words come from ``core.lesson_notes``.
Steps 1-4 need no model and never import TensorFlow; the others wait for ``ui.warmup`` first and
import what uses Keras inside the function that needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from core import lesson
from core import lesson_notes as notes
from core.build_lessons import linear_stacks
from core.collapse import lesson_text
from core.figures import draw as draw_figs
from core.figures import inside as inside_figs
from core.figures import mnist as mnist_figs
from core.figures.lesson import slip_figure
from core.figures.style import diverging_range
from core.figures.tensors import tensor_figure
from core.figures.training import probabilities_figure
from core.presets import DENSE_ONLY
from core.shapes import Trace, trace
from ui import draw_state, resources, warmup
from ui.lesson_widgets import chart, digit_index, outputs

if TYPE_CHECKING:
    from core.activations import LayerOutput

first = notes.first_output


def show_data(present: bool) -> None:
    """Step 1: the first 20 training pictures and the arrays' shapes."""
    m = resources.mnist()
    grid = mnist_figs.digit_grid(
        m.x_train[:20], m.y_train[:20], title="The first 20 training pictures"
    )
    chart(grid, "lesson.grid", present)
    summary = notes.data_summary(m.x_train.shape, m.x_train.dtype, m.y_train.shape, m.y_train.dtype)
    st.code(summary, language=None)


def show_one_hot(present: bool) -> None:
    """Step 2: five pictures and their labels as one-hot vectors."""
    m = resources.mnist()
    labels = np.asarray(m.y_train[:5])
    five = mnist_figs.digit_grid(
        m.x_train[:5], labels, columns=5, title="Five training pictures", height=150
    )
    chart(five, "lesson.five", present)
    chart(mnist_figs.one_hot_figure(labels), "lesson.onehot", present)
    st.caption(notes.labels_caption(labels.tolist()))


def show_dense_only(t: Trace, present: bool) -> None:
    """Step 3: Dense layers on the image, drawn to scale; their shapes and the collapse."""
    chart(tensor_figure(t, width_hint=560), "lesson.dense", present)
    st.markdown(notes.shape_journey(t))
    st.caption(notes.DENSE_ONLY_CAPTION)
    for stack in linear_stacks(t)[:1]:
        st.markdown(lesson_text(stack))


def show_normalise(present: bool) -> None:
    """Step 4: the pixels divided by the std (this app) and by the mean (the notebook's slip)."""
    m = resources.mnist()
    mean, std = m.pixel_mean, m.pixel_std
    chart(slip_figure(resources.train_pixel_counts(), mean, std), "lesson.slip", present)
    st.markdown(notes.normalise_table(mean, std))
    st.caption(notes.normalise_caption(mean, std))


def show_convolution(outs: list[LayerOutput], image: np.ndarray, present: bool) -> None:
    """Step 5: the digit, zero padding, the learnt filters and their multiply-and-add."""
    pad, conv = first(outs, "ZeroPadding2D"), first(outs, "Conv2D")
    left, right = st.columns(2)
    with left:
        box = inside_figs.digit_with_box(image, None, "The digit, 28×28", height=200)
        chart(box, "lesson.in", present)
    with right:
        px = 6 if present else 5
        fig = inside_figs.feature_maps(pad.array, "Zero padding → 30×30", border=1, px=px)
        chart(fig.update_traces(showscale=False), "lesson.pad", present, fixed=True)
    from core.activations import conv_kernels
    from ui import models

    built = models.pretrained().built
    kernel = conv_kernels(built.model, built.arch)[conv.index]
    filters = inside_figs.kernels(
        kernel, 0, "Its 32 learnt 3×3 filters", columns=8, px=12, max_width=540
    )
    chart(filters, "lesson.kernels", present, fixed=True)
    maps = conv.pre_activation if conv.pre_activation is not None else conv.array
    sums = inside_figs.feature_maps(
        maps[..., :8],
        "8 filters' multiply-and-add, 28×28 each",
        columns=4,
        px=4 if present else 3,
        zrange=diverging_range(maps),
    )
    chart(sums, "lesson.conv", present, fixed=True)
    st.caption(notes.CONV_CAPTION)


def show_relu(outs: list[LayerOutput], present: bool) -> None:
    """Step 6: the first convolution's maps before and after ReLU."""
    conv = first(outs, "Conv2D")
    pre = conv.pre_activation if conv.pre_activation is not None else conv.array
    zr, px = diverging_range(pre), 4 if present else 3
    before = inside_figs.feature_maps(
        pre[..., :8], "Before ReLU (first 8 maps)", columns=4, px=px, zrange=zr
    )
    chart(before, "lesson.pre", present, fixed=True)
    after = inside_figs.feature_maps(
        conv.array[..., :8], "After ReLU: negatives set to 0", columns=4, px=px, zrange=zr
    )
    chart(after, "lesson.post", present, fixed=True)
    st.caption(notes.relu_caption(pre))


def show_pooling(outs: list[LayerOutput], t: Trace, present: bool) -> None:
    """Step 7: maps before and after max pooling, and the user's architecture to scale."""
    pool = first(outs, "MaxPooling2D")
    before = outs[pool.index - 1].array
    zr, px = diverging_range(before), 5 if present else 4
    title = "Before pooling: 28×28 (4 of 32 maps)"
    fig = inside_figs.feature_maps(before[..., :4], title, columns=4, px=px, zrange=zr)
    chart(fig, "lesson.prepool", present, fixed=True)
    title = "After: 14×14, same maps, same scale"
    after = inside_figs.feature_maps(pool.array[..., :4], title, columns=4, px=px, zrange=zr)
    chart(after.update_traces(showscale=False), "lesson.pool", present, fixed=True)
    _shapes_figure(t, present, "lesson.trace7")
    counts = notes.numbers_per_picture(t)
    if counts:
        st.markdown(counts)


def _shapes_figure(t: Trace, present: bool, key: str) -> None:
    if not t.layers:
        st.caption(notes.NO_LAYERS)
        return
    chart(tensor_figure(t, width_hint=560, label_rows=3), key, present)
    st.caption(notes.shapes_caption(t))


def show_flatten(outs: list[LayerOutput], t: Trace, present: bool) -> None:
    """Step 8: the last maps laid end to end as one vector."""
    flat = first(outs, "Flatten")
    source = outs[flat.index - 1].array
    title = f"The last maps: {inside_figs.shape_text(source.shape)} (16 of 64)"
    maps = inside_figs.feature_maps(source[..., :16], title, columns=8, px=6 if present else 5)
    chart(maps, "lesson.last", present, fixed=True)
    strip = inside_figs.flat_strip(
        flat.array, f"Flatten → {flat.array.size:,} numbers", source.shape
    )
    chart(strip, "lesson.flat", present)
    st.markdown(notes.flatten_sum(source.shape))
    note = notes.flatten_note(t)
    if note:
        st.caption(note)


def show_softmax(outs: list[LayerOutput], present: bool) -> None:
    """Step 9: the last Dense layer's numbers and the ten probabilities."""
    dense, last = outs[-2], outs[-1]
    bars = inside_figs.vector_bars(
        last.array, "Softmax → 10 probabilities", probabilities=True, height=250
    )
    chart(bars, "lesson.softmax", present)
    title = f"Before it: Dense → {dense.array.size} numbers (after ReLU)"
    chart(inside_figs.vector_bars(dense.array, title, height=190), "lesson.dense512", present)
    st.markdown(notes.softmax_note(last.array))


def show_training(present: bool) -> None:
    """Step 10: what training buys (answers on 8 test digits) and the notebook's recipe."""
    from core.predict import probabilities
    from ui import models

    m = resources.mnist()
    shipped, own = models.pretrained(), models.trained_choice()
    model, name = (
        (own.built.model, "your model") if own else (shipped.built.model, "the pretrained model")
    )
    probs = probabilities(model, m.x_test[:8].astype(np.float32)[..., None])
    names = [f"test #{i} (a {int(d)})" for i, d in enumerate(m.y_test[:8])]
    fig = probabilities_figure(probs, names)
    fig.update_layout(
        title_text=f"What training buys: {name}'s answers on 8 test digits",
        margin=dict(l=120, r=10, t=80, b=10),
    )
    fig.update_yaxes(automargin=True)
    chart(fig, "lesson.train", present)
    st.markdown(notes.RECIPE_TABLE)
    st.caption(notes.training_caption(own.note if own else None, shipped.test_accuracy))


def show_draw(image: np.ndarray, caption: str, present: bool) -> None:
    """Step 11: the latest drawing (or a test digit) and the pretrained model's guess."""
    drawn = draw_state.latest_drawing()
    image, caption = (drawn, "your latest drawing") if drawn is not None else (image, caption)
    from core.predict import probabilities
    from ui import models

    model = models.pretrained().built.model
    probs = probabilities(model, image.astype(np.float32)[None, ..., None])[0]
    left, right = st.columns([1, 2.2], vertical_alignment="center")
    left.image(draw_figs.tile(image, 168 if present else 140), caption=caption)
    with right:
        fig = draw_figs.probability_figure({"pretrained": probs}, height=260)
        fig.update_layout(margin=dict(l=70, r=10, t=30, b=50))
        chart(fig, "lesson.draw", present)
    if drawn is None:
        st.caption(notes.STAND_IN)


def show(step: lesson.Step, arch_trace: Trace, present: bool) -> None:
    """The figure column of ``step``; ``arch_trace`` is the session's architecture, traced."""
    simple = {"data": show_data, "one-hot": show_one_hot, "normalise": show_normalise}
    if step.id in simple:
        simple[step.id](present)
        return
    if step.id == "dense-only":
        show_dense_only(trace(DENSE_ONLY), present)
        return
    if not warmup.wait_for_keras():  # the other steps show the pretrained model at work
        return
    if step.id == "training":
        show_training(present)
        return
    m = resources.mnist()
    index = digit_index(len(m.y_test), present)
    image, label = m.x_test[index], int(m.y_test[index])
    if step.id == "draw":
        show_draw(image, f"test digit {index:,} (a {label})", present)
        return
    outs = outputs(image)
    st.caption(f"Test digit {index:,} (a {label}) through the pretrained notebook CNN.")
    show_by_id = {
        "convolution": lambda: show_convolution(outs, image, present),
        "relu": lambda: show_relu(outs, present),
        "pooling": lambda: show_pooling(outs, arch_trace, present),
        "flatten": lambda: show_flatten(outs, arch_trace, present),
        "softmax": lambda: show_softmax(outs, present),
    }
    show_by_id[step.id]()
