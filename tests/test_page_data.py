"""The "MNIST at a glance" page under Streamlit's AppTest: renders, reacts, fails politely.

Charts are read from the figure JSON the page sends (tests/charts.py), never from escaped text.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import data
from core.figures import mnist as figs
from tests.charts import array, chart_specs
from ui import data_widgets, resources

pytestmark = pytest.mark.page

ROOT = Path(__file__).resolve().parents[1]
INDEX_KEY = "data_digit_index"
TIMEOUT = 60  # the first run imports plotly and loads MNIST
CHARTS = ["data_grid", "data_digit", "data_counts", "data_onehot", "data_pixels"]


def _run(script: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _text(at: AppTest) -> str:
    parts = [c.value for c in at.code] + [m.value for m in at.markdown]
    return "\n".join(parts + [c.value for c in at.caption])


def _ink_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if "of its 784 pixels" in c.value)


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.fixture(scope="module")
def mnist() -> data.Mnist:
    return data.load_mnist()


@pytest.mark.parametrize("script", ["app.py", "pages/data.py"])
def test_page_renders_with_shapes(script):
    at = _run(script)
    assert at.title[0].value == "MNIST at a glance"
    text = _text(at)
    for shape in ("(60000, 28, 28)", "(10000, 28, 28)", "(28, 28, 1)", "(1, 28, 28)"):
        assert shape in text
    assert "33.32" in text and "78.57" in text
    assert not at.error
    assert list(chart_specs(at)) == CHARTS


def test_charts_show_the_data(mnist):
    charts = chart_specs(_run("pages/data.py"))
    grid = charts["data_grid"]
    assert [t["type"] for t in grid["data"]] == ["image"]
    # Four of each digit, one column per digit: the labels read 0..9 along every row.
    labels = [a["text"] for a in grid["layout"]["annotations"]]
    assert labels == [f"<b>{d}</b>" for _ in range(4) for d in range(10)]
    assert grid["layout"]["title"]["text"] == "4 training images of each digit (seed 0)"

    (digit,) = charts["data_digit"]["data"]
    np.testing.assert_array_equal(array(digit["z"]), mnist.x_test[0])
    assert charts["data_digit"]["layout"]["title"]["text"] == "Test image #0: a 7"

    train, test = charts["data_counts"]["data"]
    np.testing.assert_array_equal(array(train["y"]), mnist.label_counts("train"))
    np.testing.assert_array_equal(array(test["y"]), mnist.label_counts("test"))

    (onehot,) = charts["data_onehot"]["data"]
    np.testing.assert_array_equal(array(onehot["z"]), data.one_hot(mnist.y_train[:5]))

    raw, normalised = charts["data_pixels"]["data"]
    for trace in (raw, normalised):
        assert int(array(trace["y"]).sum()) == mnist.x_train.size  # every pixel counted once
    assert float(array(normalised["x"])[0]) == pytest.approx(
        (array(raw["x"])[0] - mnist.pixel_mean) / mnist.pixel_std
    )


def test_digit_index_is_bounded_and_updates_the_page(mnist):
    at = _run("app.py")
    box = at.number_input(key=INDEX_KEY)
    assert (box.min, box.max, box.value) == (0, len(mnist.y_test) - 1, 0)
    at.number_input(key=INDEX_KEY).set_value(123).run()
    assert not at.exception
    assert at.number_input(key=INDEX_KEY).value == 123
    assert _ink_caption(at).startswith(f"{np.count_nonzero(mnist.x_test[123])} of its")
    (digit,) = chart_specs(at)["data_digit"]["data"]
    np.testing.assert_array_equal(array(digit["z"]), mnist.x_test[123])
    # Out of range never reaches the page: Streamlit resets it to the default.
    at.number_input(key=INDEX_KEY).set_value(len(mnist.y_test)).run()
    assert not at.exception
    assert at.number_input(key=INDEX_KEY).value == 0


def test_random_pick_and_new_samples(mnist):
    at = _run("pages/data.py")
    _button(at, "Pick at random").click().run()
    assert not at.exception
    assert 0 <= at.number_input(key=INDEX_KEY).value < len(mnist.y_test)
    before = chart_specs(at)["data_grid"]
    _button(at, "New samples").click().run()
    assert not at.exception
    after = chart_specs(at)["data_grid"]
    assert after["layout"]["title"]["text"].endswith("(seed 1)")
    assert after["data"][0]["source"] != before["data"][0]["source"]  # other digits drawn


@pytest.mark.parametrize("content", [None, b"not a zip file"])
def test_missing_or_broken_data_shows_how_to_fix(tmp_path, monkeypatch, content):
    path = tmp_path / "mnist.npz"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setattr(data, "DATA_PATH", path)
    resources.mnist.clear()
    try:
        at = _run("pages/data.py")
    finally:
        monkeypatch.undo()
        resources.mnist.clear()
        resources.train_pixel_counts.clear()
    assert len(at.error) == 1
    assert "python scripts/build_mnist.py" in at.error[0].value
    assert not at.get("plotly_chart")


def test_figures_are_built_once_per_seed_and_image_for_every_session(monkeypatch):
    grids, heatmaps = [], []
    real_grid, real_heatmap = figs.digit_grid, figs.digit_heatmap
    monkeypatch.setattr(
        figs, "digit_grid", lambda *a, **k: grids.append(k["title"]) or real_grid(*a, **k)
    )
    monkeypatch.setattr(
        figs, "digit_heatmap", lambda *a, **k: heatmaps.append(a[1]) or real_heatmap(*a, **k)
    )
    data_widgets.grid_figure.clear()
    data_widgets.heatmap_figure.clear()
    at = _run("pages/data.py")
    at.run()
    assert grids == ["4 training images of each digit (seed 0)"]
    assert heatmaps == ["Test image #0: a 7"]
    _button(at, "New samples").click().run()
    at.number_input(key=INDEX_KEY).set_value(123).run()
    at.run()
    assert grids[1:] == ["4 training images of each digit (seed 1)"]
    assert heatmaps[1:] == ["Test image #123: a 6"]
    other = _run("pages/data.py")  # another session on seed 0 and image 0: nothing rebuilt
    assert len(grids) == 2 and len(heatmaps) == 2
    assert chart_specs(other)["data_grid"]["layout"]["title"]["text"].endswith("(seed 0)")
