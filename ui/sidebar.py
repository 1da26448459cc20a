"""The sidebar "model card" on every page: the architecture, whether it is trained, and live progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from core.evaluation import arch_name
from core.shapes import trace
from ui import jobs, state
from ui.errors import guard

if TYPE_CHECKING:
    from core.training import JobSnapshot

POLL_S = 1.0


def model_card() -> None:
    """Draws the card in the sidebar; while a job runs, a fragment refreshes its progress every second."""
    with st.sidebar, st.container(border=True), guard("showing your model card"):
        arch = state.get_arch()
        t = trace(arch)
        params = f"{t.total_params:,} parameters" if t.ok and arch.layers else "does not build yet"
        st.markdown(f"**Your model** · {arch_name(arch)}")
        st.caption(params)
        polling = jobs.is_training()
        st.fragment(run_every=POLL_S if polling else None)(_live)(polling)


def _live(polling: bool) -> None:
    snap = jobs.snapshot()
    if polling and (snap is None or not snap.active):
        st.rerun()  # the job ended: one full run shows the results everywhere and stops polling
    if snap is not None and snap.active:
        st.progress(snap.progress, text=progress_text(snap, short=True))
        return
    model = jobs.trained()
    if model is None:
        st.caption("Not trained yet: train it on the Train page.")
    else:
        how = "stopped early" if model.status == "stopped" else "trained"
        st.markdown(
            f":material/check_circle: {how.capitalize()}: **{model.test_accuracy:.2%}** test accuracy (run #{model.run})"
        )
        if jobs.arch_changed(state.get_arch()):
            st.caption(
                f":material/warning: These weights belong to the previous architecture "
                f"({jobs.describe_arch(model.built.arch)}), not to the one you are building now."
            )
    if snap is not None and snap.status in ("diverged", "failed"):
        st.caption(f":material/error: The last run {snap.status}.")


def progress_text(snap: JobSnapshot, short: bool = False) -> str:
    """``Epoch 2/3 · 34,560/180,000 images · 812 images/s · about 1 min left`` (or the queue position)."""
    if snap.status == "queued":
        where = f"position {snap.queue_position}" if snap.queue_position else "starting"
        return f"Waiting for a free training slot ({where} in the queue)"
    if snap.phase == "preparing" or (snap.phase == "training" and snap.examples_seen == 0):
        return "Preparing the model (the first batch takes a few seconds)"
    s = snap.settings
    parts = [f"Epoch {max(snap.epoch, 1)}/{s.epochs}"]
    if not short:
        parts.append(f"{snap.examples_seen:,} of {snap.examples_total:,} examples seen")
    if snap.images_per_s:
        parts.append(f"{snap.images_per_s:,.0f} images/s")
    if snap.eta_s is not None:
        parts.append(f"about {format_duration(snap.eta_s)} left")
    if snap.phase == "evaluating":
        parts.append("testing")
    return " · ".join(parts)


def format_duration(seconds: float) -> str:
    """``45 s``, ``3 min 05 s``, ``1 h 02 min``.

    >>> format_duration(185)
    '3 min 05 s'
    """
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
