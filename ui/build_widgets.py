"""Build page widget groups: each draws one group and returns plain values (what was asked for).

The page decides what to do with the values ("change state, then rebuild"). The pure helpers
at the end (``dense_on_image``, ``linear_stacks`` and their fixes) hold the notebook's lesson.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from core.architecture import Architecture, LayerSpec
from core.figures.architecture import shape_label
from core.figures.style import ACCENT, ACCENT_2, MUTED
from core.layers import CATALOGUE, ParamSpec
from core.shapes import LayerTrace, Trace, format_shape

WHERE = {"end": "at the end", "after": "after the selected layer", "start": "at the start"}
MAX_UPLOAD_BYTES = 200_000


@dataclass(frozen=True)
class AddRequest:
    """The palette's answer: add a layer of ``kind`` with ``params`` at ``where``."""

    kind: str
    params: dict[str, Any]
    where: str  # a key of WHERE


# --- parameters ---------------------------------------------------------------------------------


def _number_bounds(p: ParamSpec) -> tuple[float, float, float]:
    """(min, max, step) for a number input; a half-open upper bound stops just short of it."""
    step = 1 if p.kind == "int" else 0.05
    high = p.high - (1 if p.kind == "int" else 0.01) if p.high_open else p.high
    return p.low, high, step  # type: ignore[return-value]


def shown_value(p: ParamSpec, value: Any) -> Any:
    """The value a widget can show: numbers clamped into the widget's range."""
    if p.kind == "choice" or value is None:
        return value
    low, high, _ = _number_bounds(p)
    return min(max(value, low), high)


def param_inputs(kind: str, values: dict[str, Any], key: str, columns: int = 3) -> dict[str, Any]:
    """One widget per catalogue parameter of ``kind``: number inputs with the catalogue's ranges,
    selectboxes for choices, and an empty number input ("auto") for an optional parameter.

    Args:
        kind: the layer kind (Keras class name).
        values: the starting values (a layer's params, or the catalogue defaults).
        key: prefix for the widget keys; change it to reset the widgets.
        columns: widgets per row.

    Returns:
        The parameters as the widgets show them (None for an empty "auto" field).
    """
    specs = CATALOGUE[kind].params
    if not specs:
        st.caption("This layer has no settings.")
        return {}
    out: dict[str, Any] = {}
    cols = st.columns(columns)
    for i, p in enumerate(specs):
        with cols[i % columns]:
            out[p.name] = _param_input(p, values.get(p.name, p.default), f"{key}-{p.name}")
    return out


def _param_input(p: ParamSpec, value: Any, key: str) -> Any:
    if p.kind == "choice":
        index = p.choices.index(value) if value in p.choices else 0
        return st.selectbox(p.label, p.choices, index=index, help=p.help, key=key)
    low, high, step = _number_bounds(p)
    value = shown_value(p, value)
    return st.number_input(
        p.label, min_value=low, max_value=high, value=value, step=step, help=p.help, key=key,
        placeholder="auto" if p.optional else None, format="%.2f" if p.kind == "float" else None,
    )  # fmt: skip


# --- palette, toolbar, rows ---------------------------------------------------------------------


def palette(selected: int | None) -> AddRequest | None:
    """The "Add a layer" box: kind, its parameters, where to insert, and the Add button.

    Returns:
        An AddRequest when "Add layer" was pressed in this run, else None.
    """
    with st.container(border=True, key="palette"):
        kinds = list(CATALOGUE)
        kind = st.selectbox(
            "Add a layer", kinds, index=kinds.index("Conv2D"), key="add-kind",
            format_func=lambda k: f"{CATALOGUE[k].label} — {CATALOGUE[k].summary}",
        )  # fmt: skip
        with st.form("add-form", border=False, enter_to_submit=False):
            params = param_inputs(kind, CATALOGUE[kind].defaults(), key=f"add-{kind}", columns=5)
            after = f"after #{selected + 1} (the open layer)" if selected is not None else None
            options = ["end", "after", "start"] if after else ["end", "start"]
            with st.container(horizontal=True, vertical_alignment="bottom"):
                where = st.radio(
                    "Where", options, horizontal=True, key="add-where",
                    format_func=lambda w: after if w == "after" and after else WHERE[w],
                )  # fmt: skip
                st.space("stretch")
                pressed = st.form_submit_button(
                    "Add layer", type="primary", icon=":material/add:", key="add-button"
                )
    return AddRequest(kind, params, where or "end") if pressed else None


