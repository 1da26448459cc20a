"""ui/jobs.py with the model budget: a training model is never released; a trained one comes back."""

from __future__ import annotations

import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.held_model import HeldModel, keras_bytes
from core.presets import WORKSHOP_CNN
from core.training import TrainSettings
from tests.helpers_training import DEADLINE, TINY
from ui import jobs, model_budget

pytestmark = pytest.mark.page
SETTINGS = dict(optimizer="adam", learning_rate=0.003, batch_size=64, epochs=1, n_train=600)


def _trainer(arch_url: str, settings: dict) -> None:
    import numpy as np
    import streamlit as st

    from core.architecture import Architecture
    from core.training import TrainSettings
    from ui import jobs, resources

    if "test.started" not in st.session_state:
        st.session_state["test.started"] = True
        problem = jobs.start_training(Architecture.from_url(arch_url), TrainSettings(**settings))
        assert problem is None, problem
    st.session_state["job_model"] = jobs.current_job().built
    model = jobs.trained()
    st.session_state["status"] = jobs.snapshot().status
    if model is not None:
        st.session_state["slept"] = model.built.asleep
        x = resources.mnist().x_test[:16].astype(np.float32)[..., np.newaxis]
        st.session_state["probs"] = np.asarray(model.built.model(x, training=False))


def _someone_else_over_budget() -> None:
    """Another session builds a model while the server is over budget: idle models are released."""

    def other() -> None:
        from core.architecture import Architecture
        from ui import models

        models.untrained(Architecture.from_url("flatten-dense(10,softmax)"))

    budget = model_budget.budget()
    limit, budget.limit = budget.limit, 1
    try:
        at = AppTest.from_function(other, default_timeout=120)
        at.run()
        assert not at.exception, at.exception
    finally:
        budget.limit = limit


def _until(at: AppTest, done) -> AppTest:
    deadline = time.monotonic() + DEADLINE
    while True:
        at.run()
        assert not at.exception, at.exception
        if done(at):
            return at
        assert time.monotonic() < deadline, "the run did not end"
        time.sleep(0.3)


def test_optimizer_slots_per_weight():
    assert jobs.optimizer_slots(TrainSettings("adam", 0.001, 0.0, 32, 1, 600, 0)) == 2
    assert jobs.optimizer_slots(TrainSettings("sgd", 0.01, 0.9, 32, 1, 600, 0)) == 1
    assert jobs.optimizer_slots(TrainSettings("sgd", 0.01, 0.0, 32, 1, 600, 0)) == 0


@pytest.mark.slow
def test_a_queued_or_training_model_stays_and_the_trained_one_comes_back():
    slots = jobs.slots()
    blockers = [f"blocker-{i}" for i in range(slots.limit)]
    for key in blockers:  # every slot taken: the job waits in the queue, its thread alive
        assert slots.acquire(key, give_up=lambda: False)
    try:
        at = AppTest.from_function(_trainer, args=(TINY.to_url(), SETTINGS), default_timeout=120)
        at.run()
        assert not at.exception, at.exception
        held: HeldModel = at.session_state["job_model"]
        assert isinstance(held, HeldModel) and at.session_state["status"] == "queued"
        assert model_budget.budget().is_held(held) and held.releasable() is False
        _someone_else_over_budget()
        assert not held.asleep, "a queued job's model must never be released"
    finally:
        for key in blockers:
            slots.release(key)
    at = _until(at, lambda at: "probs" in at.session_state)
    assert at.session_state["slept"] is False
    # the run's results kept with the model (test probabilities, frames) count in the budget too
    assert held.nbytes() > keras_bytes(held.model, held.slots) + 4 * 10 * 1_000
    before = at.session_state["probs"]
    _someone_else_over_budget()
    assert held.asleep and held.kept_bytes() > 0  # idle now: put to sleep, its weights kept
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["slept"] is True
    np.testing.assert_array_equal(at.session_state["probs"], before)
    assert not held.asleep and held.rebuilds == 1


@pytest.mark.slow
def test_a_diverged_run_keeps_no_weights():
    settings = dict(optimizer="sgd", learning_rate=10.0, batch_size=32, epochs=3, n_train=2_000)
    at = AppTest.from_function(
        _trainer, args=(WORKSHOP_CNN.to_url(), settings), default_timeout=120
    )
    at = _until(at, lambda at: at.session_state["status"] not in ("queued", "running"))
    assert at.session_state["status"] == "diverged"
    held = at.session_state["job_model"]
    assert held.asleep and held.kept_bytes() == 0 and not model_budget.budget().is_held(held)
    assert "probs" not in at.session_state  # and the session has no trained model
