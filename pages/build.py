"""Build a network layer by layer: edit the list, watch every output shape and parameter count."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import streamlit as st

from core.architecture import Architecture, ArchitectureError, LayerSpec
from core.figures.architecture import comparison_figure, tensor_figure
from core.presets import PRESETS, VGG16
from core.shapes import Trace, format_shape, trace
from ui import build_widgets as w
from ui import runtime, state

runtime.run_through_app()

KEEP = object()  # apply(): leave the selection as it is


def apply(
    change: Callable[[Architecture], Architecture], note: str, select: int | None | object = KEEP
) -> None:
    """Change state, then rebuild: a change that raises ArchitectureError keeps the old architecture."""
    try:
        state.set_arch(change(state.get_arch()), note)
    except ArchitectureError as err:
        state.notify("error", f"That change was not made: {err}")
    else:
        if select is not KEEP:
            state.select(select)  # type: ignore[arg-type]
    st.rerun()


def add(req: w.AddRequest, selected: int | None) -> None:
    """Adds the palette's layer and opens it, so its explanation shows at once."""
    arch = state.get_arch()
    after = selected + 1 if req.where == "after" and selected is not None else None
    at = after if after is not None else 0 if req.where == "start" else len(arch)
    where = f"after layer {after}" if after is not None else w.WHERE[req.where]
    apply(
        lambda a: a.insert(at, LayerSpec.make(req.kind, **req.params)),
        f"added {req.kind} {where}",
        select=at,
    )


def show_notice() -> None:
    notice = state.take_notice()
    if notice is not None:
        {"warning": st.warning, "error": st.error, "success": st.success}[notice.kind](notice.text)
        if notice.kind == "error":
            st.toast(notice.text, icon=":material/error:")


def toolbar(arch: Architecture) -> None:
    names = list(PRESETS)
    current = next((names.index(n) for n, (a, _) in PRESETS.items() if a == arch), None)
    action, preset = w.toolbar(
        names, current, {k: v[1] for k, v in PRESETS.items()}, state.undo_note()
    )
    if action == "load" and preset is not None:
        state.notify("success", f"Loaded “{preset}”. {PRESETS[preset][1]}")
        apply(lambda _: PRESETS[preset][0], f"loaded “{preset}”", select=None)
    elif action == "undo":
        state.undo()
        st.rerun()
    elif action == "clear":
        apply(lambda _: Architecture(), "cleared every layer", select=None)


def layer_list(t: Trace, selected: int | None) -> None:
    if not t.layers:
        st.info("No layers yet: add one, or load a preset.", icon=":material/add_circle:")
    else:
        st.caption(f"**Your {len(t.layers)} layers** · click one to open it")
    for layer in t.layers:
        i = layer.index
        action = w.layer_row(layer, i == selected, len(t.layers))
        if action == "select":
            state.select(None if i == selected else i)
            st.rerun()
        elif action in ("up", "down"):
            offset = -1 if action == "up" else 1
            apply(
                lambda a, i=i, o=offset: a.move(i, o),
                f"moved {layer.spec.describe()} {action}",
                select=i + offset,
            )
        elif action == "remove":
            apply(lambda a, i=i: a.remove(i), f"removed {layer.spec.describe()}", select=None)


def editor(t: Trace, selected: int) -> None:
    """The open layer beside the list: what it does, its settings, and a close button."""
    layer = t.layers[selected]
    params, close = w.layer_editor(layer)
    if close:
        state.select(None)
        st.rerun()
    if params is not None:
        change = lambda a: a.replace_layer(selected, a.layers[selected].with_params(**params))  # noqa: E731
        apply(change, f"changed layer {selected + 1}")


def lessons(t: Trace) -> None:
    lesson, stacks = w.dense_on_image(t), w.linear_stacks(t)
    if lesson is not None:
        if w.dense_lesson(lesson, stacks):
            apply(
                lambda a: w.fix_dense_on_image(a, lesson),
                "added Flatten and Dense(10, softmax)",
                select=None,
            )
        return
    for stack in stacks:
        if w.collapse_note(stack):
            apply(lambda a, s=stack: w.fix_linear_stack(a, s), "gave the hidden Dense layers relu")


def _bytes(n: int) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n} bytes"


