"""The words beside the Lesson's figures, and its own figures (the normalisation slip, presentation size)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import plotly.graph_objects as go
import pytest

from core import lesson_notes as notes
from core.architecture import Architecture
from core.figures.lesson import PRESENT_FONT, enlarge, slip_figure
from core.figures.style import FONT
from core.presets import DENSE_ONLY, NOTEBOOK_CNN
from core.shapes import trace


def test_first_output_finds_the_kind_from_a_position():
    outs = [SimpleNamespace(kind=k, index=i) for i, k in enumerate(["Conv2D", "ReLU", "Conv2D"])]
    assert notes.first_output(outs, "Conv2D").index == 0
    assert notes.first_output(outs, "Conv2D", start=1).index == 2
    with pytest.raises(StopIteration):
        notes.first_output(outs, "Dense")


def test_shape_journey_skips_layers_that_break():
    assert notes.shape_journey(trace(DENSE_ONLY)).endswith("`(28, 28, 5)` → `(28, 28, 2)`")
    broken = trace(Architecture.from_url("flatten-maxpool"))
    assert notes.shape_journey(broken) == "**The shapes:** `(28, 28, 1)` → `(784,)`"


def test_normalise_table_and_caption():
    table = notes.normalise_table(33.32, 78.57)
    assert "| **this app** | std **78.6** | -0.42 | 2.82 |" in table
    assert "| notebook | mean **33.3** | -1.00 | 6.65 |" in table
    assert "2.4× wider" in notes.normalise_caption(33.32, 78.57)


def test_relu_and_softmax_notes_count_from_the_arrays():
    assert "25% of this layer's 8 values" in notes.relu_caption(
        np.array([-1, 1, 2, 3, -1, 4, 5, 6])
    )
    text = notes.softmax_note(np.array([0.05] * 9 + [0.55]))
    assert "says **9**, with probability **55.0%**" in text and "add up to 1.000" in text


def test_numbers_per_picture_and_flatten_follow_the_users_architecture():
    t = trace(Architecture.from_url("norm-conv(8,5)-maxpool-flatten-dense(10,softmax)"))
    assert notes.numbers_per_picture(t) == "**Numbers per picture:** conv 4,608 → pool 1,152"
    assert (
        notes.flatten_note(t)
        == "In your architecture, Flatten turns (12, 12, 8) into 1,152 numbers."
    )
    assert notes.numbers_per_picture(trace(DENSE_ONLY)) is None
    assert notes.flatten_note(trace(DENSE_ONLY)) is None
    assert notes.flatten_note(trace(Architecture.from_url("flatten"))).endswith("into 784 numbers.")
    caption = notes.shapes_caption(trace(NOTEBOOK_CNN))
    assert caption.startswith(
        f"Your architecture ({len(NOTEBOOK_CNN)} layers, from Build or the link)"
    )


def test_flatten_sum_and_data_summary():
    assert notes.flatten_sum((7, 7, 64)).startswith("**64 · 7 · 7 = 3,136**")
    lines = notes.data_summary((60000, 28, 28), "uint8", (60000,), "uint8").splitlines()
    assert lines[-1] == "with a channel axis: (60000, 28, 28, 1)"


def test_training_caption_names_whose_accuracy():
    assert notes.training_caption("97.50% test accuracy", None).startswith("Your model: 97.50%")
    assert "augmented digits): 99.12% on" in notes.training_caption(None, 0.9912)


def test_slip_figure_shows_both_ranges():
    counts = np.zeros(256)
    counts[0], counts[255] = 1000, 10
    fig = slip_figure(counts, mean=33.32, std=78.57)
    ranges = [a.text for a in fig.layout.annotations if a.text.startswith("<b>from")]
    assert ranges == ["<b>from -0.42 to 2.82</b>", "<b>from -1.00 to 6.65</b>"]
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 2 and all(sum(b.y) == 1010 for b in bars)
    assert bars[0].x[0] == pytest.approx((1.5 - 33.32) / 78.57)  # bin centres, ÷ std


def test_enlarge_grows_fonts_and_height_unless_fixed():
    fig = enlarge(go.Figure(layout=dict(height=200)).add_annotation(text="a", font_size=10))
    assert fig.layout.font.size == FONT["size"] + PRESENT_FONT and fig.layout.height == 250
    assert fig.layout.annotations[0].font.size == 14
    assert enlarge(go.Figure(layout=dict(height=200)), fixed=True).layout.height == 200
