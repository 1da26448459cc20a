"""One view-model for "which models can this page use": core/model_choice.py and ui/models.py."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.architecture import Architecture
from core.held_model import HeldModel
from core.keras_model import build_model
from core.model_choice import PRETRAINED, TRAINED, UNTRAINED, ModelChoice
from core.presets import WORKSHOP_CNN
from ui import jobs, model_budget


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
    st.session_state["draw_notes"] = models.sleep_notices(models.for_draw())
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


# --- a model put to sleep by the server's budget comes back on the next visit -------------------


def _look(arch_url: str) -> None:
    import numpy as np
    import streamlit as st

    from core.activations import Inspector
    from core.architecture import Architecture
    from ui import models, state

    state.set_arch(Architecture.from_url(arch_url))
    choices, missing = models.for_look_inside()
    st.session_state["missing"] = missing
    st.session_state["outputs"] = {
        c.kind: Inspector(c.built.model, c.built.arch).layer_outputs(np.eye(28) * 255)[-1].array
        for c in choices
    }


def _other_session_over_budget(arch: Architecture) -> None:
    """Another session builds its model while the server is over budget: idle models are released."""
    budget = model_budget.budget()
    limit, budget.limit = budget.limit, 1
    try:
        at = AppTest.from_function(_look, args=(arch.to_url(),), default_timeout=120)
        at.run()
        assert not at.exception, at.exception
    finally:
        budget.limit = limit


def test_an_untrained_model_put_to_sleep_comes_back_the_same():
    at = AppTest.from_function(_look, args=(WORKSHOP_CNN.to_url(),), default_timeout=120)
    at.run()
    assert not at.exception and at.session_state["missing"] == []
    before = at.session_state["outputs"][UNTRAINED]
    held = at.session_state["models.untrained"][WORKSHOP_CNN.to_url()]
    _other_session_over_budget(Architecture(WORKSHOP_CNN.layers[:-1]))
    assert held.asleep
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["missing"] == [
        "Your untrained model was put to sleep to save the server's memory while you were away; "
        "it is rebuilt from the same random seed when you use it (same weights, same answers)."
    ]
    np.testing.assert_array_equal(at.session_state["outputs"][UNTRAINED], before)
    assert not held.asleep and held.rebuilds == 1
    at.run()
    assert at.session_state["missing"] == []  # said once, on the visit that rebuilt it


def test_a_trained_model_put_to_sleep_comes_back_on_draw_and_look_inside(
    monkeypatch: pytest.MonkeyPatch,
):
    built = build_model(WORKSHOP_CNN, seed=1)
    rng = np.random.default_rng(0)
    built.model.set_weights([rng.normal(0, 0.1, w.shape) for w in built.model.get_weights()])
    held = HeldModel(built)
    record = SimpleNamespace(built=held, run=1, test_accuracy=0.9, job_id="j", filter_epochs=[])
    monkeypatch.setattr(jobs, "trained", lambda: record)
    at = AppTest.from_function(_look, args=(WORKSHOP_CNN.to_url(),), default_timeout=120)
    at.run()
    before = at.session_state["outputs"][TRAINED]
    assert held.release() and held.asleep
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["missing"][0].startswith("Your trained model was put to sleep")
    assert "rebuilt from its saved weights" in at.session_state["missing"][0]
    np.testing.assert_array_equal(at.session_state["outputs"][TRAINED], before)
    held.release()
    at = run(WORKSHOP_CNN)  # Draw asks for the notice before it guesses
    assert at.session_state["draw"] == ["Your model", "Pretrained"]
    assert at.session_state["draw_notes"] == at.session_state["missing"]
    assert at.session_state["draw_notes"][0].startswith("Your trained model was put to sleep")
