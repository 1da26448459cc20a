"""Look inside's widget groups: which model, which digit, and the four sections (state keys "inside.*")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import streamlit as st

from core import activations as act
from core.activations import Inspector, LayerOutput
from core.architecture import MNIST_SHAPE, Architecture, ArchitectureError
from core.figures import inside as figs
from core.figures.style import ACCENT_2, diverging_range
from core.keras_model import BuiltModel, build_model
from core.receptive import input_box, receptive_fields
from ui import draw_state, jobs, state

SEED = 0  # the seed of the random (untrained) models shown here
_UNTRAINED = "inside.untrained"  # {arch link text: BuiltModel}, the last two architectures
_INDEX = "inside.index"
_CLASS = "inside.class"
_SOURCE = "inside.source"
_TOP = "inside.top_patches"  # {(model key, layer, filter, n): TopPatches}, a few at most
TOP_KEEP = 12


@dataclass(frozen=True, eq=False)
class ModelOption:
    """A model the page can look inside.

    Attributes:
        key: stable id for caches ("pretrained", "own:<version>", "untrained:<arch>").
        label: what the chooser shows.
        built: the model and the architecture it was built from.
        trained: False for random initial weights.
        note: one line about it.
        snapshots: per-epoch weights of the first Conv2D while it trained (epoch, kernel), if any.
    """

    key: str
    label: str
    built: BuiltModel
    trained: bool
    note: str
    snapshots: tuple[tuple[int, np.ndarray], ...] = ()


@dataclass(frozen=True)
class DigitChoice:
    """The image to look at: (28, 28) uint8, what it is, and its true label if known."""

    image: np.ndarray
    caption: str
    label: int | None
    source: str  # "test" or "drawing"


def untrained(arch: Architecture) -> BuiltModel:
    """A model of ``arch`` with random initial weights (seed SEED), kept per session per arch.

    Raises:
        ArchitectureError: when the architecture cannot be built (the message says why).
    """
    if tuple(arch.input_shape) != MNIST_SHAPE:
        shape = "×".join(map(str, arch.input_shape))
        raise ArchitectureError(f"this architecture takes {shape} images, not 28×28×1 MNIST digits")
    cache = st.session_state.setdefault(_UNTRAINED, {})
    key = arch.to_url()
    if key not in cache:
        cache[key] = build_model(arch, seed=SEED)
        while len(cache) > 2:
            cache.pop(next(iter(cache)))
    return cache[key]


def _own_models() -> tuple[list[ModelOption], list[str]]:
    """The session's trained model from the Train page, and a note while one is training.

    Only a finished (or stopped) run's model is offered: a model still training changes its
    weights between batches, so its layers would not agree with each other.
    """
    notes = (
        ["A model is training on the Train page; it appears here when it ends."]
        if jobs.is_training()
        else []
    )
    model = jobs.trained()
    if model is None:
        return [], notes
    note = f"trained on the Train page in this session (run {model.run}, {model.test_accuracy:.1%} on the test digits)"
    if jobs.arch_changed(state.get_arch()):
        note += (
            "; the Build page's architecture has changed since, this is the one it was trained as"
        )
    option = ModelOption(
        f"own:{model.job_id}",
        "Your model, trained",
        model.built,
        True,
        note,
        tuple(model.filter_epochs),
    )
    return [option], notes


def model_options() -> tuple[list[ModelOption], list[str]]:
    """Every model available now, and a sentence for each one that is not (and why)."""
    options, missing = [], []
    try:
        shipped = draw_state.pretrained()
        acc = shipped.test_accuracy
        note = f"the notebook's VGG-like CNN, {acc:.1%} on the 10,000 test digits" if acc else ""
        options.append(ModelOption("pretrained", "Pretrained", shipped.built, True, note))
    except (FileNotFoundError, ValueError) as err:
        missing.append(f"The pretrained model is not available: {err}")
    own, notes = _own_models()
    options += own
    missing += notes
    arch = state.get_arch()
    try:
        built = untrained(arch)
        note = "your Build page architecture with random initial weights: it has learnt nothing yet"
        options.append(
            ModelOption(f"untrained:{arch.to_url()}", "Your model, untrained", built, False, note)
        )
    except ArchitectureError as err:
        missing.append(f"Your Build page architecture cannot be looked inside yet: {err}.")
    return options, missing


def choose_model(options: list[ModelOption]) -> ModelOption:
    """A radio over the available models; returns the chosen one."""
    labels = [o.label for o in options]
    chosen = st.radio("Model", labels, key="inside.model", horizontal=True,
                      help="The same digit through different weights.")  # fmt: skip
    option = options[labels.index(chosen)] if chosen in labels else options[0]
    st.caption(option.note)
    return option


def _pick_class(labels: np.ndarray) -> None:
    digit = st.session_state.get(_CLASS)
    if digit is None or digit == "any":
        return
    st.session_state[_INDEX] = int(np.random.default_rng().choice(np.flatnonzero(labels == digit)))


def _pick_random(labels: np.ndarray) -> None:
    digit = st.session_state.get(_CLASS, "any")
    pool = np.arange(len(labels)) if digit in (None, "any") else np.flatnonzero(labels == digit)
    st.session_state[_INDEX] = int(np.random.default_rng().choice(pool))


def choose_input(x_test: np.ndarray, y_test: np.ndarray) -> DigitChoice | None:
    """Test digit by index, at random or by class; or the latest drawing. None after a message."""
    drawing = draw_state.latest_drawing()
    sources = ["Test digit", "Your drawing"]
    source = st.segmented_control("Input", sources, default=sources[0], key=_SOURCE)
    if source == "Your drawing":
        if drawing is None:
            st.warning("You have not drawn a digit yet: draw one on the Draw page, then come back.")
            return None
        age = draw_state.drawing_age() or 0.0
        when = "just now" if age < 60 else f"{age / 60:.0f} min ago" if age < 3600 else f"{age / 3600:.1f} h ago"
        if age >= 600:
            st.info(f"This drawing is from {when}: draw a new one on the Draw page to see it here.")
        return DigitChoice(drawing, f"your latest drawing from the Draw page, drawn {when}", None, "drawing")
    st.session_state.setdefault(_INDEX, 0)
    n = len(x_test)
    left, mid, right = st.columns([1.1, 1, 0.8], vertical_alignment="bottom")
    index = left.number_input("Test digit number", min_value=0, step=1, key=_INDEX,
                              help=f"0 to {n - 1:,}: MNIST's {n:,} test digits.")  # fmt: skip
    mid.selectbox("Class", ["any", *range(10)], key=_CLASS, on_change=_pick_class, args=(y_test,),
                  help="Jump to a random test example of this digit.")  # fmt: skip
    right.button(
        "Random", icon=":material/casino:", on_click=_pick_random, args=(y_test,), width="stretch"
    )
    if not 0 <= int(index) < n:
        st.error(f"There is no test digit {int(index):,}: they are numbered 0 to {n - 1:,}.")
        return None
    i = int(index)
    return DigitChoice(
        np.asarray(x_test[i]), f"test digit {i:,} (labelled {y_test[i]})", int(y_test[i]), "test"
    )


def layer_outputs(option: ModelOption, image: np.ndarray) -> list[LayerOutput]:
    """Every layer's output for the image, from one forward pass."""
    return Inspector(option.built.model, option.built.arch).layer_outputs(image)


