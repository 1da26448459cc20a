"""The Lesson page's pieces: step and presentation state in the URL, and one live figure per step.

State keys start with ``lesson.``. The URL carries ``?step=`` and ``?present=`` (read and written
here) and ``?arch=`` (read and written by ``ui.state``). When Streamlit drops the query string on
a page switch, the session's last step and mode are used and written back.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from core import lesson
from core.activations import Inspector, LayerOutput, conv_kernels
from core.figures import draw as draw_figs
from core.figures import inside as inside_figs
from core.figures import mnist as mnist_figs
from core.figures.architecture import tensor_figure
from core.figures.style import ACCENT, ACCENT_2, FONT, base_layout, diverging_range
from core.figures.training import probabilities_figure
from core.keras_history import pairs_for
from core.predict import probabilities
from core.shapes import Trace, format_shape
from ui import draw_state, markdown, resources

_STEP = "lesson.step"  # the step shown last in this session
_PICK = "lesson.pick"  # the step selector widget
_PRESENT = "lesson.present"  # presentation mode, kept across page switches
_TOGGLE = "lesson.present_toggle"
_DIGIT = "lesson.digit"  # the test digit followed through the pretrained model
_DIGIT_IN = "lesson.digit_input"
CONFIG = {"displayModeBar": False}

PRESENT_CSS = """<style>
.stMainBlockContainer { max-width: 100%; padding-top: 2.5rem; }
.stMainBlockContainer [data-testid="stMarkdownContainer"] p,
.stMainBlockContainer [data-testid="stMarkdownContainer"] li { font-size: 1.3rem; line-height: 1.55; }
.stMainBlockContainer [data-testid="stCaptionContainer"] p { font-size: 1.05rem; }
.stMainBlockContainer code { font-size: 1.05rem; }
.stMainBlockContainer h2 { font-size: 2.3rem; }
</style>"""


# --- state: step and presentation mode, mirrored to the URL ------------------------------------


def _write(key: str, value: str | None) -> None:
    if value is None:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value


def go_to(number: int) -> None:
    """Shows step ``number`` (clamped to the lesson) and writes it to ``?step=``."""
    number = min(max(int(number), lesson.FIRST), lesson.LAST)
    st.session_state[_STEP] = number
    _write(lesson.URL_STEP, str(number))


def current_step() -> tuple[int, str | None]:
    """The step to show and a note when ``?step=`` could not be used (then step 1).

    Without ``?step=`` (a page switch dropped it) the session's last step is shown.
    """
    raw = st.query_params.get(lesson.URL_STEP)
    if raw is None:
        number, note = st.session_state.get(_STEP, lesson.FIRST), None
    else:
        number, note = lesson.parse_step(raw)
    go_to(number)
    return number, note


def presenting() -> bool:
    """Presentation mode: ``?present=1`` or the toggle; kept in the session across page switches."""
    raw = st.query_params.get(lesson.URL_PRESENT)
    on = st.session_state.get(_PRESENT, False) if raw is None else lesson.parse_present(raw)
    st.session_state[_PRESENT] = on
    _write(lesson.URL_PRESENT, "1" if on else None)
    return on


def _toggled() -> None:
    on = bool(st.session_state.get(_TOGGLE))
    st.session_state[_PRESENT] = on
    _write(lesson.URL_PRESENT, "1" if on else None)


def _picked() -> None:
    picked = st.session_state.get(_PICK)
    if picked is not None:  # clicking the selected pill unselects it: stay where we are
        go_to(picked)


def navigation(number: int, present: bool) -> None:
    """Previous / step pills / next, and the presentation toggle."""
    st.session_state[_PICK] = number
    st.session_state[_TOGGLE] = present
    st.pills("Step", [s.number for s in lesson.STEPS], key=_PICK, on_change=_picked, wrap=True,
             format_func=lambda n: f"{n} {lesson.step(n).label}", label_visibility="collapsed")  # fmt: skip
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("Back", icon=":material/arrow_back:", key="lesson.prev", on_click=go_to,
                  args=(number - 1,), disabled=number == lesson.FIRST)  # fmt: skip
        st.button("Next", icon=":material/arrow_forward:", key="lesson.next", on_click=go_to,
                  args=(number + 1,), disabled=number == lesson.LAST, type="primary")  # fmt: skip
        st.space("stretch")
        st.toggle("Presentation mode", key=_TOGGLE, on_change=_toggled,
                  help="Larger text and figures, fewer controls. The link gets ?present=1.")  # fmt: skip
    if present:
        st.html(PRESENT_CSS)


def share_link(number: int, arch_text: str, present: bool) -> None:
    """The URL that opens this step with this architecture (normal mode only)."""
    base = (st.context.url or "/lesson").split("?")[0]
    query = f"step={number}" + ("&present=1" if present else "") + f"&arch={arch_text}"
    with st.expander("Share this step", icon=":material/link:"):
        st.caption("Opens this step with this architecture:")
        st.code(f"{base}?{query}", language=None, wrap_lines=True)


def full_page_link(step: lesson.Step, arch_text: str) -> None:
    """ "Open the full page", carrying the architecture in ``?arch=``."""
    try:
        st.page_link(step.page, label="Open the full page", icon=":material/open_in_new:",
                     help=f"{step.page_label}, with the same architecture",
                     query_params={"arch": arch_text})  # fmt: skip
    except (st.errors.StreamlitAPIException, KeyError):  # run outside app.py's navigation
        st.caption(f"The full page is “{step.page_label}” in the sidebar.")


def keras_pairs(number: int) -> None:
    """The notebook's Keras 1 lines beside today's, for the pairs that belong to this step."""
    pairs = pairs_for(number)
    if not pairs:
        return
    with st.container(border=True, key=f"lesson-keras-{number}"):
        st.markdown("**The notebook's Keras 1 → Keras 3 today**")
        for pair in pairs:
            old, new = st.columns(2)
            old.code(pair.old, language="python", wrap_lines=True)
            new.code(pair.new, language="python", wrap_lines=True)
            st.caption(pair.why)


# --- figure helpers -----------------------------------------------------------------------------


def _big(fig: go.Figure, present: bool, fixed: bool = False) -> go.Figure:
    """Presentation mode: larger fonts; taller figures unless their size is fixed in pixels."""
    if present:
        fig.update_layout(font_size=FONT["size"] + 5, title_font_size=21)
        for note in fig.layout.annotations:
            note.font.size = (note.font.size or FONT["size"]) + 4
        if not fixed and fig.layout.height:
            fig.update_layout(height=round(fig.layout.height * 1.25))
    return fig


def _chart(fig: go.Figure, key: str, present: bool, fixed: bool = False) -> None:
    width = "content" if fixed else "stretch"
    st.plotly_chart(_big(fig, present, fixed), key=key, width=width, theme=None, config=CONFIG)


def digit_index(n_test: int, present: bool) -> int:
    """The test digit followed in steps 5–9 (default 0, a 7); a number box unless presenting."""
    index = int(st.session_state.get(_DIGIT, 0))
    if not present:
        st.session_state[_DIGIT_IN] = index
        st.number_input(f"Test digit (0 to {n_test - 1:,})", 0, n_test - 1, step=1, key=_DIGIT_IN,
                        on_change=lambda: st.session_state.update({_DIGIT: st.session_state[_DIGIT_IN]}))  # fmt: skip
    return min(max(index, 0), n_test - 1)


def outputs(image: np.ndarray) -> list[LayerOutput]:
    """Every layer's output of the pretrained notebook CNN for one digit."""
    built = draw_state.pretrained().built
    return Inspector(built.model, built.arch).layer_outputs(image)


