"""What the Build page shows, as data: table rows, where a layer goes, widget ranges, files, VGG16's words."""

from __future__ import annotations

import json

import pytest

from core import build_view as view
from core.architecture import Architecture
from core.layers import CATALOGUE
from core.presets import NOTEBOOK_CNN, VGG16, WORKSHOP_CNN
from core.shapes import trace


def test_shape_rows_follow_the_trace_with_running_totals():
    t = trace(WORKSHOP_CNN)
    rows = view.shape_rows(t)
    assert rows[0] == ("in", "Input image", "(None, 28, 28, 1)", "", "0")
    assert len(rows) == len(WORKSHOP_CNN) + 1 and all(
        len(r) == len(view.SHAPE_COLUMNS) for r in rows
    )
    assert rows[1][2:] == ("(None, 28, 28, 1)", "no weights", "0")  # Normalization: fixed mean, std
    assert rows[-1][0] == str(len(WORKSHOP_CNN)) and rows[-1][-1] == f"{t.total_params:,}"


def test_shape_rows_name_the_broken_layer_and_skip_the_rest():
    t = trace(Architecture.from_url("conv(32,5)-maxpool(8)-conv(8,5)-flatten"))
    rows = view.shape_rows(t)
    assert rows[3][2].startswith("✗ breaks here:") and "does not fit a 3×3 input" in rows[3][2]
    assert rows[4][2:] == ("not reached", "", "")
    assert view.row_kinds(t, 0) == ["input", "selected", "", "error", "skipped"]


def test_row_kinds_mark_the_open_layer():
    assert view.row_kinds(trace(Architecture.from_url("flatten-dense")), 1) == [
        "input",
        "",
        "selected",
    ]
    assert view.row_kinds(trace(Architecture()), None) == ["input"]


def test_trace_rows_are_compact():
    rows = view.trace_rows(trace(VGG16))
    assert len(rows) == len(VGG16) and rows[0] == (
        1,
        "Conv2D(64, 3×3, relu, same)",
        "224×224×64",
        "1,792",
    )
    assert rows[-1][2:] == ("1,000", "4,097,000")
    broken = view.trace_rows(trace(Architecture.from_url("maxpool(8)-maxpool(8)")))
    assert broken[1][2:] == ("—", "0")


@pytest.mark.parametrize(
    ("where", "selected", "expected"),
    [("end", None, (4, "at the end")), ("end", 1, (4, "at the end")), ("start", 2, (0, "at the start")),
     ("after", 1, (2, "after layer 2")), ("after", None, (4, "at the end"))],
)  # fmt: skip  # one case per row
def test_insert_position(where, selected, expected):
    assert view.insert_position(where, selected, 4) == expected


def test_number_bounds_and_shown_values_stay_in_the_widgets_range():
    units = next(p for p in CATALOGUE["Dense"].params if p.name == "units")
    rate = next(p for p in CATALOGUE["Dropout"].params if p.name == "rate")
    assert view.number_bounds(units) == (units.low, units.high, 1)
    low, high, step = view.number_bounds(rate)  # rate < 1: the widget stops just short of it
    assert high < rate.high and step == 0.05
    assert view.shown_value(units, 10**9) == units.high and view.shown_value(rate, 1.0) == high
    assert view.shown_value(units, None) is None


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0 bytes"), (999, "999 bytes"), (6_705_064, "6.7 MB"), (553_430_176, "553.4 MB"),
     (4 * 10**9, "4.0 GB")],
)  # fmt: skip  # cases side by side
def test_byte_size(n, text):
    assert view.byte_size(n) == text


def test_read_upload_opens_a_good_file():
    arch, error = view.read_upload("cnn.json", NOTEBOOK_CNN.to_json().encode())
    assert arch == NOTEBOOK_CNN and error is None


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"not json", "not valid JSON"), (json.dumps({"layers": [{"kind": "Lambda"}]}).encode(), "unknown layer kind"),
     (b" " * (view.MAX_UPLOAD_BYTES + 1), "too large")],
)  # fmt: skip  # one case per row
def test_read_upload_names_the_file_and_the_problem(content, words):
    arch, error = view.read_upload("bad.json", content)
    assert arch is None and "“bad.json”" in error and words in error
    assert len(error) < 400


def test_vgg_intro_says_how_many_times_larger():
    mine, vgg = trace(NOTEBOOK_CNN), trace(VGG16)
    assert "**138,357,544** parameters, 83 times yours." in view.vgg_intro(mine, vgg)
    assert view.vgg_intro(vgg, vgg).endswith("**138,357,544** parameters.")
    assert view.vgg_intro(trace(Architecture()), vgg).endswith("parameters.")
    assert (
        view.model_heading("VGG16", vgg)
        == "**VGG16**: 138,357,544 parameters, input (None, 224, 224, 3)"
    )
