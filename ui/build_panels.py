"""Build page panels that only show: the notice, the at-a-glance strip, the shape table, VGG16.

Their rows and words come from ``core.build_view``; the figures from ``core.figures``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import build_view as view
from core.figures.architecture import comparison_figure
from core.figures.style import ACCENT, ACCENT_2, MUTED
from core.figures.tensors import tensor_figure
from core.presets import VGG16
from core.shapes import Trace, format_shape, trace
from ui import state

CONFIG = {"displayModeBar": False}
ROW_STYLES = {
    "input": f"color: {MUTED}",
    "error": f"color: {ACCENT_2}; background-color: #fef2f2; font-weight: 600",
    "skipped": f"color: {MUTED}",
    "selected": f"color: {ACCENT}; font-weight: 600",
    "": "",
}


def show_notice() -> None:
    """The message a change left (loaded, refused, unreadable link), once; errors also as a toast."""
    notice = state.take_notice()
    if notice is not None:
        {"warning": st.warning, "error": st.error, "success": st.success}[notice.kind](notice.text)
        if notice.kind == "error":
            st.toast(notice.text, icon=":material/error:")


def summary(t: Trace, selected: int | None) -> None:
    """The at-a-glance strip: totals beside the to-scale picture of every output."""
    numbers, picture = st.columns([1, 3.6], gap="medium")
    with numbers:
        label = "Total parameters" if t.ok else "Parameters so far"
        st.metric(
            label, f"{t.total_params:,}", help="Every weight and bias the model learns (or tracks)."
        )
        st.markdown(f"**{'Output' if t.ok else 'Output so far'}** {format_shape(t.output_shape)}")
        st.caption(f"{view.byte_size(t.total_params * 4)} of float32 weights")
        if t.too_big:
            st.caption(":material/warning: Too big to train on this server.")
        if not t.ok:
            st.markdown(
                f":red[:material/error: **Layer {t.error_index + 1} breaks**; the rest is not reached.]"
            )
    with picture:
        figure = tensor_figure(t, selected, width_hint=660)
        st.plotly_chart(figure, config=CONFIG, key="tensor-figure")
        st.caption(view.TENSOR_CAPTION)


def shape_table(t: Trace, selected: int | None) -> None:
    """The shape table with the broken row in the error colour and the open layer in bold."""
    frame = pd.DataFrame(view.shape_rows(t), columns=list(view.SHAPE_COLUMNS))
    styles = [ROW_STYLES[kind] for kind in view.row_kinds(t, selected)]
    st.table(frame.style.apply(lambda row: [styles[row.name]] * len(row), axis=1), hide_index=True)


def compare_table(t: Trace, key: str) -> None:
    """The compact trace table, scrolling, sized to sit beside another one."""
    config = {
        "#": st.column_config.NumberColumn(width=36),
        "Layer": st.column_config.TextColumn(width=175),
    }
    frame = pd.DataFrame(view.trace_rows(t), columns=list(view.TRACE_COLUMNS))
    st.dataframe(frame, hide_index=True, key=key, column_config=config, height=390)


def compare(t: Trace) -> None:
    """The user's model beside VGG16: words, both tables, the comparison chart, VGG16 to scale."""
    vgg = trace(VGG16)
    st.markdown(view.vgg_intro(t, vgg))
    left, right = st.columns(2)
    with left:
        st.markdown(view.model_heading("Your model", t))
        compare_table(t, "compare-mine")
    with right:
        st.markdown(view.model_heading("VGG16", vgg))
        compare_table(vgg, "compare-vgg")
    st.plotly_chart(comparison_figure(t, vgg), config=CONFIG, key="compare-figure")
    figure = tensor_figure(vgg, width_hint=900, label_rows=3)
    st.plotly_chart(figure, config=CONFIG, key="vgg-figure")
    st.caption(view.VGG_CAPTION)
