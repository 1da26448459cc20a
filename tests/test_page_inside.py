"""pages/inside.py under AppTest: each model choice, each tab, and the bad inputs, without a traceback.

Charts are read from the figure JSON the page sends (``json.loads(chart.proto.spec)``), never
from escaped text. The session is set up through tests/inside_page.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.presets import NOTEBOOK_CNN
from tests.charts import array
from tests.inside_page import UNTRAINED, app, at_test_digit, figures, tab, text, title, titles

pytestmark = pytest.mark.page


def test_pretrained_every_layer() -> None:
    at = app(model=None)
    assert at.radio(key="inside.model").value == "Pretrained"
    # the input digit + one chart per layer of the notebook CNN (14 layers)
    names = titles(at)
    assert len(names) == 1 + len(NOTEBOOK_CNN)
    assert names[0] == "Input"
    for expected in ("Conv2D → 28×28×32", "MaxPooling2D → 7×7×64", "Flatten → 3,136", "Dense → 10"):
        assert expected in names, names
    digit = figures(at)[0]["data"][0]
    np.testing.assert_array_equal(array(digit["z"]).reshape(28, 28), at_test_digit(0))
    probs = figures(at)[-1]
    assert probs["data"][0]["type"] == "bar" and probs["layout"]["yaxis"]["range"] == [0, 1]
    assert np.isclose(array(probs["data"][0]["y"]).sum(), 1.0, atol=1e-4)
    assert "Pretrained says **7**" in text(at) and "ReLU set" in text(at)

    at.toggle(key="inside.before").set_value(True).run()
    assert not at.exception and "Before ReLU: blue values are negative" in text(at)
    assert "Conv2D → 28×28×32 (before ReLU)" in titles(at)


def test_pretrained_window_filters_and_top_patches() -> None:
    at = tab(app(model=None), "One window explained")
    assert "Sum of the 9 products" in text(at)
    assert "✓ the same as the layer's own output" in text(at)
    window = figures(at)[-1]  # input patch × weights = products, each a 3×3 heatmap
    assert [t["type"] for t in window["data"]] == ["heatmap"] * 3
    patch, weights, products = (array(t["z"]) for t in window["data"])
    np.testing.assert_allclose(products, patch * weights, atol=1e-6)
    at.selectbox(key="inside.window.layer").set_value(5).run()  # the first MaxPooling2D
    assert not at.exception
    assert "window of the layer before" in text(at)

    tab(at, "Filters")
    trained, start = figures(at)[1:3]
    assert title(trained) == "Trained · weights on the grey digit"
    assert title(start) == "A random start (seed 0) · weights on the grey digit"
    heat = [f["data"][0] for f in (trained, start)]
    assert heat[0]["zmin"] == heat[1]["zmin"] == -heat[0]["zmax"]  # one symmetric scale for both
    assert "weight %{z:.3f}" in heat[0]["hovertemplate"]

    tab(at, "What a filter looks for")
    assert "the 9 where this filter fired hardest" in text(at)
    boxes = figures(at)[1]
    assert title(boxes) == "Filter 0 of layer 3: the 9 test digits it responds to most"
    assert len(boxes["layout"]["shapes"]) == 9 and len(boxes["layout"]["annotations"]) == 9


def test_session_untrained_model() -> None:
    at = app()
    assert at.radio(key="inside.model").value == UNTRAINED
    assert "Random weights" in text(at)
    assert titles(at) == [
        "Input",
        "Normalization → 28×28×1",
        "Conv2D → 26×26×4",
        "MaxPooling2D → 13×13×4",
        "Flatten → 676",
        "Dense → 10",
    ]
    tab(at, "Filters")
    assert "untrained: these are its random starting weights" in text(at)
    assert title(figures(at)[1]) == "Random filters · weights on the grey digit"
    tab(at, "One window explained")
    assert "✓ the same as the layer's own output" in text(at)


@pytest.mark.slow
def test_session_trained_model_with_filters_over_training() -> None:
    at = app(train=True, model="Your model, trained")
    assert "trained on the Train page in this session (run 1," in text(at)
    tab(at, "Filters")
    assert title(figures(at)[2]) == "Its random start, before training · weights on the grey digit"
    slider = at.select_slider(key="inside.snap.epoch")
    assert list(slider.options) == ["before training", "after epoch 1", "after epoch 2"]
    assert slider.value == 2
    slider.set_value(0).run()
    assert not at.exception
    assert "First-layer filters before training" in titles(at)
    assert "Conv2D → 26×26×4 with those filters" in titles(at)


def test_model_without_conv_layers() -> None:
    at = app(arch="flatten-dense(32,relu)-dense(10,softmax)")
    assert titles(at) == ["Input", "Flatten → 784", "Dense → 32", "Dense → 10"]
    tab(at, "Filters")
    assert "no Conv2D layer" in text(at)
    tab(at, "What a filter looks for")
    assert "no Conv2D layer" in text(at)
    tab(at, "One window explained")
    assert "no window to explain" in text(at)


def test_architectures_that_cannot_be_inspected_say_why() -> None:
    at = app(arch="conv(8,3)-maxpool(8)-conv(8,5)", model=None)  # the second conv does not fit
    assert "cannot be looked inside yet" in text(at)
    assert at.radio(key="inside.model").options == ["Pretrained"]


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
    drawn = array(figures(at)[0]["data"][0]["z"]).reshape(28, 28)
    assert drawn[4:24, 13:16].min() == 255 and drawn.sum() == 255 * 20 * 3
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
    assert all(0 <= i < 10_000 for i in seen)