def _first(outs: list[LayerOutput], kind: str, start: int = 0) -> LayerOutput:
    return next(o for o in outs[start:] if o.kind == kind)


def slip_figure(counts: np.ndarray, mean: float, std: float, height: int = 340) -> go.Figure:
    """The same pixel counts normalised two ways, on one axis: ÷ std (the app) and ÷ mean (the notebook)."""
    binned = np.asarray(counts).reshape(-1, 4).sum(axis=1)
    centres = np.arange(0, 256, 4) + 1.5
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.2, subplot_titles=(
        f"(pixel − {mean:.1f}) / std {std:.1f}: this app",
        f"(pixel − {mean:.1f}) / mean {mean:.1f}: the notebook's slip"))  # fmt: skip
    for row, scale, colour in ((1, std, ACCENT), (2, mean, ACCENT_2)):
        lo, hi = (0 - mean) / scale, (255 - mean) / scale
        fig.add_trace(go.Bar(x=(centres - mean) / scale, y=binned, width=4 / scale, marker_color=colour,
                             hovertemplate="%{x:.2f}: %{y:,} pixels<extra></extra>"), row, 1)  # fmt: skip
        fig.add_vrect(x0=lo, x1=hi, fillcolor=colour, opacity=0.08, line_width=0, row=row, col=1)
        fig.add_annotation(x=8.1, y=0.9, xref="x" if row == 1 else "x2", yref="y domain" if row == 1 else "y2 domain",
                           text=f"<b>from {lo:.2f} to {hi:.2f}</b>", showarrow=False, xanchor="right",
                           font=dict(color=colour, size=14), bgcolor="white")  # fmt: skip
    fig.update_layout(**base_layout(height=height), showlegend=False, bargap=0)
    fig.update_layout(margin=dict(l=60, r=10, t=30, b=45))
    fig.update_xaxes(range=[-1.6, 8.2], zeroline=True, zerolinecolor="#334155", gridcolor="#e2e8f0")
    fig.update_xaxes(title_text="input value the network sees", row=2, col=1)
    fig.update_yaxes(
        type="log", dtick=1, exponentformat="power", gridcolor="#e2e8f0", title_text="pixels"
    )
    fig.update_annotations(font_size=13, selector=dict(xanchor="center"))
    return fig


