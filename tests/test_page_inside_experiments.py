"""Look inside's two experiments under AppTest: switching filters off, and how the network groups digits.

Charts are read from the figure JSON the page sends (``json.loads(chart.proto.spec)``). The
session is set up through tests/inside_page.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.projection import sample_indices
from tests.charts import array
from tests.inside_page import app, figures, tab, text, title

pytestmark = pytest.mark.page

OFF, GROUPS = "Switch filters off", "How it groups digits"
SAMPLE = sample_indices(10_000)


def switch_off(at: AppTest, layer: int, picked: list[int], mode: str = "Switch off these"):
    at.selectbox(key="inside.ablate.layer").set_value(layer).run()
    at.radio(key="inside.ablate.mode").set_value(mode)
    at.multiselect(key=f"inside.ablate.picked.{layer}").set_value(picked)
    next(b for b in at.button if b.label == "Switch off").click().run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_switching_filters_off_on_the_pretrained_model() -> None:
    at = tab(app(model=None), OFF)
    assert "Pick some filters and press **Switch off**" in text(at)
    assert at.selectbox(key="inside.ablate.layer").options == [
        "3. Conv2D(32, 3×3, relu)",
        "5. Conv2D(32, 3×3, relu)",
        "8. Conv2D(64, 3×3, relu)",
        "10. Conv2D(64, 3×3, relu)",
    ]
    switch_off(at, 2, [0, 1, 2, 3, 4, 5, 6, 7])
    assert "8 of 32 filters are off (0, 1, 2, 3, 4, 5, 6, 7)" in text(at)
    shown = metrics(at)
    before = float(shown["Test accuracy, 2,000 digits, every filter on"].rstrip("%"))
    assert before > 98.5  # the pretrained model reads 99.56% of the whole test set
    assert float(shown["With 8 of 32 filters off"].rstrip("%")) <= before
    probs, per_class = (f for f in figures(at) if title(f) in TITLES)
    assert [t["name"] for t in probs["data"]] == ["all filters on", "with filters off"]
    for trace in probs["data"]:
        assert np.isclose(array(trace["y"]).sum(), 1.0, atol=1e-4)
    accuracy_before = array(per_class["data"][0]["y"])
    assert accuracy_before.shape == (10,) and (accuracy_before > 0.9).all()
    assert array(per_class["data"][0]["customdata"]).sum() == 2_000  # test digits per class


TITLES = ("This digit's probabilities", "Share of each digit read right")


def test_switching_every_filter_off_is_an_honest_result() -> None:
    at = tab(app(model=None), OFF)
    switch_off(at, 9, [], mode="Keep only these")  # keep none: all 64 off
    assert "All 64 filters are off" in text(at)
    assert "passes on nothing but zeros" in text(at)
    after = float(metrics(at)["With 64 of 64 filters off"].rstrip("%"))
    assert after < 20  # one answer for every digit: right only for that digit's share
    per_class = next(f for f in figures(at) if title(f) == TITLES[1])
    after_per_class = array(per_class["data"][1]["y"])
    assert sorted(np.round(after_per_class, 6).tolist())[:9] == [0.0] * 9


def test_switching_nothing_off_changes_nothing() -> None:
    at = tab(app(model=None), OFF)
    switch_off(at, 2, [])
    shown = metrics(at)
    assert (
        shown["With 0 of 32 filters off"] == shown["Test accuracy, 2,000 digits, every filter on"]
    )
    assert "nothing changed" in text(at)


def test_a_model_without_convolutions_has_no_filters_to_switch_off() -> None:
    at = tab(app(arch="flatten-dense(32,relu)-dense(10,softmax)"), OFF)
    assert "no Conv2D layer, so it has no filters to switch off" in text(at)
    tab(at, GROUPS)  # it still groups digits: by its Dense(32) layer
    scatter = figures(at)[1]
    assert title(scatter) == "2,000 test digits by the 32 values of layer 2, Dense(32, relu)"
    assert "This model is untrained" in text(at)


def test_untrained_model_switches_off_honestly() -> None:
    at = tab(app(), OFF)  # the small Build architecture with random weights
    switch_off(at, 1, [0, 1])
    assert "This model is untrained, so it is at about chance" in text(at)


def test_how_the_pretrained_model_groups_digits() -> None:
    at = tab(app(model=None), GROUPS)
    scatter = next(f for f in figures(at) if (title(f) or "").startswith("2,000 test digits"))
    assert title(scatter) == "2,000 test digits by the 512 values of layer 13, Dense(512, relu)"
    digits = scatter["data"][:10]
    assert [t["name"] for t in digits] == [str(d) for d in range(10)]
    assert scatter["data"][10]["name"] == "✗ read wrong"
    assert sum(len(array(t["x"])) for t in digits) == 2_000
    custom = np.concatenate([array(t["customdata"]).reshape(-1, 3) for t in digits])
    np.testing.assert_array_equal(np.sort(custom[:, 0]), SAMPLE)
    wrong = custom[:, 2] != custom[:, 1]
    assert 0 < wrong.sum() < 40  # the pretrained model misreads a few of 2,000
    symbols = np.concatenate([t["marker"]["symbol"] for t in digits])
    assert (symbols == "x").sum() == wrong.sum()
    x_title = scatter["layout"]["xaxis"]["title"]["text"]
    assert x_title.startswith("PC 1 (") and x_title.endswith("% of the variance)")
    assert "frames" not in scatter or not scatter["frames"]

    first_wrong = int(custom[wrong][np.argsort(custom[wrong][:, 0])][0, 0])
    assert at.number_input(key="inside.groups.pick").value == first_wrong
    assert f"Test digit #{first_wrong:,}" in [title(f) for f in figures(at)]
    assert "✗" in text(at)


def test_choosing_a_digit_by_number() -> None:
    at = tab(app(model=None), GROUPS)
    outside = int(np.setdiff1d(np.arange(100), SAMPLE)[0])
    at.number_input(key="inside.groups.pick").set_value(outside).run()
    assert not at.exception
    assert f"Test digit {outside:,} is not one of the 2,000 dots" in text(at)
    inside = int(SAMPLE[5])
    at.number_input(key="inside.groups.pick").set_value(inside).run()
    assert f"Test digit #{inside:,}" in [title(f) for f in figures(at)]


@pytest.mark.slow
def test_a_model_trained_in_the_session_shows_its_frames() -> None:
    at = tab(app(train=True, model="Your model, trained"), GROUPS)
    scatter = next(f for f in figures(at) if (title(f) or "").startswith("Run 1: "))
    steps = scatter["layout"]["sliders"][0]["steps"]
    assert [s["label"] for s in steps] == ["before training", "after epoch 1", "after epoch 2"]
    assert len(scatter["frames"]) == 3
    assert scatter["layout"]["xaxis"]["title"]["text"].startswith("PC 1 of the final epoch")
    assert "the first is the untrained start" in text(at)
