"""One view-model for "which models can this page use": core/model_choice.py and ui/models.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from core.architecture import Architecture
from core.keras_model import build_model
from core.model_choice import PRETRAINED, TRAINED, UNTRAINED, ModelChoice
from core.presets import WORKSHOP_CNN
from ui import jobs


def test_names_labels_and_notes_of_each_kind():
    shipped = ModelChoice(PRETRAINED, None, "pretrained", test_accuracy=0.9956)
    mine = ModelChoice(TRAINED, None, "own:j", test_accuracy=0.97, run=3, arch_changed=True)
    fresh = ModelChoice(UNTRAINED, None, "untrained:x")
    assert [c.name for c in (shipped, mine, fresh)] == ["Pretrained", "Your model", "Your model"]
    assert [c.label for c in (shipped, mine, fresh)] == [
        "Pretrained",
        "Your model, trained",
        "Your model, untrained",
    ]
    assert [c.trained for c in (shipped, mine, fresh)] == [True, True, False]
    assert shipped.note == "99.56% on MNIST's 10,000 test digits"
    assert mine.note == "run 3, 97.00% on the test digits" and fresh.note == ""
    assert shipped.about == "the notebook's VGG-like CNN, 99.6% on the 10,000 test digits"
    assert mine.about.startswith("trained on the Train page in this session (run 3, 97.0% on")
    assert mine.about.endswith("this is the one it was trained as")
    assert "random initial weights" in fresh.about
    assert ModelChoice(PRETRAINED, None, "pretrained").about == ""  # no record of its accuracy


def _script(arch_json: str) -> None:
    import streamlit as st

    from core.architecture import Architecture
    from ui import models, state

    state.set_arch(Architecture.from_json(arch_json))  # JSON keeps the input shape
    choices, missing = models.for_look_inside()
    st.session_state["look"] = [(c.kind, c.key, c.label) for c in choices]
    st.session_state["missing"] = missing
    st.session_state["draw"] = [c.name for c in models.for_draw()]
    mine = models.trained_choice()
    st.session_state["mine"] = None if mine is None else (mine.snapshots, mine.arch_changed)


def run(arch: Architecture) -> AppTest:
    at = AppTest.from_function(_script, args=(arch.to_json(),), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def test_without_a_trained_model():
    at = run(WORKSHOP_CNN)
    assert at.session_state["look"] == [
        (PRETRAINED, "pretrained", "Pretrained"),
        (UNTRAINED, f"untrained:{WORKSHOP_CNN.to_url()}", "Your model, untrained"),
    ]
    assert at.session_state["missing"] == [] and at.session_state["draw"] == ["Pretrained"]
    assert at.session_state["mine"] is None


def test_a_trained_model_comes_first_on_draw(monkeypatch: pytest.MonkeyPatch):
    built = build_model(WORKSHOP_CNN, seed=1)
    record = SimpleNamespace(
        built=built, run=2, test_accuracy=0.9, job_id="j7", filter_epochs=[(0, 1)]
    )
    monkeypatch.setattr(jobs, "trained", lambda: record)
    at = run(Architecture(WORKSHOP_CNN.layers[:-1]))  # the Build page has changed since
    assert [k for k, *_ in at.session_state["look"]] == [PRETRAINED, TRAINED, UNTRAINED]
    assert at.session_state["look"][1][1] == "own:j7"
    assert at.session_state["draw"] == ["Your model", "Pretrained"]
    assert at.session_state["mine"] == (((0, 1),), True)


def test_a_model_for_other_images_is_not_offered(monkeypatch: pytest.MonkeyPatch):
    colour = Architecture(WORKSHOP_CNN.layers[1:], input_shape=(32, 32, 3))
    record = SimpleNamespace(
        built=SimpleNamespace(arch=colour), run=1, test_accuracy=0.5, job_id="c"
    )
    monkeypatch.setattr(jobs, "trained", lambda: record)
    at = run(colour)
    assert at.session_state["mine"] is None and at.session_state["draw"] == ["Pretrained"]
    assert at.session_state["missing"] == [
        "Your Build page architecture cannot be looked inside yet: this architecture takes "
        "32×32×3 images, not 28×28×1 MNIST digits."
    ]