def summary(t: Trace, selected: int | None) -> None:
    """The at-a-glance strip: totals beside the to-scale picture of every output."""
    numbers, picture = st.columns([1, 3.6], gap="medium")
    with numbers:
        label = "Total parameters" if t.ok else "Parameters so far"
        st.metric(
            label, f"{t.total_params:,}", help="Every weight and bias the model learns (or tracks)."
        )
        st.markdown(f"**{'Output' if t.ok else 'Output so far'}** {format_shape(t.output_shape)}")
        st.caption(f"{_bytes(t.total_params * 4)} of float32 weights")
        if t.too_big:
            st.caption(":material/warning: Too big to train on this server.")
        if not t.ok:
            st.markdown(
                f":red[:material/error: **Layer {t.error_index + 1} breaks**; the rest is not reached.]"
            )
    with picture:
        st.plotly_chart(
            tensor_figure(t, selected, width_hint=660),
            config={"displayModeBar": False},
            key="tensor-figure",
        )
        st.caption(
            "Every output to scale: height and slanted depth = the image's height and width in pixels; "
            "thickness grows with the channels (square root). A flat vector of n numbers is a bar √n tall."
        )


def export(arch: Architecture) -> None:
    link = f"{st.context.url or '/build'}?arch={quote(arch.to_url(), safe='(),=-')}"
    st.markdown("**Share this architecture:** anyone opening the link sees these layers.")
    st.code(link, language=None, wrap_lines=True)
    left, right = st.columns(2)
    with left:
        st.download_button(
            "Download as JSON", arch.to_json(), file_name="architecture.json", mime="application/json",
            icon=":material/download:", on_click="ignore", key="download-json",
        )  # fmt: skip
    with right:
        upload = w.json_upload()
    if upload is not None:
        name, content = upload
        if len(content) > w.MAX_UPLOAD_BYTES:
            state.notify(
                "error",
                f"“{name}” is too large for an architecture file (more than {w.MAX_UPLOAD_BYTES:,} bytes); nothing was changed.",
            )
            st.rerun()
        try:
            new = Architecture.from_json(content)
        except ArchitectureError as err:
            state.notify(
                "error", f"“{name}” could not be read: {err}. Your architecture is unchanged."
            )
            st.rerun()
        apply(lambda _: new, f"opened “{name}”", select=None)
    st.markdown("**The same model in Keras** (copy it into a notebook):")
    # core.keras_model imports Keras (seconds on first use), so only once this box is open.
    with st.spinner("Loading Keras to write the code (only the first time)…"):
        from core.keras_model import to_python
    st.code(to_python(arch), language="python")


def compare(t: Trace) -> None:
    vgg = trace(VGG16)
    ratio = vgg.total_params / t.total_params if t.total_params else 0
    st.markdown(
        "VGG16 (2014) is the notebook's model grown up: the same pattern of 3×3 convolutions that keep the "
        "size, 2×2 max pooling that halves it and more filters after each pooling, then Flatten and Dense. "
        "But it reads 224×224 colour photos, has five blocks instead of two and answers 1,000 classes: "
        f"**{vgg.total_params:,}** parameters"
        + (f", {ratio:,.0f} times yours." if ratio >= 2 else ".")
    )
    left, right = st.columns(2)
    with left:
        st.markdown(
            f"**Your model**: {t.total_params:,} parameters, input {format_shape(t.input_shape)}"
        )
        w.compare_table(t, "compare-mine")
    with right:
        st.markdown(
            f"**VGG16**: {vgg.total_params:,} parameters, input {format_shape(vgg.input_shape)}"
        )
        w.compare_table(vgg, "compare-vgg")
    st.plotly_chart(
        comparison_figure(t, vgg), config={"displayModeBar": False}, key="compare-figure"
    )
    st.plotly_chart(
        tensor_figure(vgg, width_hint=900, label_rows=3),
        config={"displayModeBar": False},
        key="vgg-figure",
    )
    st.caption(
        "VGG16's outputs, drawn like yours: 224×224 shrinks to 7×7 while the channels grow to 512."
    )


state.sync_url()
st.title("Build")
st.caption(
    "Stack layers; see what each does to the shape of the data and how many numbers it learns. Click a layer to open it."
)
arch = state.get_arch()
toolbar(arch)
show_notice()
t = trace(arch)
selected = state.selected_index()
lessons(t)
# The strip sits above the palette but is drawn after it: "Add layer" reruns before any figure is made.
strip = st.container()
left, right = st.columns([1.6, 3.4], gap="medium")
with right:
    if selected is not None:
        editor(t, selected)
    request = w.palette(selected)
    if request is not None:
        add(request, selected)
with strip:
    summary(t, selected)
with left:
    layer_list(t, selected)
with right:
    w.shape_table(t, selected)
exporter = st.expander(
    "Export: Keras code, JSON file, share link",
    icon=":material/ios_share:",
    on_change="rerun",
    key="export-open",
)
if exporter.open:
    with exporter:
        export(arch)
comparer = st.expander(
    "Compare with VGG16", icon=":material/compare_arrows:", on_change="rerun", key="compare-open"
)
if comparer.open:
    with comparer:
        compare(t)
