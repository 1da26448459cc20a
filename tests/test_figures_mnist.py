"""Figures of the MNIST page on small known inputs: data in the traces, hover text, labels."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from core.data import one_hot
from core.figures import mnist as figs
from core.figures.mnist_digits import GAP, HEADER
from core.figures.style import ACCENT, GREYS

RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, size=(12, 28, 28), dtype=np.uint8)
LABELS = np.arange(12) % 10


def _decode_png(uri: str) -> np.ndarray:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri[len(prefix) :]))))


def test_digit_heatmap_z_is_the_image_and_hover_shows_value():
    fig = figs.digit_heatmap(IMAGES[0], "A digit")
    (trace,) = fig.data
    assert isinstance(trace, go.Heatmap)
    np.testing.assert_array_equal(trace.z, IMAGES[0])
    assert "%{z}" in trace.hovertemplate
    assert "row %{y}" in trace.hovertemplate and "column %{x}" in trace.hovertemplate
    assert (trace.zmin, trace.zmax) == (0, 255)
    assert [list(c) for c in trace.colorscale] == [list(c) for c in GREYS]
    assert fig.layout.title.text == "A digit"
    assert fig.layout.xaxis.title.text == "column" and fig.layout.yaxis.title.text == "row"
    assert fig.layout.yaxis.scaleanchor == "x"  # square pixels
    assert fig.layout.yaxis.autorange == "reversed"  # row 0 at the top, as in the array


def test_digit_heatmap_rejects_a_wrong_shape():
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        figs.digit_heatmap(np.zeros((28, 27)), "bad")


def test_tile_digits_places_each_image_in_its_tile():
    rgba = figs.tile_digits(IMAGES, columns=5)
    cell_h, cell_w = HEADER + 28 + GAP, 28 + GAP
    assert rgba.shape == (3 * cell_h, 5 * cell_w, 4) and rgba.dtype == np.uint8
    for k in (0, 4, 5, 11):
        top, left = (k // 5) * cell_h + HEADER, (k % 5) * cell_w
        tile = rgba[top : top + 28, left : left + 28]
        for channel in range(3):
            np.testing.assert_array_equal(tile[..., channel], IMAGES[k])
        assert (tile[..., 3] == 255).all()
    # Everything outside the 12 tiles is transparent: 12 * 784 opaque pixels in all.
    assert int((rgba[..., 3] == 255).sum()) == 12 * 28 * 28


def test_digit_grid_is_one_light_image_trace_with_a_label_per_digit():
    fig = figs.digit_grid(IMAGES, LABELS, columns=5, title="Samples")
    (trace,) = fig.data
    assert isinstance(trace, go.Image)
    np.testing.assert_array_equal(_decode_png(trace.source), figs.tile_digits(IMAGES, 5))
    assert "%{z[0]}" in trace.hovertemplate
    assert [a.text for a in fig.layout.annotations] == [f"<b>{d}</b>" for d in LABELS]
    assert fig.layout.title.text == "Samples"
    assert len(fig.to_json()) < 60_000  # a PNG, not 47,000 numbers


def test_digit_grid_height_fits_its_rows_unless_given():
    assert figs.digit_grid(IMAGES, LABELS, columns=5).layout.height == 40 + 60 * 3
    assert figs.digit_grid(IMAGES, LABELS, columns=12).layout.height == 40 + 60 * 1
    assert figs.digit_grid(IMAGES, LABELS, height=222).layout.height == 222


def test_captioned_grid_writes_each_caption_above_its_tile():
    captions = [f"#{k}" for k in range(len(IMAGES))]
    fig = figs.captioned_grid(IMAGES, captions, 5, None, 300, colour="#123456", font_size=9)
    cell_h, cell_w = HEADER + 28 + GAP, 28 + GAP
    notes = fig.layout.annotations
    assert [a.text for a in notes] == captions
    for k in (0, 4, 5, 11):  # centred over its tile, just above the digit
        assert (
            notes[k].x == (k % 5) * cell_w + 13.5 and notes[k].y == (k // 5) * cell_h + HEADER - 1
        )
    assert {(a.font.color, a.font.size, a.yanchor, a.showarrow) for a in notes} == {
        ("#123456", 9, "bottom", False)
    }
    assert fig.layout.title.text is None and fig.layout.height == 300
    assert fig.layout.yaxis.scaleanchor == "x"  # square pixels
    assert figs.captioned_grid(IMAGES, captions, 5, "T", 300).layout.annotations[0].font.color == (
        ACCENT
    )


def test_digit_grid_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="labels"):
        figs.digit_grid(IMAGES, LABELS[:3])
    with pytest.raises(ValueError, match="columns"):
        figs.digit_grid(IMAGES, LABELS, columns=0)


def test_label_counts_bar_shows_train_and_test_counts():
    train, test = np.arange(10) * 100 + 5, np.arange(10) + 1
    fig = figs.label_counts_bar(train, test)
    assert [t.type for t in fig.data] == ["bar", "bar"]
    np.testing.assert_array_equal(fig.data[0].y, train)
    np.testing.assert_array_equal(fig.data[1].y, test)
    np.testing.assert_allclose(fig.data[1].customdata, 100 * test / test.sum())
    assert all("%{y:,}" in t.hovertemplate for t in fig.data)
    assert fig.data[0].name.startswith("train") and fig.data[1].name.startswith("test")
    assert fig.layout.title.text and fig.layout.xaxis.title.text and fig.layout.yaxis.title.text


def test_label_counts_bar_rejects_wrong_length():
    with pytest.raises(ValueError, match=r"\(10,\)"):
        figs.label_counts_bar(np.ones(9), np.ones(10))


def test_one_hot_figure_rows_match_one_hot():
    labels = np.array([5, 0, 9, 5])
    fig = figs.one_hot_figure(labels)
    (trace,) = fig.data
    np.testing.assert_array_equal(trace.z, one_hot(labels))
    np.testing.assert_array_equal(np.asarray(trace.z)[0], [0, 0, 0, 0, 0, 1, 0, 0, 0, 0])
    assert list(trace.x) == [str(d) for d in range(10)]
    assert len(set(trace.y)) == 4 and trace.y[1] == "label 0 →"  # repeated 5s stay distinct
    assert trace.texttemplate == "%{z}" and "%{z}" in trace.hovertemplate
    assert fig.layout.title.text and fig.layout.xaxis.title.text


@pytest.mark.parametrize("bad", [np.array([10]), np.array([-1]), np.array([1.0]), np.ones((2, 2))])
def test_one_hot_figure_rejects_non_digits(bad):
    with pytest.raises(ValueError, match="digits 0..9"):
        figs.one_hot_figure(bad.astype(bad.dtype))


def test_pixel_value_counts_matches_bincount_in_chunks():
    counts = figs.pixel_value_counts(IMAGES, chunk=1000)
    np.testing.assert_array_equal(counts, np.bincount(IMAGES.ravel(), minlength=256))
    assert counts.sum() == IMAGES.size
    with pytest.raises(ValueError, match="uint8"):
        figs.pixel_value_counts(IMAGES.astype(np.float32))


@pytest.mark.parametrize("bin_width", [1, 4, 16])
def test_pixel_histograms_counts_sum_to_the_pixel_count(bin_width):
    counts = figs.pixel_value_counts(IMAGES)
    mean, std = float(IMAGES.mean()), float(IMAGES.std())
    fig = figs.pixel_histograms(counts, mean, std, bin_width=bin_width)
    raw, scaled = fig.data
    assert len(raw.y) == 256 // bin_width
    for trace in (raw, scaled):
        assert int(np.sum(trace.y)) == IMAGES.size
        assert "%{y:,}" in trace.hovertemplate
    np.testing.assert_allclose(scaled.x, (np.asarray(raw.x) - mean) / std)
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.title.text == "pixel value"
    assert fig.layout.xaxis2.title.text == "normalised value"
    assert fig.layout.yaxis.title.text


def test_pixel_histograms_marks_mean_and_std():
    counts = np.bincount(IMAGES.ravel(), minlength=256)
    fig = figs.pixel_histograms(counts, 33.3184, 78.5675)
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "mean 33.32" in texts and "std 78.57" in texts
    assert [s.x0 for s in fig.layout.shapes] == [33.3184, 0.0]  # dashed lines: mean, then 0


def test_pixel_histograms_point_at_the_share_of_zeros():
    counts = np.zeros(256, np.int64)
    counts[[0, 200]] = [3, 1]
    texts = [a.text for a in figs.pixel_histograms(counts, 50.0, 80.0).layout.annotations]
    assert "75% of all pixels<br>are exactly 0" in texts
    counts[[0, 100]] = [0, 3]  # nothing in the first bar: no arrow pointing at it
    texts = [a.text for a in figs.pixel_histograms(counts, 150.0, 50.0).layout.annotations]
    assert not any("exactly 0" in t for t in texts)


@pytest.mark.parametrize(
    ("counts", "std", "bin_width", "match"),
    [(np.ones(255), 1.0, 1, "256"), (np.ones(256), 0.0, 1, "std"), (np.ones(256), 1.0, 3, "bin")],
)
def test_pixel_histograms_rejects_bad_input(counts, std, bin_width, match):
    with pytest.raises(ValueError, match=match):
        figs.pixel_histograms(counts, 0.0, std, bin_width=bin_width)
