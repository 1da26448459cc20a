"""core.figures.room: the board's charts, read field by field from the JSON Streamlit sends."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio
import pytest

from core import room_board as rb
from core.figures import room as figs
from core.figures.style import ACCENT, MUTED, OK

ROWS = (
    rb.Row(1, 11, "Ana", 56_714, 0.983, 0.9, 14.0, "x", 1.0),
    rb.Row(2, 12, "<b>Bo</b>", 20_000, 0.975, None, 9.0, "x", 2.0),
)


def as_json(fig) -> dict:
    """The figure as Streamlit sends it (plain JSON, whether or not orjson is installed)."""
    return json.loads(pio.to_json(fig, validate=False))


def test_scatter_has_one_point_per_run_on_a_log_axis_and_the_references():
    spec = as_json(figs.scatter_figure(ROWS, rb.references()))
    runs, *refs = spec["data"]
    assert runs["x"] == [56_714, 20_000]
    assert runs["y"] == pytest.approx([98.3, 97.5])
    assert runs["marker"]["color"] == ACCENT
    assert [c[0] for c in runs["customdata"]] == ["Ana", "&lt;b&gt;Bo&lt;/b&gt;"]  # inert in hover
    assert "%{customdata[0]}" in runs["hovertemplate"] and "parameters" in runs["hovertemplate"]
    assert spec["layout"]["xaxis"]["type"] == "log"
    names = [r["name"] for r in refs]
    assert names == ["Notebook CNN", "Pretrained", "Workshop CNN"]
    notebook = refs[0]
    assert (notebook["x"], notebook["y"]) == ([1_676_266], [pytest.approx(98.66)])
    assert all(r["marker"]["color"] == MUTED for r in refs)


def test_a_few_runs_are_named_on_the_scatter_a_crowd_only_on_hover():
    few = as_json(figs.scatter_figure(ROWS))["data"][0]
    assert few["mode"] == "markers+text" and few["text"] == ["Ana", "&lt;b&gt;Bo&lt;/b&gt;"]
    crowd = [rb.Row(i, i, f"n{i}", 1_000 + i, 0.9, None, 1.0, "", 0.0) for i in range(1, 31)]
    many = as_json(figs.scatter_figure(crowd))["data"][0]
    assert many["mode"] == "markers" and "text" not in many


def test_the_log_axis_holds_every_point_and_reference():
    spec = as_json(figs.scatter_figure(ROWS, rb.references()))
    low, high = spec["layout"]["xaxis"]["range"]
    assert low < np.log10(20_000) and high > np.log10(1_676_266)


def test_scatter_without_runs_still_shows_the_references():
    spec = as_json(figs.scatter_figure((), rb.references()))
    assert spec["data"][0]["x"] == [] and len(spec["data"]) == 4


def test_presentation_scatter_is_larger():
    small = as_json(figs.scatter_figure(ROWS, (), height=420))
    big = as_json(figs.scatter_figure(ROWS, (), height=560, big=True))
    assert big["data"][0]["marker"]["size"] > small["data"][0]["marker"]["size"]
    assert big["layout"]["font"]["size"] > small["layout"]["font"]["size"]
    assert big["layout"]["height"] == 560


def test_drawings_per_digit_are_bars_with_counts():
    counts = [3, 0, 1, 0, 0, 0, 0, 7, 0, 2]
    spec = as_json(figs.drawings_figure(counts))
    (bars,) = spec["data"]
    assert bars["type"] == "bar" and bars["x"] == list(range(10)) and bars["y"] == counts
    assert bars["text"][:3] == ["3", "", "1"]
    assert "13 in all" in spec["layout"]["title"]["text"]
    with pytest.raises(ValueError, match="10 values"):
        figs.drawings_figure([1, 2, 3])


def test_hardest_drawings_are_one_grey_image_with_a_caption_each():
    images = [np.full((28, 28), 255, np.uint8), np.zeros((28, 28), np.uint8)]
    spec = as_json(figs.hardest_figure(images, ["a 7 · 80% wrong", "a 1 · 50% wrong"]))
    (image,) = spec["data"]
    assert image["type"] == "image" and image["source"].startswith("data:image/png;base64,")
    assert [a["text"] for a in spec["layout"]["annotations"]] == [
        "a 7 · 80% wrong",
        "a 1 · 50% wrong",
    ]


def test_hardest_without_drawings_is_an_empty_grid():
    assert as_json(figs.hardest_figure([], []))["layout"].get("annotations", []) == []


def test_answers_histogram_escapes_answers_and_counts_them():
    counts = rb.answer_counts(["3136", "3136", "<script>alert(1)</script>", "784"])
    spec = as_json(figs.answers_figure("flatten-size", counts, right="3136"))
    (bars,) = spec["data"]
    assert bars["x"] == ["3136", "&lt;script&gt;alert(1)&lt;/script&gt;", "784"]
    assert bars["y"] == [2, 1, 1]
    assert bars["marker"]["color"] == [OK, MUTED, MUTED]  # the right answer stands out
    assert spec["layout"]["xaxis"]["type"] == "category"
    assert spec["layout"]["title"]["text"] == "flatten-size: 4 answers"