def guess(outputs: list[LayerOutput]) -> tuple[int, float] | None:
    """The predicted digit and its probability when the last layer outputs 10 probabilities."""
    last = outputs[-1].array if outputs else None
    if (
        last is None
        or last.shape != (10,)
        or outputs[-1].spec.params.get("activation") != "softmax"
    ):
        return None
    return int(last.argmax()), float(last.max())


def cached_top_patches(key: tuple, compute: Callable[[], object] | None = None):
    """A stored top-patches result for ``key``; computes and stores it when ``compute`` is given."""
    store: dict = st.session_state.setdefault(_TOP, {})
    if key not in store and compute is not None:
        store[key] = compute()
        while len(store) > TOP_KEEP:
            store.pop(next(iter(store)))
    return store.get(key)


# --- sections ------------------------------------------------------------------------------------


def _chart(fig, key: str | None = None) -> None:
    st.plotly_chart(fig, width="content", key=key, config={"displayModeBar": False})


def _layer_caption(out: LayerOutput, before: LayerOutput | None, pre_shown: bool) -> str:
    a, kind = out.array, out.kind
    if kind == "ZeroPadding2D":
        return (f"The blue outline is the {a.shape[0] - 2 * out.spec.params['padding']}-pixel "
                "image it received; the ring outside it is the added zeros.")  # fmt: skip
    if kind in ("MaxPooling2D", "AveragePooling2D") and before is not None:
        h, w = before.array.shape[:2]
        how = "its largest value" if kind == "MaxPooling2D" else "the average"
        return f"Each window keeps {how}: {h}×{w} → {a.shape[0]}×{a.shape[1]}, half the resolution."
    if out.pre_activation is not None and out.spec.params["activation"] == "relu":
        zeroed = float(np.mean(out.pre_activation < 0))
        view = ("Before ReLU: blue values are negative and ReLU will set them to 0."
                if pre_shown else "White is 0.")  # fmt: skip
        return f"ReLU set {zeroed:.0%} of this layer's values to 0. {view}"
    return ""