# --- one figure column per step -----------------------------------------------------------------


def show_data(present: bool) -> None:
    m = resources.mnist()
    _chart(mnist_figs.digit_grid(m.x_train[:20], m.y_train[:20], title="The first 20 training pictures"),
           "lesson.grid", present)  # fmt: skip
    st.code(f"x_train  {m.x_train.shape}  {m.x_train.dtype}   pixels 0–255\n"
            f"y_train  {m.y_train.shape}          {m.y_train.dtype}   digits 0–9\n"
            f"with a channel axis: {(len(m.x_train), 28, 28, 1)}", language=None)  # fmt: skip


def show_one_hot(present: bool) -> None:
    m = resources.mnist()
    labels = np.asarray(m.y_train[:5])
    _chart(mnist_figs.digit_grid(m.x_train[:5], labels, columns=5, title="Five training pictures",
                                 height=150), "lesson.five", present)  # fmt: skip
    _chart(mnist_figs.one_hot_figure(labels), "lesson.onehot", present)
    st.caption(
        f"Labels {', '.join(map(str, labels))} as the ten numbers the network must learn to give."
    )


def show_dense_only(t: Trace, present: bool) -> None:
    from ui.build_widgets import collapse_demo, linear_stacks  # Build's own collapse check

    _chart(tensor_figure(t, width_hint=560), "lesson.dense", present)
    journey = [format_shape(t.input_shape[1:])] + [
        format_shape(x.output_shape[1:]) for x in t.layers
    ]
    st.markdown("**The shapes:** " + " → ".join(f"`{s}`" for s in journey))
    st.caption("Still 28 × 28 at the end: two numbers for each pixel, not ten for the picture.")
    for stack in linear_stacks(t)[:1]:
        shape, gap = collapse_demo(stack)
        sizes = " · ".join(f"{a}×{b}" for a, b in zip(stack.dims[:-1], stack.dims[1:], strict=True))
        st.markdown(f"**The collapse:** weight matrices {sizes} multiply into one {shape[0]}×{shape[1]} "
                    f"matrix. Checked with random weights, the three layers and the one matrix differ by "
                    f"at most {gap:.0e}.")  # fmt: skip


def show_normalise(present: bool) -> None:
    m = resources.mnist()
    mean, std = m.pixel_mean, m.pixel_std
    _chart(slip_figure(resources.train_pixel_counts(), mean, std), "lesson.slip", present)
    st.markdown(
        f"| | divide by | darkest pixel (0) | brightest (255) |\n|---|---|---|---|\n"
        f"| **this app** | std **{std:.1f}** | {-mean / std:.2f} | {(255 - mean) / std:.2f} |\n"
        f"| notebook | mean **{mean:.1f}** | {-mean / mean:.2f} | {(255 - mean) / mean:.2f} |"
    )
    st.caption("Same pixels, same shape of histogram; dividing by the mean stretches the inputs "
               f"{std / mean:.1f}× wider. The notebook's code set `mnist_stdev = x_trn.mean()`.")  # fmt: skip