def toolbar(
    preset_names: list[str], index: int | None, blurbs: dict[str, str], undo_note: str | None
) -> tuple[str, str | None]:
    """Preset picker (starting at ``index``, or empty), Load, Undo and Clear in one row.

    Returns:
        (action, preset): action is "load", "undo", "clear" or "" (nothing pressed).
    """
    with st.container(horizontal=True, vertical_alignment="bottom", key="toolbar"):
        preset = st.selectbox(
            "Preset", preset_names, index=index, key="preset-choice", width=300,
            placeholder="Choose a ready-made model…",
        )  # fmt: skip
        load = st.button(
            "Load preset", icon=":material/download_for_offline:", key="preset-load", disabled=preset is None
        )  # fmt: skip
        st.space("stretch")
        undo = st.button(
            "Undo", icon=":material/undo:", key="undo", disabled=undo_note is None,
            help=f"Take back: {undo_note}" if undo_note else "Nothing to undo yet",
        )  # fmt: skip
        clear = st.button(
            "Clear", icon=":material/delete_sweep:", key="clear",
            help="Remove every layer (Undo brings them back)",
        )  # fmt: skip
    about = (
        f"**{preset}:** {blurbs[preset]}"
        if preset
        else "Presets: the notebook's models and a quick one."
    )
    st.caption(about + (f" · Last change: {undo_note}." if undo_note else ""))
    action = "load" if load else "undo" if undo else "clear" if clear else ""
    return action, preset


def layer_row(layer: LayerTrace, selected: bool, count: int) -> str | None:
    """One layer in the list: its name (click to open it), move up, move down, remove.

    Returns:
        "select", "up", "down", "remove", or None when nothing was pressed.
    """
    i = layer.index
    broken = layer.status == "error"
    with st.container(horizontal=True, vertical_alignment="center", gap="xxsmall", key=f"row-{i}"):
        label = f"{i + 1}\u2002{layer.spec.describe()}" + (
            "\u2002(not reached)" if layer.status == "skipped" else ""
        )
        chosen = st.button(
            label, key=f"row-select-{i}", type="primary" if selected else "tertiary",
            icon=":material/error:" if broken else None, help="Open this layer: explanation and settings",
        )  # fmt: skip
        st.space("stretch")
        up = st.button(
            "",
            icon=":material/arrow_upward:",
            key=f"row-up-{i}",
            type="tertiary",
            disabled=i == 0,
            help="Move up",
        )
        down = st.button(
            "", icon=":material/arrow_downward:", key=f"row-down-{i}", type="tertiary",
            disabled=i == count - 1, help="Move down",
        )  # fmt: skip
        remove = st.button(
            "", icon=":material/close:", key=f"row-remove-{i}", type="tertiary", help="Remove"
        )
    if broken:
        st.error(f"**Layer {i + 1} breaks here:** {layer.error}", icon=":material/error:")
    return "select" if chosen else "up" if up else "down" if down else "remove" if remove else None


