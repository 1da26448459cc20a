"""core.figures.training and core.figures.training_results: the Train page's charts, field by field."""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.io as pio
import pytest

from core import evaluation as ev
from core.figures import training as figs
from core.figures import training_results as results
from core.figures.style import ACCENT, ACCENT_2

RNG = np.random.default_rng(0)
LABELS = RNG.integers(0, 10, 500)
PROBS = RNG.dirichlet(np.ones(10), 500)


def as_json(fig) -> dict:
    """The figure as Streamlit sends it (plain JSON, whether or not orjson is installed)."""
    return json.loads(pio.to_json(fig, validate=False))


# --- live curves ----------------------------------------------------------------------------------


def test_smoothing_keeps_a_constant_and_follows_a_step():
    assert figs.smooth([1.0, 1.0, 1.0]).tolist() == [1.0, 1.0, 1.0]
    raw = np.r_[np.ones(50), np.zeros(50)]
    smooth = figs.smooth(raw)
    assert smooth[0] == 1 and 0 < smooth[60] < 1 and smooth[-1] < 0.1
    assert np.all(np.diff(smooth[50:]) <= 0)
    assert figs.smooth([3.0, 1.0], weight=0.0).tolist() == [3.0, 1.0]  # no smoothing at all
    assert figs.smooth([]).size == 0


def test_curve_figure_has_two_panels_of_raw_smoothed_and_test_traces():
    fig = figs.curves_figure(
        [100, 200, 300],
        [2.0, 1.0, 0.5],
        [0.1, 0.5, 0.8],
        300,
        [1],
        [0.4],
        [0.9],
        epochs=2,
        revision="job1",
    )
    names = [t.name for t in fig.data]
    assert names.count("test set, after each epoch") == 2 and len(fig.data) == 6
    assert math.isclose(fig.data[0].x[-1], 1.0) and fig.layout.xaxis.range[1] == pytest.approx(2.04)
    spec = as_json(fig)
    axes = [(t["xaxis"], t["yaxis"]) for t in spec["data"]]
    assert axes == [("x", "y")] * 3 + [("x2", "y2")] * 3
    assert [t["showlegend"] for t in spec["data"]] == [True] * 3 + [False] * 3
    loss_test, acc_test = spec["data"][2], spec["data"][5]
    assert (loss_test["x"], loss_test["y"], acc_test["y"]) == ([1], [0.4], [0.9])
    assert spec["layout"]["uirevision"] == "job1"
    assert [a["text"] for a in spec["layout"]["annotations"]] == ["Loss", "Accuracy"]
    assert spec["layout"]["yaxis2"]["range"] == [0, 1.01]


def test_curve_figure_of_a_run_not_started_yet():
    fig = figs.curves_figure([], [], [], 2_000, epochs=3)
    assert len(fig.data) == 6 and fig.layout.xaxis.range[1] == pytest.approx(3.06)
    assert fig.layout.uirevision is None


def test_filter_mosaic_keeps_each_filter_and_centres_the_colours():
    kernel = np.random.default_rng(0).normal(size=(3, 3, 1, 16))
    z, number = figs.filters_mosaic(kernel)
    assert z.shape == (7, 31)
    assert np.array_equal(z[4:7, 0:3], kernel[:, :, 0, 8])
    assert np.isnan(z[3]).all() and np.isnan(z[:, 3]).all()  # gaps between the tiles
    fig = figs.filters_figure(kernel, "First convolution's filters")
    assert fig.data[0].zmid == 0 and fig.data[0].zmin == -fig.data[0].zmax
    assert int(np.nanmax(number)) == 16
    assert fig.layout.title.text == "First convolution's filters"


def test_filter_mosaic_averages_input_channels_and_refuses_other_shapes():
    kernel = np.stack([np.ones((3, 3, 4)), 3 * np.ones((3, 3, 4))], axis=2)  # (3, 3, 2, 4)
    z, _ = figs.filters_mosaic(kernel, columns=4)
    assert z.shape == (3, 15) and np.nanmax(z) == np.nanmin(z) == 2.0
    with pytest.raises(ValueError, match="received \\(3, 3\\)"):
        figs.filters_mosaic(np.ones((3, 3)))


def test_runs_figure_overlays_each_run_in_its_colour():
    runs = [
        dict(
            label=f"#{i}",
            n_train=100,
            examples=[50, 100],
            loss=[1.0, 0.5],
            test_epochs=[1],
            test_accuracy=[0.9 + i / 100],
        )
        for i in (1, 2)
    ]
    fig = figs.runs_figure(runs)
    assert len(fig.data) == 4
    assert [t.name for t in fig.data] == ["#1", "#1", "#2", "#2"]
    assert fig.data[0].line.color == fig.data[1].line.color != fig.data[2].line.color
    assert list(fig.data[0].x) == [0.5, 1.0]
    assert fig.layout.yaxis2.range[0] == pytest.approx(0.89)


# --- test results ---------------------------------------------------------------------------------


def test_confusion_figure_has_a_clickable_point_per_cell_and_outlines_the_choice():
    cm = ev.confusion_matrix(LABELS, PROBS.argmax(1))
    fig = results.confusion_figure(cm, selected=(3, 5))
    points = fig.data[-1]
    assert points.type == "scatter" and len(points.x) == 100
    k = 3 * 10 + 5
    assert (points.y[k], points.x[k], points.customdata[k][2]) == (3, 5, cm[3, 5])
    assert fig.layout.shapes[0].x0 == 4.5 and fig.layout.shapes[0].y0 == 2.5
    diagonal, mistakes = fig.data[0], fig.data[1]
    assert np.array_equal(np.diag(np.asarray(diagonal.z)), np.diag(cm))
    assert np.isnan(np.asarray(mistakes.z, dtype=float)[3, 3])
    assert mistakes.zmax == cm[~np.eye(10, dtype=bool)].max()
    assert not results.confusion_figure(cm).layout.shapes


def test_per_class_figure_marks_the_weakest_digit():
    acc = ev.per_class_accuracy(ev.confusion_matrix(LABELS, PROBS.argmax(1)))
    fig = results.per_class_figure(acc)
    assert list(fig.data[0].y) == list(acc)
    colours = list(fig.data[0].marker.color)
    assert colours.count(ACCENT_2) == 1 and colours.index(ACCENT_2) == int(np.argmin(acc))
    missing = results.per_class_figure(np.array([1.0, np.nan]))
    assert list(missing.data[0].text) == ["100.0%", "–"]


def test_cell_digits_and_probabilities_figures():
    images = RNG.integers(0, 256, (3, 28, 28)).astype(np.uint8)
    fig = results.cell_digits_figure(images, ["90%", "80%", "70%"], colour=ACCENT)
    assert [a.text for a in fig.layout.annotations] == ["90%", "80%", "70%"]
    assert {a.font.color for a in fig.layout.annotations} == {ACCENT}
    probs = results.probabilities_figure(PROBS[:3], ["a", "b", "c"])
    assert probs.data[0].z.shape == (3, 10) and list(probs.data[0].y) == ["a", "b", "c"]
    assert probs.data[0].text[0][int(PROBS[0].argmax())] == f"{100 * PROBS[0].max():.0f}"
    assert figs.probabilities_figure is results.probabilities_figure  # the Lesson page's import
