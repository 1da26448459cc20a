"""The Train page under AppTest: refusals and bad input, and a job that outlives reruns and page switches.

AppTest never fires ``run_every`` timers, so the tests poll with ``time.sleep`` and ``at.run()``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.architecture import Architecture, LayerSpec
from core.presets import DENSE_ONLY, WORKSHOP_CNN
from core.training import SETTINGS
from core.training.limit import RUN_LIMIT_ENV

pytestmark = pytest.mark.page

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60  # the first run imports TensorFlow
K = "train.w."
TINY = Architecture(
    (LayerSpec.make("Flatten"), LayerSpec.make("Dense", units=10, activation="softmax"))
)


def open_train(arch: Architecture | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    if arch is not None:
        at.query_params["arch"] = arch.to_url()
    at.switch_page("pages/train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sidebar_of(at: AppTest) -> AppTest:
    """The model card as the first page shows it, with ``at``'s session (AppTest keeps the sidebar
    that app.py draws only on a run without a page switch, so a second AppTest borrows the state)."""
    card = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key in ("build.arch", "train.job", "train.model", "train.runs", "train.settled"):
        if key in at.session_state:
            card.session_state[key] = at.session_state[key]
    card.run()
    assert not card.exception, [e.value for e in card.exception]
    return card


def sidebar_text(at: AppTest) -> str:
    card = sidebar_of(at).sidebar
    return "\n".join([m.value for m in card.markdown] + [c.value for c in card.caption])


def train_button(at: AppTest):
    return next(b for b in at.button if b.label == "Train")


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    )
    return "\n".join(str(p) for p in parts)


def poll_until_done(at: AppTest, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while at.session_state["train.job"].snapshot().active:
        assert time.monotonic() < end, "the training job did not end"
        time.sleep(0.5)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    at.run()


def quick_settings(at: AppTest, epochs: int = 1) -> None:
    next(b for b in at.button if b.label == "Quick recipe").click().run()
    at.selectbox(key=K + "n_train").set_value(2_000)
    at.number_input(key=K + "epochs").set_value(epochs)
    at.run()


def test_page_renders_with_settings_defaulting_to_the_notebook():
    at = open_train()
    assert at.title[0].value == "Train"
    assert at.number_input(key=K + "batch_size").value == 32
    assert at.radio(key=K + "optimizer").value == "sgd"
    assert not train_button(at).disabled
    card = sidebar_text(at)
    assert "Notebook's VGG-like CNN" in card and "1,676,266 parameters" in card
    assert "Not trained yet" in card


def test_dense_only_model_is_refused_with_the_shape_mismatch_and_kept():
    at = open_train(DENSE_ONLY)
    message = "\n".join(e.value for e in at.error)
    assert "(28, 28, 2)" in message and "(10,)" in message and "Flatten" in message
    assert train_button(at).disabled
    assert "Notebook's first try" in texts(at)  # the model the user built is still there
    assert "train.job" not in at.session_state


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("epochs", 0, "Epochs must be at least 1"),
        ("learning_rate", 1e6, "Learning rate must be above 0 and at most 10"),
        ("learning_rate", 0.0, "With 0 nothing is learnt"),
        ("batch_size", 3_000, "larger than the 2,000 training images"),
    ],
)
def test_bad_settings_give_a_clear_message_and_start_nothing(key, value, words):
    at = open_train(WORKSHOP_CNN)
    at.selectbox(key=K + "n_train").set_value(2_000)
    at.number_input(key=K + key).set_value(value).run()
    train_button(at).click().run()
    assert not at.exception
    assert words in "\n".join(e.value for e in at.error)
    assert "train.job" not in at.session_state
    assert at.number_input(key=K + key).value == value  # what the user typed is kept


def test_the_form_has_one_widget_per_setting_of_the_table():
    at = open_train(WORKSHOP_CNN)
    kinds = {"choice": at.radio, "number": at.number_input, "whole": at.number_input}
    for setting in SETTINGS:
        find = at.selectbox if setting.kind == "whole" and setting.options else kinds[setting.kind]
        widget = find(key=K + setting.name)
        assert (widget.label, widget.help) == (setting.label, setting.help), setting.name
        if setting.options:
            assert widget.options == [setting.text(v) for v in setting.values]
    assert not at.number_input(key=K + "momentum").disabled
    at.radio(key=K + "optimizer").set_value("adam").run()
    assert at.number_input(key=K + "momentum").disabled  # SGD only
    assert at.number_input(key=K + "learning_rate").value == 0.001  # Adam's usual rate
    next(b for b in at.button if b.label == "Notebook recipe").click().run()
    assert at.radio(key=K + "optimizer").value == "sgd"
    assert at.number_input(key=K + "learning_rate").value == 0.01


def _train_other_images() -> None:
    """Run by AppTest as a script of its own: a 32×32 colour model, then the Train page."""
    import runpy

    import streamlit as st

    from core.architecture import Architecture
    from core.training import NOTEBOOK
    from ui import jobs, state

    if "test.setup" not in st.session_state:
        st.session_state["test.setup"] = True
        layers = Architecture.from_url("conv(8,3)-flatten-dense(10,softmax)").layers
        state.set_arch(Architecture(layers, input_shape=(32, 32, 3)))
        st.session_state["test.refusal"] = jobs.start_training(state.get_arch(), NOTEBOOK)
    runpy.run_path("pages/train.py", run_name="__main__")


def test_a_model_for_other_images_is_refused_and_never_reaches_keras(monkeypatch):
    import core.keras_model

    def never(*args, **kwargs):
        raise AssertionError("a model for other images reached Keras")

    monkeypatch.setattr(core.keras_model, "build_model", never)
    at = AppTest.from_function(_train_other_images, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    refusal = at.session_state["test.refusal"]
    assert refusal.startswith("The model takes images of shape (32, 32, 3)"), refusal
    assert "(28, 28, 1)" in refusal
    assert refusal in [e.value for e in at.error]  # the page says the same
    assert train_button(at).disabled
    assert "train.job" not in at.session_state


def _train_with_a_queue() -> None:
    """Run by AppTest as a script of its own: the notebook CNN's speed is known, the server's
    slots are all taken by runs with 40 s left, then the Train page."""
    import runpy

    import streamlit as st

    from core.presets import NOTEBOOK_CNN
    from core.training import NOTEBOOK
    from core.training.estimate import Speed
    from core.training.speeds import speed_key
    from ui import jobs, state

    if "test.slots" not in st.session_state:
        state.set_arch(NOTEBOOK_CNN)
        slots = st.session_state["test.slots"] = jobs.slots()
        slots.speeds.put(speed_key(NOTEBOOK_CNN, NOTEBOOK), Speed(800.0, eval_ips=4_000.0))
        for i in range(slots.limit):
            assert slots.acquire(f"test-run-{i}", lambda: False, remaining=lambda: 40.0)
    runpy.run_path("pages/train.py", run_name="__main__")


def test_before_training_the_page_says_how_long_the_run_and_the_wait_take(monkeypatch):
    monkeypatch.setenv(RUN_LIMIT_ENV, "120")
    at = AppTest.from_function(_train_with_a_queue, default_timeout=TIMEOUT).run()
    slots = at.session_state["test.slots"]
    try:
        assert not at.exception, [e.value for e in at.exception]
        lines = texts(at)
        # 3 epochs of 60,000 images at 800 images/s, 3 test passes of 2.5 s: 232.5 s.
        assert "This run would take **about 3 min 50 s** here" in lines
        assert (
            "this server stops runs after 2 min, so **it will stop early**, in epoch 2 of 3"
            in lines
        )
        ahead = f"{slots.limit} run{'s' if slots.limit > 1 else ''} ahead of you, about 40 s"
        assert f"The queue: **{ahead}**" in lines
        assert "Runs on this server stop after 2 min" in lines
    finally:
        for i in range(slots.limit):
            slots.release(f"test-run-{i}")
    monkeypatch.delenv(RUN_LIMIT_ENV)
    at.run()
    assert "No queue: your run starts as soon as you press Train." in texts(at)
    assert "Runs on this server stop" not in texts(at) and "stop early" not in texts(at)
    assert "This run will take **about 3 min 50 s** on this server" in texts(at)


@pytest.mark.slow
def test_the_estimate_is_measured_in_the_background_and_appears():
    at = open_train(WORKSHOP_CNN)
    quick_settings(at)
    end = time.monotonic() + TIMEOUT * 2
    while "This run will take" not in texts(at):
        assert "could not be measured" not in texts(at)
        assert time.monotonic() < end, "the estimate never appeared"
        time.sleep(0.5)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert "1 epoch of 2,000 images" in texts(at)


@pytest.mark.slow
def test_a_job_survives_reruns_and_page_switches_then_shows_its_results():
    at = open_train(WORKSHOP_CNN)
    quick_settings(at)
    train_button(at).click().run()
    assert not at.exception and not at.error
    job = at.session_state["train.job"]
    assert job.snapshot().active
    assert train_button(at).disabled  # one job per session
    assert any(b.label == "Stop" for b in at.button)
    assert sidebar_of(at).sidebar.get("progress")  # every page shows the run in the sidebar
    for page in ("pages/build.py", "pages/data.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert at.session_state["train.job"] is job  # the same job: nothing restarted or dropped it
        alive = job.is_alive()  # first: a worker that has ended has written its final status
        status = job.snapshot().status
        assert status in ("running", "finished"), (
            job.snapshot().message
        )  # neither stopped nor failed
        if not alive:
            assert status == "finished"
    at.switch_page("pages/train.py")
    poll_until_done(at)
    assert at.radio(key=K + "optimizer").value == "adam"  # the settings survived the page switches
    assert at.number_input(key=K + "batch_size").value == 128
    assert at.selectbox(key=K + "n_train").value == 2_000
    assert job.snapshot().status == "finished", job.snapshot().message
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Test accuracy"].endswith("%") and float(metrics["Test accuracy"][:-1]) > 50
    assert "test accuracy (run #1)" in sidebar_text(at)
    assert len(at.dataframe) >= 2  # per-epoch results and the run history

    # Choosing a confusion-matrix cell shows its digits.
    at.selectbox(key=K + "cell_true").set_value(7).run()
    at.selectbox(key=K + "cell_pred").set_value(7).run()
    assert "test images of a **7** recognised" in texts(at)

    # A diverging second run is reported; the trained model and the first run are kept.
    at.radio(key=K + "optimizer").set_value("sgd")
    at.number_input(key=K + "learning_rate").set_value(10.0)
    at.number_input(key=K + "epochs").set_value(3).run()
    train_button(at).click().run()
    poll_until_done(at)
    assert "diverged" in "\n".join(e.value for e in at.error)
    assert "run #1" in at.subheader[0].value
    assert len(at.session_state["train.runs"]) == 2

    # Changing the architecture says the trained weights belong to the old one.
    at.query_params["arch"] = TINY.to_url()
    at.run()
    assert not at.exception
    assert "belong to the previous architecture" in texts(at)
    assert "belong to the previous architecture" in sidebar_text(at)
