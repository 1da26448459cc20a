"""The sidebar "model card" on every page: the architecture, whether it is trained, and live progress.

The card's words are pure functions in ``core.training.texts`` (tested in tests/test_sidebar.py);
this module only places them. Under the card, in a room, one line says which room and as whom
("Room K7QM2X · as Ana"), read from the session alone: no database query per rerun.
"""

from __future__ import annotations

import streamlit as st

from core.training import texts
from ui import jobs, room_state, state
from ui.errors import guard
from ui.markdown import escape

POLL_S = 1.0


def model_card() -> None:
    """Draws the card in the sidebar; while a job runs, a fragment refreshes its progress every second."""
    with st.sidebar, st.container(border=True), guard("showing your model card"):
        arch = state.get_arch()
        st.markdown(texts.card_title(arch))
        st.caption(texts.card_size(arch))
        polling = jobs.is_training()
        st.fragment(run_every=POLL_S if polling else None)(_live)(polling)
    room_line()


def room_line() -> None:
    """ "Room K7QM2X · as Ana" under the card, while this session is in a room."""
    line = room_state.card_line()
    if line is not None:
        st.sidebar.caption(f":material/groups: {escape(line)}")


def _live(polling: bool) -> None:
    snap = jobs.snapshot()
    if polling and (snap is None or not snap.active):
        st.rerun()  # the job ended: one full run shows the results everywhere and stops polling
    if snap is not None and snap.active:
        st.progress(snap.progress, text=texts.progress_text(snap, short=True))
        return
    model = jobs.trained()
    if model is None:
        st.caption(texts.NOT_TRAINED)
    else:
        st.markdown(texts.card_trained(model.status, model.test_accuracy, model.run))
        if jobs.arch_changed(state.get_arch()):
            st.caption(texts.card_old_weights(model.built.arch))
    note = texts.card_last_run(snap.status if snap is not None else None)
    if note:
        st.caption(note)