def show_convolution(outs: list[LayerOutput], image: np.ndarray, present: bool) -> None:
    pad, conv = _first(outs, "ZeroPadding2D"), _first(outs, "Conv2D")
    px = 6 if present else 5
    left, right = st.columns(2)
    with left:
        _chart(
            inside_figs.digit_with_box(image, None, "The digit, 28×28", height=200),
            "lesson.in",
            present,
        )
    with right:
        fig = inside_figs.feature_maps(pad.array, "Zero padding → 30×30", border=1, px=px)
        fig.update_traces(showscale=False)
        _chart(fig, "lesson.pad", present, fixed=True)
    kernel = conv_kernels(draw_state.pretrained().built.model, draw_state.pretrained().built.arch)[
        conv.index
    ]
    _chart(inside_figs.kernels(kernel, 0, "Its 32 learnt 3×3 filters", columns=8, px=12, max_width=540),
           "lesson.kernels", present, fixed=True)  # fmt: skip
    maps = conv.pre_activation if conv.pre_activation is not None else conv.array
    _chart(inside_figs.feature_maps(maps[..., :8], "8 filters' multiply-and-add, 28×28 each",
                                    columns=4, px=4 if present else 3, zrange=diverging_range(maps)),
           "lesson.conv", present, fixed=True)  # fmt: skip
    st.caption("Red: the filter's pattern is there; blue: its opposite. White is 0. Inside the blue "
               "outline is the original picture; the ring outside it is the added zeros.")  # fmt: skip


def show_relu(outs: list[LayerOutput], present: bool) -> None:
    conv = _first(outs, "Conv2D")
    pre = conv.pre_activation if conv.pre_activation is not None else conv.array
    zr, px = diverging_range(pre), 4 if present else 3
    _chart(inside_figs.feature_maps(pre[..., :8], "Before ReLU (first 8 maps)", columns=4, px=px, zrange=zr),
           "lesson.pre", present, fixed=True)  # fmt: skip
    _chart(inside_figs.feature_maps(conv.array[..., :8], "After ReLU: negatives set to 0", columns=4, px=px,
                                    zrange=zr), "lesson.post", present, fixed=True)  # fmt: skip
    st.caption(f"ReLU set {float(np.mean(pre < 0)):.0%} of this layer's {pre.size:,} values to 0 "
               "(the blue ones); the red ones pass unchanged.")  # fmt: skip


def show_pooling(outs: list[LayerOutput], t: Trace, present: bool) -> None:
    pool = _first(outs, "MaxPooling2D")
    before = outs[pool.index - 1]
    zr, px = diverging_range(before.array), 5 if present else 4
    _chart(inside_figs.feature_maps(before.array[..., :4], "Before pooling: 28×28 (4 of 32 maps)", columns=4,
                                    px=px, zrange=zr), "lesson.prepool", present, fixed=True)  # fmt: skip
    after = inside_figs.feature_maps(pool.array[..., :4], "After: 14×14, same maps, same scale", columns=4,
                                     px=px, zrange=zr)  # fmt: skip
    _chart(after.update_traces(showscale=False), "lesson.pool", present, fixed=True)
    _shapes_figure(t, present, "lesson.trace7")
    steps = [x for x in t.layers if x.status == "ok" and x.spec.kind in ("Conv2D", "MaxPooling2D")]
    if steps:
        st.markdown("**Numbers per picture:** " + " → ".join(
            f"{x.spec.kind.replace('MaxPooling2D', 'pool').replace('Conv2D', 'conv')} "
            f"{int(np.prod(x.output_shape[1:])):,}" for x in steps))  # fmt: skip


def _shapes_figure(t: Trace, present: bool, key: str) -> None:
    if not t.layers:
        st.caption("Your architecture has no layers yet: build one on the Build page.")
        return
    _chart(tensor_figure(t, width_hint=560, label_rows=3), key, present)
    st.caption(f"Your architecture ({len(t.layers)} layers, from Build or the link), every output to "
               "scale: pooling halves the height and width, more filters make the blocks thicker.")  # fmt: skip


