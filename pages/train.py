"""Train: settings, a live run beside the page (progress, curves, stop), what the model gets wrong and why, a script."""

from __future__ import annotations

import streamlit as st

from core.training import check_compatible, texts
from ui import (
    inside_projection,
    jobs,
    resources,
    room_post,
    runtime,
    state,
    train_estimate,
    train_form,
    train_results,
    train_run,
    train_script,
    train_state,
    train_why,
)
from ui.errors import guard

runtime.run_through_app()

st.title("Train")
st.caption(
    "Teach your model to read digits: it sees the training images batch by batch and nudges its "
    "weights to make fewer mistakes. Training goes on while you visit other pages."
)
train_state.restore_settings()
try:
    mnist = resources.mnist()
except (FileNotFoundError, ValueError) as err:
    st.error(f"MNIST could not be loaded, so there is nothing to train on: {err}")
    st.stop()
state.sync_url()  # a link may carry ?arch=...: train that architecture
notice = state.take_notice()
if notice is not None:
    getattr(st, notice.kind, st.info)(notice.text)

# The model, and why it cannot be trained (if so).
arch = state.get_arch()
snap = jobs.settle()
active = snap is not None and snap.active
st.markdown(texts.model_line(arch))
problem = check_compatible(arch)
if problem:
    st.error(problem, icon=":material/block:")
    st.caption("Change it on the Build page; nothing you built is lost.")

# The settings, how long a run takes here (and waits in the queue), and the Train button.
settings = train_form.settings_form(disabled=active)
train_state.save_settings()
train_estimate.panel(arch, settings, mnist, can_train=not active and not problem)
train_form.train_button(arch, settings, disabled=active or bool(problem))

# The latest run, live while it trains; then the trained model's results and the run history.
st.fragment(run_every=0.5 if active else None)(train_run.live)(active)
model = jobs.trained()
if model is not None and not active:
    with guard("showing the results"):
        train_results.results(model, mnist.x_test, mnist.y_test)
    train_why.section(model, mnist.x_test, mnist.y_test)  # a fragment, guarded inside
    # Its chart holds every epoch's 2,000 dots, sent again with each rerun: drawn only while open.
    groups = st.expander(
        "How your model groups digits, epoch by epoch",
        icon=":material/scatter_plot:",
        on_change="rerun",
        key=train_state.GROUPS_OPEN,
    )
    if groups.open:
        with groups:
            inside_projection.train_frames(model, mnist.x_test, mnist.y_test)  # a guarded fragment
    with guard("writing the training script"):
        train_script.section(model)
    with guard("posting to the room"):
        room_post.panel(model)
with guard("showing the run history"):
    train_results.history()