def every_layer(
    outputs: list[LayerOutput], show_all: bool, before_relu: bool, input_shape: tuple = MNIST_SHAPE
) -> None:
    """Each layer's output in order, titled "Kind → shape", drawn to one pixel scale."""
    for out in outputs:
        before = outputs[out.index - 1] if out.index else None
        a = out.array
        st.markdown(f"**{out.index + 1}. {out.spec.describe()}**")
        title = f"{out.kind} → {figs.shape_text(a.shape)}"
        if a.ndim == 3:
            pre = out.pre_activation if before_relu else None
            maps = a if pre is None else pre
            zrange = diverging_range(maps)  # so a padding or pooling after it looks the same
            border = out.spec.params["padding"] if out.kind == "ZeroPadding2D" else 0
            fig = figs.feature_maps(maps, title + (" (before ReLU)" if pre is not None else ""),
                                    max_tiles=None if show_all else 32, zrange=zrange,
                                    border=border, px=6 if a.shape[-1] <= 2 else 3)  # fmt: skip
            _chart(fig, key=f"inside.layer.{out.index}")
            note = _layer_caption(out, before, pre is not None)
            if a.shape[-1] > 32 and not show_all:
                note += f" Showing the first 32 of {a.shape[-1]} channels."
            if note:
                st.caption(note)
        elif out.kind == "Flatten":
            source = before.array.shape if before is not None else input_shape
            _chart(figs.flat_strip(a, title, source), key=f"inside.layer.{out.index}")
            st.caption(f"The {figs.shape_text(source)} block laid out as one row of "
                       f"{a.size:,} numbers (wrapped here to fit): hover to see where each came from.")  # fmt: skip
        else:
            soft = out.spec.params.get("activation") == "softmax" and a.shape == (10,)
            _chart(figs.vector_bars(a, title, probabilities=soft), key=f"inside.layer.{out.index}")


def _spatial(outputs: list[LayerOutput]) -> list[LayerOutput]:
    return [o for o in outputs if o.array.ndim == 3]


