"""Look inside: one digit through every layer, one window, filters, and two experiments on them."""

from __future__ import annotations

import streamlit as st

from core.activations import guess
from core.figures import inside as figs
from ui import (
    inside_ablation,
    inside_cache,
    inside_filters,
    inside_input,
    inside_layers,
    inside_projection,
    inside_top,
    inside_window,
    models,
    resources,
    runtime,
)
from ui.inside_chart import chart

runtime.run_through_app()

st.title("Look inside")
st.caption(
    "Follow one digit through the network, layer by layer: what each filter picks out, how pooling "
    "halves the picture, and how the last layer turns it all into ten probabilities."
)

choices, missing = models.for_look_inside()
for message in missing:
    st.caption(f":material/info: {message}")
if not choices:
    st.error(
        "There is no model to look inside: the pretrained model is missing and your Build page "
        "architecture cannot be built. Fix the architecture on the Build page."
    )
    st.stop()

mnist = resources.mnist()
top_left, top_right = st.columns([2.2, 1], gap="large")
with top_left:
    choice = inside_input.choose_model(choices)
    digit = inside_input.choose_input(mnist.x_test, mnist.y_test)
if digit is None:
    st.stop()

key = inside_cache.key_of(choice, digit.image)  # which weights and which digit
try:
    outputs = inside_cache.layer_outputs(choice, digit.image)  # once per model and digit
except ValueError as err:  # a model whose layers do not match its architecture
    st.error(f"This model cannot be inspected: {err}")
    st.stop()

with top_right:
    fig = inside_cache.figure(
        ("input", key[1]), lambda: figs.digit_with_box(digit.image, None, "Input", height=190)
    )
    chart(fig)
    st.caption(digit.caption)
    said = guess(outputs)
    if said is not None:
        verdict = "" if digit.label is None else (" ✓" if said[0] == digit.label else " ✗")
        st.markdown(f"{choice.label} says **{said[0]}** ({said[1]:.0%}){verdict}")
if not choice.trained:
    st.info(
        "Random weights: this model has learnt nothing yet, so its feature maps are noise-like "
        "and its guess is a lucky draw."
    )

layers_tab, window_tab, filters_tab, top_tab, off_tab, groups_tab = st.tabs(
    [
        "Every layer",
        "One window explained",
        "Filters",
        "What a filter looks for",
        "Switch filters off",
        "How it groups digits",
    ],
    key="inside.tab",
    on_change="rerun",
)
# Each section is a fragment: its own widgets rerun only it, not the page above.
with layers_tab:
    if layers_tab.open:
        inside_layers.section(outputs, key)
with window_tab:
    if window_tab.open:
        inside_window.pixel_explained(outputs, choice.built, digit.image, key)
with filters_tab:
    if filters_tab.open:
        inside_filters.filters(choice)
        inside_filters.filters_over_training(choice, outputs, digit.image)
with top_tab:
    if top_tab.open:
        inside_top.what_a_filter_looks_for(choice, mnist.x_test)
with off_tab:
    if off_tab.open:
        inside_ablation.switch_filters_off(choice, digit.image, mnist.x_test, mnist.y_test)
with groups_tab:
    if groups_tab.open:
        inside_projection.groups(choice, mnist.x_test, mnist.y_test)
