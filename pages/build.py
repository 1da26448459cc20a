"""Build a network layer by layer: edit the list, watch every output shape and parameter count."""

from __future__ import annotations

import streamlit as st

from core.shapes import trace
from ui import build_actions as act
from ui import build_export, runtime, state
from ui import build_panels as panels

runtime.run_through_app()

state.sync_url()  # ?arch= in, or the session's architecture out
st.title("Build")
st.caption(
    "Stack layers; see what each does to the shape of the data and how many numbers it learns. "
    "Click a layer to open it."
)
arch = state.get_arch()
act.toolbar(arch)
panels.show_notice()
t = trace(arch)
selected = state.selected_index()
act.lessons_for(t)

# The strip sits above the palette but is drawn after it: "Add layer" reruns before any figure is made.
strip = st.container()
left, right = st.columns([1.6, 3.4], gap="medium")
with right:
    if selected is not None:
        act.editor(t, selected)
    act.palette(selected)
with strip:
    panels.summary(t, selected)
with left:
    act.layer_list(t, selected)
with right:
    panels.shape_table(t, selected)

exporter = st.expander(
    "Export: Keras code, JSON file, share link",
    icon=":material/ios_share:",
    on_change="rerun",
    key="export-open",
)
if exporter.open:
    with exporter:
        build_export.export(arch)
comparer = st.expander(
    "Compare with VGG16", icon=":material/compare_arrows:", on_change="rerun", key="compare-open"
)
if comparer.open:
    with comparer:
        panels.compare(t)