def one_window(outputs: list[LayerOutput], built: BuiltModel, image: np.ndarray) -> None:
    """Choose a layer, a pixel and a channel: its receptive field, and how its value was made."""
    spatial = _spatial(outputs)
    if not spatial:
        st.info("No layer of this model has rows and columns, so there is no window to explain.")
        return
    convs = [o.index for o in spatial if o.kind == "Conv2D"]
    names = {
        o.index: f"{o.index + 1}. {o.spec.describe()} → {figs.shape_text(o.array.shape)}"
        for o in spatial
    }
    index = st.selectbox("Layer", list(names), index=list(names).index(convs[0]) if convs else 0,
                         format_func=names.get, key="inside.window.layer")  # fmt: skip
    out = outputs[index]
    h, w, c = out.array.shape
    a, b, d = st.columns(3)
    ch = d.slider("Filter (channel)", 0, c - 1, 0, key=f"inside.window.ch.{index}") if c > 1 else 0
    # Start where channel 0 responds most: a pixel on the digit rather than in the background.
    top_r, top_c = np.unravel_index(int(np.argmax(out.array[..., 0])), (h, w))
    row = a.slider("Row", 0, h - 1, int(top_r), key=f"inside.window.row.{index}")
    col = b.slider("Column", 0, w - 1, int(top_c), key=f"inside.window.col.{index}")
    value = float(out.array[row, col, ch])
    field = receptive_fields(built.arch)[index]
    box = input_box(field, row, col)
    left, mid, right = st.columns([0.9, 0.9, 1.8])
    with left:
        _chart(figs.digit_with_box(image, box, "Where it looks in the digit"))
        if box is None:
            st.caption("This pixel lies in the added zero border: it sees no pixel of the digit.")
        else:
            t, lft, btm, rgt = box
            st.caption(f"Value {value:.3f} depends on a {field.size}×{field.size} patch of the input "
                       f"(rows {t}–{btm}, columns {lft}–{rgt} inside the image). Deeper layers see "
                       "larger patches: that is how small 3×3 filters come to see whole strokes.")  # fmt: skip
    with mid:
        fig = figs.feature_maps(
            out.array[..., ch : ch + 1],
            f"Channel {ch} of layer {index + 1}",
            px=max(2, round(168 / max(h, w))),  # about the size of the digit beside it
        )
        fig.add_shape(type="rect", x0=col - 0.5, x1=col + 0.5, y0=row - 0.5, y1=row + 0.5,
                      line=dict(color=ACCENT_2, width=2))  # fmt: skip
        _chart(fig)
    with right:
        x = act.layer_input(outputs, index, image)
        if out.kind == "Conv2D":
            kernel, bias = act.layer_weights(built.model, index)
            e = act.explain_conv_pixel(x, kernel, bias, out.spec, row, col, ch)
            _explain_conv(e, value, (diverging_range(x), diverging_range(kernel)))
        elif out.kind in ("MaxPooling2D", "AveragePooling2D"):
            _explain_pool(act.explain_pool_pixel(x, out.spec, row, col, ch))
        else:
            st.markdown(f"**{out.spec.describe()}** — value **{value:.4f}**.")
            st.caption("Pick a Conv2D layer to see its multiply-and-sum, or a pooling layer to see "
                       "which value of its window it kept.")  # fmt: skip


def _explain_conv(e, value: float, ranges: tuple) -> None:
    k, channels = e.patch.shape[0], e.patch.shape[-1]
    if channels == 1:
        st.markdown(f"**The {k}×{k} multiply-and-sum** (input after normalising and padding)")
        _chart(
            figs.conv_window(e.patch[..., 0], e.weights[..., 0], e.products[..., 0], 250, *ranges)
        )
        terms = f"sum of the {k * k} products"
    else:
        st.markdown(
            f"**{channels} input channels × {k}×{k} weights = {e.products.size:,} products**"
        )
        _chart(figs.channel_sums(e.products))
        pick = st.slider("Input channel to show in full", 0, channels - 1, int(np.abs(e.products.sum((0, 1))).argmax()),
                         key=f"inside.window.inch.{channels}")  # fmt: skip
        _chart(
            figs.conv_window(
                e.patch[..., pick], e.weights[..., pick], e.products[..., pick], 200, *ranges
            )
        )
        terms = f"sum of all {e.products.size:,} products"
    lines = [
        f"{terms.capitalize()}: **{e.total:.4f}**",
        f"Plus the bias {e.bias:.4f}: **{e.pre_activation:.4f}**",
    ]
    if e.activation == "relu":
        lines.append(
            f"ReLU ({'negative, so it becomes 0' if e.pre_activation < 0 else 'positive, so it stays'}): **{e.output:.4f}**"
        )
    elif e.activation != "linear":
        lines.append(f"{e.activation}: **{e.output:.4f}**")
    st.markdown("  \n".join(lines))
    ok = abs(e.output - value) <= 1e-4 * max(1.0, abs(value))
    st.caption(("✓ the same as the layer's own output, " if ok else "✗ differs from the layer's output, ")
               + f"{value:.4f}.")  # fmt: skip


