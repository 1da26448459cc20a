"""Look inside: one digit through every layer, one window explained, filters and what they look for."""

from __future__ import annotations

import streamlit as st

from core.figures import inside as figs
from ui import inside_widgets as w
from ui import resources, runtime
from ui.errors import guard

runtime.run_through_app()

st.title("Look inside")
st.caption(
    "Follow one digit through the network, layer by layer: what each filter picks out, how pooling "
    "halves the picture, and how the last layer turns it all into ten probabilities."
)

options, missing = w.model_options()
for message in missing:
    st.caption(f":material/info: {message}")
if not options:
    st.error("There is no model to look inside: the pretrained model is missing and your Build page "
             "architecture cannot be built. Fix the architecture on the Build page.")  # fmt: skip
    st.stop()

mnist = resources.mnist()
top_left, top_right = st.columns([2.2, 1], gap="large")
with top_left:
    option = w.choose_model(options)
    digit = w.choose_input(mnist.x_test, mnist.y_test)
if digit is None:
    st.stop()

try:
    outputs = w.layer_outputs(option, digit.image)
except ValueError as err:  # a model whose layers do not match its architecture
    st.error(f"This model cannot be inspected: {err}")
    st.stop()

with top_right:
    st.plotly_chart(figs.digit_with_box(digit.image, None, "Input", height=190), width="content",
                    config={"displayModeBar": False})  # fmt: skip
    st.caption(digit.caption)
    guess = w.guess(outputs)
    if guess is not None:
        verdict = "" if digit.label is None else (" ✓" if guess[0] == digit.label else " ✗")
        st.markdown(f"{option.label} says **{guess[0]}** ({guess[1]:.0%}){verdict}")
if not option.trained:
    st.info("Random weights: this model has learnt nothing yet, so its feature maps are noise-like "
            "and its guess is a lucky draw.")  # fmt: skip

layers_tab, window_tab, filters_tab, top_tab = st.tabs(
    ["Every layer", "One window explained", "Filters", "What a filter looks for"],
    key="inside.tab", on_change="rerun",
)  # fmt: skip
with layers_tab:
    if layers_tab.open:
        a, b = st.columns(2)
        show_all = a.toggle("Show every channel", key="inside.all", help="Otherwise the first 32.")
        before = b.toggle("Conv2D: show the values before ReLU", key="inside.before")
        with guard("drawing every layer's output"):
            w.every_layer(outputs, show_all, before)
with window_tab:
    if window_tab.open:
        with guard("explaining one window"):
            w.one_window(outputs, option.built, digit.image)
with filters_tab:
    if filters_tab.open:
        with guard("drawing the filters"):
            w.filters(option)
            w.filters_over_training(option, outputs, digit.image)
with top_tab:
    if top_tab.open:
        with guard("finding what a filter looks for"):
            w.what_a_filter_looks_for(option, mnist.x_test)
