"""Look inside computes a digit's layer outputs once, keeps its figures, and reruns a section alone.

Spies count the forward passes (``Inspector.layer_outputs``) and figure builds across reruns;
fragment reruns are asked of AppTest's script runner as the browser would (tests/fragments.py).
No timings: ``bench/bench_reruns.py`` measures what a rerun costs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from core.activations import Inspector
from core.figures import inside as inside_figs
from core.presets import NOTEBOOK_CNN
from tests.charts import array
from tests.fragments import fragment_id, fragment_scoped
from tests.inside_page import UNTRAINED, app, at_test_digit, figures, tab, text, titles
from ui import inside_cache

pytestmark = pytest.mark.page


def _count_layer_outputs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Spy on the one forward pass: the digits (their pixel sums) it was run on, in order."""
    calls: list[int] = []
    original = Inspector.layer_outputs

    def spy(self: Inspector, image: np.ndarray) -> list:
        calls.append(int(np.asarray(image).sum()))
        return original(self, image)

    monkeypatch.setattr(Inspector, "layer_outputs", spy)
    return calls


def test_layer_outputs_are_computed_once_per_model_and_digit(monkeypatch) -> None:
    calls = _count_layer_outputs(monkeypatch)
    at = app(model=None)
    assert calls == [int(at_test_digit(0).sum())]
    at.run()
    at.toggle(key="inside.all").set_value(True).run()  # other figures, the same outputs
    tab(at, "One window explained")
    assert len(calls) == 1
    at.number_input(key="inside.index").set_value(1).run()
    assert calls[1:] == [int(at_test_digit(1).sum())] and "(labelled 2)" in text(at)
    at.number_input(key="inside.index").set_value(0).run()  # still remembered
    assert len(calls) == 2
    at.radio(key="inside.model").set_value(UNTRAINED).run()  # other weights: computed again
    assert len(calls) == 3 and "Random weights" in text(at)


def test_a_new_drawing_is_computed_again(monkeypatch) -> None:
    calls = _count_layer_outputs(monkeypatch)
    at = app(drawing=True)
    at.button_group(key="inside.source").set_value("Your drawing").run()
    assert len(calls) == 2  # the test digit first, then the drawing
    at.run()
    assert len(calls) == 2
    seven = np.zeros((28, 28), np.uint8)
    seven[5:8, 6:22], seven[8:24, 17:20] = 255, 255
    at.session_state["draw.latest_drawing"] = seven  # drawn again on the Draw page
    at.run()
    assert not at.exception and calls[-1] == int(seven.sum()) and len(calls) == 3
    drawn = array(figures(at)[0]["data"][0]["z"]).reshape(28, 28)
    np.testing.assert_array_equal(drawn, seven)


def test_only_a_few_digits_are_remembered(monkeypatch) -> None:
    calls = _count_layer_outputs(monkeypatch)
    at = app()
    for i in range(1, 6):
        at.number_input(key="inside.index").set_value(i).run()
    kept = at.session_state["inside.cache"]
    assert len(kept["outputs"]) == inside_cache.KEEP["outputs"]
    assert len(kept["layers"]) == inside_cache.KEEP["layers"]
    at.number_input(key="inside.index").set_value(0).run()  # forgotten since: computed again
    assert len(calls) == 7


def test_figures_are_built_once_per_model_digit_and_toggles(monkeypatch) -> None:
    built: list[str] = []
    original = inside_figs.feature_maps

    def spy(maps: np.ndarray, title: str, **kwargs: Any):
        built.append(title)
        return original(maps, title, **kwargs)

    monkeypatch.setattr(inside_figs, "feature_maps", spy)
    at = app(model=None)
    maps = [o for o in titles(at) if o and o.count("×") == 2]  # the layers with rows and columns
    assert len(built) == len(maps) == 11
    first = figures(at)
    at.run()
    assert len(built) == 11 and figures(at) == first  # the same figures, sent again
    at.toggle(key="inside.before").set_value(True).run()
    assert len(built) == 22 and "Conv2D → 28×28×32 (before ReLU)" in built
    at.toggle(key="inside.before").set_value(False).run()  # that view is still remembered
    assert len(built) == 22 and figures(at) == first


def test_moving_the_window_reruns_only_its_fragment(monkeypatch) -> None:
    at = tab(app(model=None), "One window explained")
    layer = at.selectbox(key="inside.window.layer").value
    before = text(at)
    calls = _count_layer_outputs(monkeypatch)
    with fragment_scoped(fragment_id(at, "pixel_explained")):
        at.slider(key=f"inside.window.row.{layer}").set_value(0).run()
        assert not at.exception, at.exception
        assert not at.title and not at.radio  # the page above the window was not drawn again
        assert [f["layout"]["title"]["text"] for f in figures(at)[:2]] == [
            "Where it looks in the digit",
            f"Channel 0 of layer {layer + 1}",
        ]
        assert "(rows 0–1," in text(at) and text(at) != before  # row 0 sees rows 0–1 (padding)
        at.slider(key=f"inside.window.ch.{layer}").set_value(5).run()
        assert not at.exception and "Channel 5 of layer" in str(titles(at))
    assert calls == []  # the outputs came from the page's run, not a new forward pass


def test_toggles_rerun_only_the_every_layer_fragment(monkeypatch) -> None:
    at = app(model=None)
    calls = _count_layer_outputs(monkeypatch)
    with fragment_scoped(fragment_id(at, "section")):
        at.toggle(key="inside.all").set_value(True).run()
    assert not at.exception and not at.title and calls == []
    assert len(figures(at)) == len(NOTEBOOK_CNN)  # every layer again, without the input digit
    assert "Showing the first" not in text(at)  # every channel shown