def layer_editor(layer: LayerTrace) -> tuple[dict[str, Any] | None, bool]:
    """The open layer: what it does (catalogue text), its settings, and a Close button.

    Returns:
        (params, close): the new parameters when a setting was changed in this run (else
        None), and whether Close was pressed.
    """
    spec, entry = layer.spec, CATALOGUE[layer.spec.kind]
    with st.container(border=True, key="editor"):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(f"**Layer {layer.index + 1}: {entry.label}**")
            st.space("stretch")
            close = st.button("Close", icon=":material/close:", key="editor-close", type="tertiary")
        st.markdown(f"{entry.summary} {entry.explanation}")
        if layer.status == "error":
            st.error(f"**This layer breaks:** {layer.error}", icon=":material/error:")
        version = abs(hash(spec)) % 10**8  # new widgets when the layer changes (edit, undo)
        if entry.params:
            st.caption("Its settings (a change applies at once):")
        values = param_inputs(
            spec.kind, spec.params, key=f"edit-{layer.index}-{version}", columns=5
        )
    shown = {p.name: shown_value(p, spec.params[p.name]) for p in entry.params}
    changed = values if values and values != shown else None
    return changed, close


# --- tables -------------------------------------------------------------------------------------


def shape_rows(t: Trace) -> pd.DataFrame:
    """The shape table: #, layer, output shape, parameters (with formula), running total."""
    c = t.input_shape
    rows = [("in", "Input image", format_shape(c), "", "0")]
    totals = t.running_totals()
    for layer, total in zip(t.layers, totals, strict=True):
        if layer.status == "ok":
            params = "no weights" if not layer.params else layer.formula
            rows.append(
                (
                    str(layer.index + 1),
                    layer.spec.describe(),
                    format_shape(layer.output_shape),
                    params,
                    f"{total:,}",
                )
            )
        elif layer.status == "error":
            rows.append(
                (
                    str(layer.index + 1),
                    layer.spec.describe(),
                    f"✗ breaks here: {layer.error}",
                    "",
                    "",
                )
            )
        else:
            rows.append((str(layer.index + 1), layer.spec.describe(), "not reached", "", ""))
    return pd.DataFrame(rows, columns=["#", "Layer", "Output shape", "Parameters", "Total so far"])


def shape_table(t: Trace, selected: int | None) -> None:
    """The shape table with the broken row in the error colour and the open layer in bold."""
    frame = shape_rows(t)

    def colour(row: pd.Series) -> list[str]:
        if row.name == 0:
            return [f"color: {MUTED}"] * len(row)
        layer = t.layers[row.name - 1]
        style = ""
        if layer.status == "error":
            style = f"color: {ACCENT_2}; background-color: #fef2f2; font-weight: 600"
        elif layer.status == "skipped":
            style = f"color: {MUTED}"
        elif selected == layer.index:
            style = f"color: {ACCENT}; font-weight: 600"
        return [style] * len(row)

    st.table(frame.style.apply(colour, axis=1), hide_index=True)


def trace_table(t: Trace) -> pd.DataFrame:
    """A compact table (#, layer, output as ``28×28×32``, parameters) for side-by-side comparisons."""
    rows = [
        (
            x.index + 1,
            x.spec.describe(),
            shape_label(x.output_shape) if x.output_shape else "—",
            f"{x.params:,}",
        )
        for x in t.layers
    ]
    return pd.DataFrame(rows, columns=["#", "Layer", "Output", "Parameters"])


def compare_table(t: Trace, key: str) -> None:
    """``trace_table`` as a scrolling table sized to sit beside another one."""
    config = {
        "#": st.column_config.NumberColumn(width=36),
        "Layer": st.column_config.TextColumn(width=175),
    }
    st.dataframe(trace_table(t), hide_index=True, key=key, column_config=config, height=390)


def json_upload() -> tuple[str, bytes] | None:
    """The architecture file uploader; returns (name, content) once per newly uploaded file.

    Returns:
        The file's name and bytes (at most MAX_UPLOAD_BYTES + 1 are read) the first time it is
        seen, else None.
    """
    file = st.file_uploader(
        "Open an architecture file (.json)", type=["json"], key="upload", max_upload_size=1
    )
    if file is None or st.session_state.get("upload-seen") == file.file_id:
        return None
    st.session_state["upload-seen"] = file.file_id
    return file.name, file.read(MAX_UPLOAD_BYTES + 1)


# --- the notebook's lesson: Dense on an image, and linear layers that collapse -------------------