def _explain_pool(e) -> None:
    k = e.window.shape[0]
    st.markdown(f"**The {k}×{k} window of the layer before, channel {e.channel}**")
    _chart(figs.pool_window(e.window, e.argmax if e.kind == "MaxPooling2D" else None))
    if e.kind == "AveragePooling2D":
        st.markdown(f"Their average, **{e.output:.4f}**, is kept.")
    elif e.ties == np.sum(~np.isnan(e.window)) and e.ties > 1:
        st.markdown(f"All {e.ties} values are equal ({e.output:.4f}): any of them is the maximum.")
    else:
        r, c = e.argmax
        st.markdown(f"The largest, **{e.output:.4f}** (row {r}, column {c} of the window, outlined), "
                    f"is kept; the other {int(np.sum(~np.isnan(e.window))) - 1} are dropped.")  # fmt: skip


def _kernel_slice(built: BuiltModel, index: int, channel: int, title: str) -> None:
    kernel, _ = act.layer_weights(built.model, index)
    _chart(figs.kernels(kernel, channel, title, columns=8, px=10, max_width=380))


def filters(option: ModelOption) -> int | None:
    """A Conv2D's filters, the trained ones next to the same layer's random start.

    Returns:
        The chosen Conv2D's index, or None (after a message) when the model has no Conv2D.
    """
    arch = option.built.arch
    convs = [i for i, s in enumerate(arch.layers) if s.kind == "Conv2D"]
    if not convs:
        st.info("This model has no Conv2D layer, so it has no filters to show. Its other layers "
                "are all under *Every layer*; add a convolution on the Build page to get filters.")  # fmt: skip
        return None
    names = {i: f"{i + 1}. {arch.layers[i].describe()}" for i in convs}
    index = st.selectbox(
        "Convolution layer", convs, format_func=names.get, key="inside.filters.layer"
    )
    in_ch = option.built.model.layers[index].kernel.shape[2]
    channel = 0
    if in_ch > 1:
        channel = st.slider(f"Input channel (each filter has one {arch.layers[index].params['kernel_size']}²"
                            f" grid of weights for each of its {in_ch} input channels)", 0, in_ch - 1, 0,
                            key=f"inside.filters.channel.{index}")  # fmt: skip
    label = f"input channel {channel} of {in_ch}" if in_ch > 1 else "weights on the grey digit"
    if not option.trained:
        st.info("This model is untrained: these are its random starting weights. Train it on the "
                "Train page, then compare them with what it learns.")  # fmt: skip
        _kernel_slice(option.built, index, channel, f"Random filters · {label}")
        return index
    first = index == next(i for i, s in enumerate(arch.layers) if s.kind == "Conv2D")
    snapshots = dict(option.snapshots)
    try:
        if first and 0 in snapshots:  # this model's own random start, saved before training
            start, start_title = snapshots[0], f"Its random start, before training · {label}"
        else:
            start = np.asarray(untrained(arch).model.layers[index].kernel)
            start_title = f"A random start (seed {SEED}) · {label}"
    except ArchitectureError as err:
        st.caption(f"No random model to compare with: {err}")
        _kernel_slice(option.built, index, channel, f"Trained · {label}")
        return index
    trained, _ = act.layer_weights(option.built.model, index)
    zrange = diverging_range(np.concatenate([trained.ravel(), start.ravel()]))  # one scale for both
    left, right = st.columns(2)
    for column, kernel, title in (
        (left, trained, f"Trained · {label}"),
        (right, start, start_title),
    ):
        with column:
            _chart(
                figs.kernels(kernel, channel, title, columns=8, px=10, zrange=zrange, max_width=380)
            )
    st.caption("Blue weights are negative, red positive, white zero; hover for the numbers. Random "
               "filters are noise; trained first-layer filters look like small edge and stroke "
               "detectors.")  # fmt: skip
    return index


