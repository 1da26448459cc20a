"""The Train page before Train is pressed: how long the run takes here, the queue ahead, the time limit."""

from __future__ import annotations

import streamlit as st

from core.architecture import Architecture
from core.data import Mnist
from core.training import TrainSettings
from core.training.outlook import Outlook, outlook
from ui import jobs
from ui.errors import guard

MEASURING_POLL_S = 1.0  # while this model's speed is measured in the background
BUSY_POLL_S = 5.0  # while runs train or wait: the queue's wait changes as they go


def panel(arch: Architecture, settings: TrainSettings, mnist: Mnist, can_train: bool) -> None:
    """The estimate, the queue and the limit, refreshed while they change (in a fragment).

    Nothing here waits: an unknown speed is measured in the background (``SpeedBook``), and
    working the text out costs microseconds, so it is done again on each of the fragment's runs.
    """
    with guard("estimating how long the run takes"):
        every = _poll_s(outlook(jobs.slots(), arch, settings, mnist, can_train))
        st.fragment(run_every=every)(_lines)(arch, settings, mnist, can_train, every)


def _poll_s(view: Outlook) -> float | None:
    if view.measuring:
        return MEASURING_POLL_S
    return BUSY_POLL_S if view.busy else None


@guard("estimating how long the run takes")
def _lines(
    arch: Architecture, settings: TrainSettings, mnist: Mnist, can_train: bool, every: float | None
) -> None:
    """The three lines; once the polling period should change (or stop), one full run sets it."""
    view = outlook(jobs.slots(), arch, settings, mnist, can_train)
    if every is not None and _poll_s(view) != every:
        st.rerun()
    for icon, line in ((":material/timer:", view.run), (":material/groups:", view.queue)):
        if line:
            st.markdown(f"{icon} {line}")
    if view.limit:
        st.caption(f":material/hourglass_top: {view.limit}")