@dataclass(frozen=True)
class DenseOnImage:
    """Dense layers applied to an image-shaped tensor (they act on its last axis only).

    Attributes:
        first: index of the first such Dense layer (Flatten belongs before it).
        journey: the shapes from that layer's input on, e.g. ["(28, 28, 1)", "(28, 28, 10)"].
        positions: "28×28", the positions each getting their own tiny classifier.
        count: how many positions (784 for 28×28).
    """

    first: int
    journey: tuple[str, ...]
    positions: str
    count: int


def _unbatched(shape: tuple) -> str:
    return format_shape(shape[1:])


def dense_on_image(t: Trace) -> DenseOnImage | None:
    """Finds the first Dense layer whose input still has rows and columns, if any."""
    before = t.input_shape
    for layer in t.layers:
        if layer.status != "ok":
            return None
        if layer.spec.kind == "Dense" and len(before) > 2:
            journey = [_unbatched(before)] + [
                _unbatched(x.output_shape) for x in t.layers[layer.index :] if x.status == "ok"
            ]
            grid = before[1:-1]
            return DenseOnImage(
                layer.index, tuple(journey), "×".join(map(str, grid)), int(np.prod(grid))
            )
        before = layer.output_shape
    return None


def fix_dense_on_image(arch: Architecture, lesson: DenseOnImage) -> Architecture:
    """Flatten before the first Dense, and a Dense(10, softmax) at the end (replacing a last Dense)."""
    fixed = arch.insert(lesson.first, LayerSpec.make("Flatten"))
    last = fixed.layers[-1]
    out = LayerSpec.make("Dense", units=10, activation="softmax")
    if last.kind == "Dense":
        return fixed.replace_layer(len(fixed) - 1, out)
    return fixed.append(out)


@dataclass(frozen=True)
class LinearStack:
    """Consecutive Dense layers with no activation between them: together, one matrix.

    Attributes:
        start: index of the first Dense layer of the run.
        stop: index of the last one (its own activation may bend, the ones before don't).
        dims: [inputs, units of each layer], e.g. [1, 10, 5, 2].
        params: the parameters the run has.
        activation: the last layer's activation, applied after the one matrix.
    """

    start: int
    stop: int
    dims: tuple[int, ...]
    params: int
    activation: str = "linear"

    @property
    def single_params(self) -> int:
        """Parameters of the one Dense layer that computes the same thing."""
        return self.dims[0] * self.dims[-1] + self.dims[-1]


def linear_stacks(t: Trace) -> list[LinearStack]:
    """Runs of at least two traced Dense layers where all but the last are linear."""
    runs: list[LinearStack] = []
    current: list[LayerTrace] = []
    before = t.input_shape
    inputs: dict[int, int] = {}
    for layer in t.layers:
        if layer.status != "ok":
            break
        if layer.spec.kind == "Dense":
            inputs[layer.index] = int(before[-1])  # type: ignore[arg-type]
            current.append(layer)
            if layer.spec.params["activation"] != "linear":
                runs += _close(current, inputs)
                current = []
        else:
            runs += _close(current, inputs)
            current = []
        before = layer.output_shape
    return runs + _close(current, inputs)


def _close(run: list[LayerTrace], inputs: dict[int, int]) -> list[LinearStack]:
    if len(run) < 2:
        return []
    dims = (inputs[run[0].index], *(x.spec.params["units"] for x in run))
    last = run[-1].spec.params["activation"]
    return [LinearStack(run[0].index, run[-1].index, dims, sum(x.params for x in run), last)]


def collapse_demo(stack: LinearStack, seed: int = 0) -> tuple[tuple[int, int], float]:
    """Multiplies random weight matrices of the run's sizes (biases folded in).

    Returns:
        (shape of the single equivalent matrix, largest difference between running the layers
        one after the other and running the single layer on a random input).
    """
    rng = np.random.default_rng(seed)
    weights = [
        rng.normal(size=(a, b)) for a, b in zip(stack.dims[:-1], stack.dims[1:], strict=True)
    ]
    biases = [rng.normal(size=b) for b in stack.dims[1:]]
    x = rng.normal(size=(4, stack.dims[0]))
    step = x
    for w, b in zip(weights, biases, strict=True):
        step = step @ w + b
    w_all, b_all = weights[0], biases[0]
    for w, b in zip(weights[1:], biases[1:], strict=True):
        w_all, b_all = w_all @ w, b_all @ w + b
    return w_all.shape, float(np.max(np.abs(step - (x @ w_all + b_all))))


