"""The Train page's live run: progress and Stop, the curves, the first layer's filters, per-epoch results."""

from __future__ import annotations

import streamlit as st

from core.figures import training as figs
from core.training import JobSnapshot, texts
from ui import jobs
from ui.errors import guard
from ui.markdown import escape

PLOT = {"displayModeBar": False}  # the Train page's charts: no Plotly toolbar


def live(polling: bool) -> None:
    """The latest run: status, progress, live curves and filters. Polled while the job is active."""
    snap = jobs.snapshot()
    if snap is None:
        return
    if polling and not snap.active:
        st.rerun()  # one full run to show the results; the fragment then stops polling
    with guard("showing the training progress"):
        show_run(snap)


def show_run(snap: JobSnapshot) -> None:
    """Status line or progress with Stop, curves, filters and the per-epoch table of one run."""
    _status(snap)
    if snap.curves.examples or snap.active:
        st.plotly_chart(_curves(snap), key="train.curves", config=PLOT)
    left, right = st.columns(2, gap="large")
    with left:
        if snap.filters is not None:
            fig = figs.filters_figure(snap.filters, texts.filters_title(snap.active))
            st.plotly_chart(fig, key="train.filters", config=PLOT)
            st.caption(texts.FILTERS_CAPTION)
        else:
            st.caption(texts.NO_FILTERS)
    with right:
        if snap.epochs:
            st.markdown("**After each epoch**")
            st.dataframe(texts.epoch_rows(snap.epochs), hide_index=True)


def _status(snap: JobSnapshot) -> None:
    """The progress bar and Stop while the run is active, else how it ended."""
    if snap.active:
        left, right = st.columns([5, 1], vertical_alignment="bottom")
        left.progress(snap.progress, text=texts.progress_text(snap))
        right.button(
            "Stop",
            key="train.stop",
            on_click=jobs.stop_training,
            icon=":material/stop_circle:",
            width="stretch",
            help="Stops after the current batch and keeps the weights learnt so far.",
        )
        return
    kind, text = texts.outcome(snap)
    if kind == "error":
        st.error(escape(text))  # a failure quotes Keras, which may look like Markdown
    else:
        getattr(st, kind)(text)


def _curves(snap: JobSnapshot):
    """The live loss and accuracy curves, with the test figures after each epoch."""
    c, ep = snap.curves, snap.epochs
    return figs.curves_figure(
        c.examples,
        c.loss,
        c.accuracy,
        snap.settings.n_train,
        [e.epoch for e in ep],
        [e.test_loss for e in ep],
        [e.test_accuracy for e in ep],
        epochs=snap.settings.epochs,
        revision=snap.job_id,
    )
