"""The sidebar's model card: its words (core.training.texts) directly, then the card on a page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.architecture import Architecture
from core.presets import NOTEBOOK_CNN, WORKSHOP_CNN
from core.training import texts
from tests.helpers_training import running, snapshot

# --- the words --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, "0 s"),
        (44.6, "45 s"),
        (59.4, "59 s"),
        (60, "1 min 00 s"),
        (185, "3 min 05 s"),
        (3_599, "59 min 59 s"),
        (3_600, "1 h 00 min"),
        (3_725, "1 h 02 min"),
        (-5, "0 s"),
    ],
)
def test_format_duration(seconds, text):
    assert texts.format_duration(seconds) == text


def test_progress_text_while_training():
    snap = running()
    assert texts.progress_text(snap) == (
        "Epoch 2/2 · 9,000 of 12,000 examples seen · 812 images/s · about 1 min 05 s left"
    )
    assert (
        texts.progress_text(snap, short=True) == "Epoch 2/2 · 812 images/s · about 1 min 05 s left"
    )
    testing = running(phase="evaluating", images_per_s=0.0, eta_s=None)
    assert texts.progress_text(testing, short=True) == "Epoch 2/2 · testing"


def test_progress_text_before_the_first_batch_and_in_the_queue():
    waiting = running(status="queued", phase="waiting", queue_position=3, examples_seen=0)
    assert (
        texts.progress_text(waiting) == "Waiting for a free training slot (position 3 in the queue)"
    )
    starting = running(status="queued", phase="waiting", queue_position=None)
    assert (
        texts.progress_text(starting) == "Waiting for a free training slot (starting in the queue)"
    )
    for phase, seen in (("preparing", 0), ("training", 0)):
        snap = running(phase=phase, examples_seen=seen, epoch=0)
        assert (
            texts.progress_text(snap) == "Preparing the model (the first batch takes a few seconds)"
        )


def test_card_title_and_size():
    assert texts.card_title(WORKSHOP_CNN) == "**Your model** · Small CNN for workshops"
    assert texts.card_size(NOTEBOOK_CNN) == "1,676,266 parameters"
    assert texts.card_size(Architecture()) == "does not build yet"
    assert (
        texts.card_size(Architecture.from_url("conv(8,11)-conv(8,11)-conv(8,11)"))
        == "does not build yet"
    )
    assert texts.card_title(Architecture.from_url("flatten")) == "**Your model** · Custom model"


def test_card_trained_and_old_weights_and_last_run():
    assert texts.card_trained("finished", 0.98123, 1) == (
        ":material/check_circle: Trained: **98.12%** test accuracy (run #1)"
    )
    assert texts.card_trained("stopped", 0.5, 3).startswith(
        ":material/check_circle: Stopped early:"
    )
    assert texts.card_old_weights(WORKSHOP_CNN) == (
        ":material/warning: These weights belong to the previous architecture (Small CNN for "
        "workshops), not to the one you are building now."
    )
    assert texts.card_last_run("failed") == ":material/error: The last run failed."
    assert [texts.card_last_run(s) for s in ("finished", "stopped", "running", None)] == [None] * 4


# --- the card on a page ------------------------------------------------------------------------


def _card(trained: bool, arch_url: str) -> None:
    """Run by AppTest as a script of its own: everything it uses is imported here."""
    from types import SimpleNamespace

    import streamlit as st

    from core.architecture import Architecture
    from ui import jobs, sidebar, state

    if "test.setup" not in st.session_state:
        st.session_state["test.setup"] = True
        state.set_arch(Architecture.from_url(arch_url))
        if trained:
            # What ui.jobs keeps after a run (the card reads no weights, so no model is built).
            built = SimpleNamespace(arch=Architecture.from_url("flatten-dense(10,softmax)"))
            st.session_state[jobs._MODEL] = SimpleNamespace(
                built=built, status="stopped", test_accuracy=0.9, run=2
            )
    sidebar.model_card()


def card_text(trained: bool, arch_url: str) -> str:
    at = AppTest.from_function(_card, args=(trained, arch_url), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    return "\n".join([m.value for m in at.sidebar.markdown] + [c.value for c in at.sidebar.caption])


def test_the_card_of_an_untrained_model():
    text = card_text(False, WORKSHOP_CNN.to_url())
    assert text.splitlines() == [
        texts.card_title(WORKSHOP_CNN),
        "56,714 parameters",
        texts.NOT_TRAINED,
    ]


def test_the_card_of_a_trained_model_whose_architecture_changed():
    text = card_text(True, WORKSHOP_CNN.to_url())
    assert texts.card_trained("stopped", 0.9, 2) in text
    assert "belong to the previous architecture (custom model `flatten-dense(10,softmax)`)" in text
    same = card_text(True, "flatten-dense(10,softmax)")
    assert texts.card_trained("stopped", 0.9, 2) in same and "previous architecture" not in same


def test_snapshot_helper_builds_by_keyword():
    snap = snapshot(status="diverged", test_accuracy=None)
    assert (snap.status, snap.test_accuracy, snap.job_id) == ("diverged", None, "abc")
    assert not snap.active and not snap.usable