def fix_linear_stack(arch: Architecture, stack: LinearStack) -> Architecture:
    """Gives every Dense layer of the run but the last a relu, so they no longer collapse."""
    for i in range(stack.start, stack.stop):
        arch = arch.replace_layer(i, arch.layers[i].with_params(activation="relu"))
    return arch


def dense_lesson(lesson: DenseOnImage, stacks: list[LinearStack]) -> bool:
    """The notebook's lesson for Dense layers on an image, with its one-click fix.

    Returns:
        True when "Add Flatten first and end with Dense(10, softmax)" was pressed.
    """
    with st.container(border=True, key="dense-lesson"):
        st.markdown(
            "#### :material/lightbulb: Why this can't classify digits (the notebook's first try)"
        )
        left, right = st.columns(2, gap="large")
        with left:
            st.markdown(
                f"**Dense works on the last axis only.** The shapes go "
                f"{' → '.join(f'`{_nbsp(s)}`' for s in lesson.journey)}: still an image. Each of the "
                f"{lesson.positions} = {lesson.count:,} pixel positions gets its own tiny classifier "
                f"(all sharing the same weights) that sees only the values at that one position, "
                f"so the network never looks at the digit as a whole, and its answer is not one "
                f"vector of shape `(10,)` but `{_nbsp(lesson.journey[-1])}`."
            )
        with right:
            for stack in stacks[:1]:
                st.markdown(_collapse_text(stack))
            if not stacks:
                st.markdown(
                    "**Flatten first.** It unrolls the image into one vector, so every Dense unit sees every pixel."
                )
        return st.button(
            "Add Flatten first and end with Dense(10, softmax)", type="primary", icon=":material/auto_fix_high:",
            key="fix-dense",
        )  # fmt: skip


def _nbsp(text: str) -> str:
    """Keeps a shape such as ``(28, 28, 1)`` on one line."""
    return text.replace(" ", "\u00a0")


def _collapse_text(stack: LinearStack) -> str:
    shape, gap = collapse_demo(stack)
    pairs = zip(stack.dims[:-1], stack.dims[1:], strict=True)
    factors = " · ".join(f"W{i + 1} ({a}×{b})" for i, (a, b) in enumerate(pairs))
    n = stack.stop - stack.start + 1
    last = stack.activation
    single = f"Dense({stack.dims[-1]}{'' if last == 'linear' else ', ' + last})"
    then = "" if last == "linear" else f" (then the last one's {last})"
    return (
        f"**Without activations in between, {n} Dense layers are one.** Layers {stack.start + 1}–{stack.stop + 1} "
        f"only multiply and add{then}, so {factors} = one {shape[0]}×{shape[1]} matrix: "
        f"the same as a single {single} with {stack.single_params:,} parameters instead of {stack.params:,}. "
        f"(Checked with random weights: the outputs differ by at most {gap:.0e}.)"
    )


def collapse_note(stack: LinearStack) -> bool:
    """A note on Dense layers without activations between them, with a fix.

    Returns:
        True when "Give them relu" was pressed.
    """
    with st.container(border=True, key=f"collapse-{stack.start}"):
        st.markdown(":material/info: " + _collapse_text(stack))
        which = (
            f"layer {stack.start + 1}"
            if stack.stop == stack.start + 1
            else f"layers {stack.start + 1}–{stack.stop}"
        )
        return st.button(
            f"Give {which} a relu so they stay separate", key=f"fix-collapse-{stack.start}",
            icon=":material/auto_fix_high:",
        )  # fmt: skip