def show_flatten(outs: list[LayerOutput], t: Trace, present: bool) -> None:
    flat = _first(outs, "Flatten")
    source = outs[flat.index - 1].array
    _chart(inside_figs.feature_maps(source[..., :16], f"The last maps: {inside_figs.shape_text(source.shape)} "
                                    "(16 of 64)", columns=8, px=6 if present else 5), "lesson.last", present,
           fixed=True)  # fmt: skip
    _chart(inside_figs.flat_strip(flat.array, f"Flatten → {flat.array.size:,} numbers", source.shape),
           "lesson.flat", present)  # fmt: skip
    h, w, c = source.shape
    st.markdown(
        f"**{c} · {h} · {w} = {h * w * c:,}**. Hover over the strip to see where each number came from."
    )
    for x in t.layers:
        if x.spec.kind == "Flatten" and x.status == "ok":
            before = t.input_shape if x.index == 0 else t.layers[x.index - 1].output_shape
            st.caption(f"In your architecture, Flatten turns {format_shape(before[1:])} into "
                       f"{x.output_shape[-1]:,} numbers.")  # fmt: skip
            break


def show_softmax(outs: list[LayerOutput], present: bool) -> None:
    dense, last = outs[-2], outs[-1]
    _chart(inside_figs.vector_bars(last.array, "Softmax → 10 probabilities", probabilities=True, height=250),
           "lesson.softmax", present)  # fmt: skip
    _chart(inside_figs.vector_bars(dense.array, f"Before it: Dense → {dense.array.size} numbers (after ReLU)",
                                   height=190), "lesson.dense512", present)  # fmt: skip
    top = int(last.array.argmax())
    st.markdown(f"The pretrained model says **{top}**, with probability **{last.array[top]:.1%}**. "
                f"The ten bars add up to {last.array.sum():.3f}.")  # fmt: skip


def show_training(present: bool) -> None:
    m = resources.mnist()
    shipped = draw_state.pretrained()
    own = draw_state.own_model()
    model, name = (
        (own.built.model, "your model") if own else (shipped.built.model, "the pretrained model")
    )
    x = m.x_test[:8].astype(np.float32)[..., None]
    probs = probabilities(model, x)
    names = [f"test #{i} (a {int(d)})" for i, d in enumerate(m.y_test[:8])]
    fig = probabilities_figure(probs, names)
    fig.update_layout(
        title_text=f"What training buys: {name}'s answers on 8 test digits",
        margin=dict(l=120, r=10, t=80, b=10),
    )
    fig.update_yaxes(automargin=True)
    _chart(fig, "lesson.train", present)
    st.markdown(
        "| the notebook's recipe | |\n|---|---|\n| optimizer | SGD (plain gradient descent) |\n"
        "| batch | 32 pictures → 1,875 updates per epoch |\n| epochs | 3 (5,625 updates) |\n"
        "| test accuracy | about 98–99 % |"
    )
    acc = own.note if own else (f"{shipped.test_accuracy:.2%}" if shipped.test_accuracy else "")
    st.caption(f"{'Your model: ' + acc if own else 'The pretrained model (10 epochs, Adam, augmented digits): ' + acc}"
               " on the 10,000 test digits.")  # fmt: skip


def show_draw(image: np.ndarray, caption: str, present: bool) -> None:
    drawn = draw_state.latest_drawing()
    image, caption = (drawn, "your latest drawing") if drawn is not None else (image, caption)
    probs = probabilities(
        draw_state.pretrained().built.model, image.astype(np.float32)[None, ..., None]
    )[0]
    left, right = st.columns([1, 2.2], vertical_alignment="center")
    left.image(draw_figs.tile(image, 168 if present else 140), caption=caption)
    with right:
        fig = draw_figs.probability_figure({"pretrained": probs}, height=260)
        fig.update_layout(margin=dict(l=70, r=10, t=30, b=50))
        _chart(fig, "lesson.draw", present)
    if drawn is None:
        st.caption("A test digit stands in until you draw one on the Draw page.")


def escape(text: str) -> str:
    """Text safe to put inside Markdown (user-supplied parts of notes)."""
    return markdown.escape(text)