def filters_over_training(
    option: ModelOption, outputs: list[LayerOutput], image: np.ndarray
) -> None:
    """A slider over the first Conv2D's kernels saved at each epoch of this session's training."""
    st.markdown("**Filters over training**")
    if not option.snapshots:
        st.caption("When you train a model on the Train page in this session, its first layer's "
                   "filters are saved after every epoch and can be replayed here.")  # fmt: skip
        return
    first = next(i for i, s in enumerate(option.built.arch.layers) if s.kind == "Conv2D")
    epochs = [e for e, _ in option.snapshots]
    epoch = st.select_slider("Training so far", epochs, value=epochs[-1], key="inside.snap.epoch",
                             format_func=_epoch_name)  # fmt: skip
    kernel = dict(option.snapshots)[epoch]
    every = np.concatenate([np.ravel(k) for _, k in option.snapshots])  # one range for all epochs
    title = f"First-layer filters {_epoch_name(epoch)}"
    _chart(figs.kernels(kernel, 0, title, columns=8, px=10, zrange=diverging_range(every)))
    x = outputs[first - 1].array if first else image[..., None].astype(np.float32)
    maps = _conv_with(kernel, option, first, x)
    _chart(figs.feature_maps(maps, f"Conv2D → {figs.shape_text(maps.shape)} with those filters"))


def _epoch_name(epoch: int) -> str:
    return "before training" if epoch == 0 else f"after epoch {epoch}"


def _conv_with(kernel: np.ndarray, option: ModelOption, index: int, x: np.ndarray) -> np.ndarray:
    """The layer's output with another kernel (today's bias), for replaying snapshots."""
    layer = option.built.model.layers[index]
    y = layer.convolution_op(
        keras.ops.convert_to_tensor(x[None]), keras.ops.convert_to_tensor(kernel)
    )
    if layer.use_bias:
        y = y + layer.bias
    return np.asarray(layer.activation(y))[0]


def what_a_filter_looks_for(option: ModelOption, x_test: np.ndarray) -> None:
    """The 9 test-digit patches that excite a chosen filter most (cached per model)."""
    arch = option.built.arch
    convs = [i for i, s in enumerate(arch.layers) if s.kind == "Conv2D"]
    if not convs:
        st.info("This model has no Conv2D layer, so there is no filter to study.")
        return
    names = {i: f"{i + 1}. {arch.layers[i].describe()}" for i in convs}
    a, b, c = st.columns([1.4, 1, 0.8])
    index = a.selectbox("Convolution layer", convs, format_func=names.get, key="inside.top.layer")
    n_filters = arch.layers[index].params["filters"]
    filt = b.slider("Filter", 0, n_filters - 1, 0, key=f"inside.top.filter.{index}")
    n = c.selectbox("Digits searched", [500, 2000, 5000], index=1, key="inside.top.n")
    key = (option.key, index, filt, n)
    result = cached_top_patches(key)
    if result is None:
        slot = st.empty()  # the button (deeper layers take seconds), gone once there are results
        if index != convs[0] and not slot.button(
            "Find its 9 strongest patches", icon=":material/search:"
        ):
            st.caption(f"Searching {n:,} digits through {index + 1} layers takes a few seconds.")
            return
        slot.empty()
        with st.spinner(f"Running {n:,} test digits through the first {index + 1} layers…"):
            result = cached_top_patches(
                key, lambda: act.top_patches(option.built.model, arch, index, filt, x_test[:n])
            )
    size = result.patches.shape[1]
    picked = x_test[result.image_indices]
    title = f"Filter {filt} of layer {index + 1}: the 9 test digits it responds to most"
    _chart(figs.digits_with_boxes(picked, result.boxes, result.values, title))
    left, right = st.columns([3, 1]) if index == convs[0] else (st.container(), None)
    with left:
        _chart(
            figs.patches_grid(result.patches, result.values, f"The {size}×{size} patches, enlarged")
        )
    if right is not None:
        kernel = option.built.model.layers[index].kernel
        with right:
            _chart(
                figs.kernels(
                    np.asarray(kernel)[..., filt : filt + 1], 0, f"Filter {filt}'s weights", px=24
                )
            )
    st.caption(f"Out of the first {result.searched:,} test digits, the 9 where this filter fired hardest. "
               f"The red box is the {size}×{size} patch that one output pixel sees (its receptive field); "
               "the number is the filter's output there; light grey is outside the digit.")  # fmt: skip
    if not option.trained:
        st.caption(
            "An untrained filter also has favourite patches, but they share no clear pattern."
        )
