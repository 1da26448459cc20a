"""pages/inside.py under AppTest: each model choice, each tab, and the bad inputs, without a traceback.

Plotly charts are UnknownElements here, so the tests count them and read the text around them.
The page runs inside a small function script so that the session can be set up first through
the other pages' public functions (the Build architecture, a drawing, a finished training run).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import predict

pytestmark = pytest.mark.page
PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "inside.py")
SMALL = "norm-conv(4,3)-maxpool-flatten-dense(10,softmax)"
needs_pretrained = pytest.mark.skipif(
    not predict.MODEL_PATH.is_file(), reason="models/pretrained.keras is not there yet"
)


def _script(page: str, arch: str | None, drawing: bool, train: bool, model: str | None) -> None:
    import runpy

    import numpy as np
    import streamlit as st

    from core.architecture import Architecture
    from core.training import TrainSettings
    from ui import draw_state, jobs, state

    if "test.setup" not in st.session_state:
        st.session_state["test.setup"] = True
        if model is not None:
            st.session_state["inside.model"] = model  # the radio's choice, before it is drawn
        if arch is not None:
            state.set_arch(Architecture.from_url(arch))
        if drawing:
            image = np.zeros((28, 28), np.uint8)
            image[4:24, 13:16] = 255  # a "1"
            draw_state.set_latest_drawing(image)
        if train:
            settings = TrainSettings(
                optimizer="adam", learning_rate=0.003, batch_size=64, epochs=2, n_train=600
            )
            problem = jobs.start_training(state.get_arch(), settings)
            assert problem is None, problem
    if jobs.is_training():
        st.write("training")
        st.stop()
    runpy.run_path(page, run_name="__main__")


UNTRAINED = "Your model, untrained"


def app(
    arch: str | None = SMALL,
    drawing: bool = False,
    train: bool = False,
    model: str | None = UNTRAINED,
) -> AppTest:
    """The page in a fresh session; by default on the small Build architecture, untrained."""
    args = (PAGE, arch, drawing, train, model)
    at = AppTest.from_function(_script, args=args, default_timeout=180)
    at.run()
    deadline = time.monotonic() + 180
    while train and any(m.value == "training" for m in at.markdown):
        assert time.monotonic() < deadline, "the tiny training run did not finish in 3 minutes"
        time.sleep(0.5)
        at.run()
    assert not at.exception, at.exception
    return at


def text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [e.value for e in at.error] + [i.value for i in at.info] + [w.value for w in at.warning]
    )
    return "\n".join(parts)


def charts(at: AppTest) -> int:
    return len(at.get("plotly_chart"))


def tab(at: AppTest, name: str) -> AppTest:
    at.session_state["inside.tab"] = name
    at.run()
    assert not at.exception, at.exception
    return at


@needs_pretrained
def test_pretrained_every_layer_and_tabs() -> None:
    at = app(model=None)
    assert at.radio(key="inside.model").value == "Pretrained"
    # the input digit + one chart per layer of the notebook CNN (14 layers)
    assert charts(at) == 1 + 14
    assert "Pretrained says" in text(at) and "ReLU set" in text(at)
    at.toggle(key="inside.before").set_value(True).run()
    assert not at.exception and "Before ReLU: blue values are negative" in text(at)

    tab(at, "One window explained")
    assert "Sum of the 9 products" in text(at) and "✓ the same as the layer's own output" in text(
        at
    )
    at.selectbox(key="inside.window.layer").set_value(5).run()  # the first MaxPooling2D
    assert not at.exception
    assert "window of the layer before" in text(at)

    tab(at, "Filters")
    assert "Trained · weights on the grey digit" in " ".join(
        str(c.proto) for c in at.get("plotly_chart")
    )
    tab(at, "What a filter looks for")
    assert "the 9 where this filter fired hardest" in text(at)


def test_session_untrained_model() -> None:
    at = app()
    assert at.radio(key="inside.model").value == UNTRAINED
    assert "Random weights" in text(at)
    assert charts(at) == 1 + 5
    tab(at, "Filters")
    assert "untrained: these are its random starting weights" in text(at)
    tab(at, "One window explained")
    assert "✓ the same as the layer's own output" in text(at)


def test_session_trained_model_with_filters_over_training() -> None:
    at = app(train=True, model="Your model, trained")
    assert "trained on the Train page in this session" in text(at)
    tab(at, "Filters")
    slider = at.select_slider(key="inside.snap.epoch")
    assert list(slider.options) == ["before training", "after epoch 1", "after epoch 2"]
    assert slider.value == 2
    slider.set_value(0).run()
    assert not at.exception and "First-layer filters before training" in " ".join(
        str(c.proto) for c in at.get("plotly_chart")
    )


def test_model_without_conv_layers() -> None:
    at = app(arch="flatten-dense(32,relu)-dense(10,softmax)")
    assert charts(at) == 1 + 3
    tab(at, "Filters")
    assert "no Conv2D layer" in text(at)
    tab(at, "What a filter looks for")
    assert "no Conv2D layer" in text(at)
    tab(at, "One window explained")
    assert "no window to explain" in text(at)


def test_architectures_that_cannot_be_inspected_say_why() -> None:
    at = app(arch="conv(8,3)-maxpool(8)-conv(8,5)", model=None)  # the second conv does not fit
    assert "cannot be looked inside yet" in text(at)
    labels = at.radio(key="inside.model").options
    assert "Your model, untrained" not in labels


def test_index_out_of_range_and_class_pick() -> None:
    at = app()
    at.number_input(key="inside.index").set_value(10_000).run()
    assert not at.exception
    assert "There is no test digit 10,000: they are numbered 0 to 9,999." in text(at)
    at.selectbox(key="inside.class").set_value(3).run()
    assert not at.exception and "(labelled 3)" in text(at)


def test_drawing_input() -> None:
    at = app()
    at.button_group(key="inside.source").set_value("Your drawing").run()
    assert "You have not drawn a digit yet" in text(at)
    at = app(drawing=True)
    at.button_group(key="inside.source").set_value("Your drawing").run()
    assert not at.exception and "your latest drawing from the Draw page, drawn just now" in text(at)
    assert charts(at) >= 2
    at.session_state["draw.latest_at"] -= 2 * 3600  # the same drawing, two hours later
    at.run()
    assert "This drawing is from 2.0 h ago" in text(at)


def test_random_button_changes_the_digit() -> None:
    at = app()
    seen = set()
    for _ in range(3):
        at.button[0].click().run()
        seen.add(at.number_input(key="inside.index").value)
    assert not at.exception and len(seen) > 1
    assert np.all([0 <= i < 10_000 for i in seen])
