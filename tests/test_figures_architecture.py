"""The to-scale tensor picture (layout and drawing) and the VGG16 comparison chart, on known traces."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest

from core import tensor_layout as layout
from core.architecture import Architecture
from core.figures import architecture, tensors
from core.figures.style import ACCENT, ACCENT_2, MUTED
from core.presets import DENSE_ONLY, NOTEBOOK_CNN, VGG16
from core.shapes import trace


def boxes(url_or_arch):
    arch = Architecture.from_url(url_or_arch) if isinstance(url_or_arch, str) else url_or_arch
    return layout.tensor_boxes(trace(arch))


def test_one_box_per_tensor_labelled_with_its_shape():
    got = boxes(NOTEBOOK_CNN)
    assert len(got) == len(NOTEBOOK_CNN) + 1
    assert [b.label for b in got] == [
        "28×28×1",
        "28×28×1",
        "30×30×1",
        "28×28×32",
        "30×30×32",
        "28×28×32",
        "14×14×32",
        "16×16×32",
        "14×14×64",
        "16×16×64",
        "14×14×64",
        "7×7×64",
        "3,136",
        "512",
        "10",
    ]
    assert got[0].status == "input" and {b.status for b in got[1:]} == {"ok"}


def test_height_and_depth_are_proportional_to_height_and_width():
    got = boxes("pad(2)-conv(8,3)-maxpool-avgpool(7)")  # 32, 30, 15, 2 pixels high
    images = [b for b in got if b.shape and len(b.shape) == 4]
    scale = images[0].height / images[0].shape[1]
    for b in images:
        assert b.height == pytest.approx(scale * b.shape[1])
        assert b.depth == pytest.approx(scale * b.shape[2])
    pooled, conv = got[3], got[2]
    assert pooled.height == pytest.approx(conv.height / 2)


def test_non_square_inputs_keep_their_aspect():
    b = layout.tensor_boxes(trace(Architecture(input_shape=(20, 40, 3))))[0]
    assert (b.height, b.depth) == (20, 40)


def test_thickness_grows_with_channels_by_the_square_root():
    got = boxes("conv(4)-conv(16)-conv(64)")
    t4, t16, t64 = (b.thickness for b in got[1:])
    assert t16 / t4 == pytest.approx(2) and t64 / t16 == pytest.approx(2)
    assert t64 > t16 > t4


def test_flat_vectors_are_thin_bars_sqrt_n_tall():
    got = boxes("flatten-dense(100)-dense(9)")
    for b, n in zip(got[1:], (784, 100, 9), strict=True):
        assert b.depth == 0 and b.thickness == layout.BAR
        assert b.height == pytest.approx(math.sqrt(n))
    assert got[1].height == pytest.approx(got[0].height)  # 784 numbers: as high as the 28×28 image


def test_boxes_do_not_overlap_and_run_left_to_right():
    got = boxes(VGG16)
    for left, right in zip(got, got[1:], strict=False):
        assert left.x + left.extent < right.x
    assert all(b.slot >= b.extent for b in got)


def test_broken_and_unreached_layers():
    got = boxes("conv(32,5)-maxpool(8)-conv(8,5)-flatten")
    assert [b.status for b in got] == ["input", "ok", "ok", "error", "skipped"]
    assert [b.label for b in got[3:]] == ["error", "not reached"]
    assert "does not fit a 3×3 input" in got[3].hover


def test_figure_colours_labels_and_hover():
    f = tensors.tensor_figure(
        trace(Architecture.from_url("conv(32,5)-maxpool(8)-conv(8,5)-flatten")), selected=0
    )
    assert isinstance(f, go.Figure)
    fills = {t.fillcolor for t in f.data if t.fill == "toself"}
    assert {ACCENT, ACCENT_2, MUTED} <= fills
    text = next(t for t in f.data if t.mode == "text" and "24×24×32" in t.text)
    assert list(text.text) == ["28×28×1", "24×24×32", "3×3×32", "error", "not reached"]
    hover = next(t for t in f.data if t.hovertext is not None and t.mode == "markers")
    assert (
        "output (None, 24, 24, 32)" in hover.hovertext[1] and "832 parameters" in hover.hovertext[1]
    )
    assert f.layout.yaxis.scaleanchor == "x"  # one scale for both axes: proportions survive
    widths = {t.line.width for t in f.data if t.fill == "toself"}
    assert max(widths) > 1  # the selected layer is outlined


def test_dense_only_stays_image_shaped():
    got = boxes(DENSE_ONLY)
    assert [b.label for b in got] == ["28×28×1", "28×28×10", "28×28×5", "28×28×2"]
    assert len({b.height for b in got}) == 1


def test_empty_architecture_draws_the_input():
    f = tensors.tensor_figure(trace(Architecture()))
    assert len(layout.tensor_boxes(trace(Architecture()))) == 1 and f.data


def test_comparison_figure_has_both_models():
    f = architecture.comparison_figure(trace(NOTEBOOK_CNN), trace(VGG16))
    names = {t.name for t in f.data}
    assert names == {"Your model", "VGG16"}
    bars = [t for t in f.data if t.type == "bar"]
    vgg = next(b for b in bars if b.name == "VGG16")
    assert sum(vgg.y) == 138_357_544
    mine = next(b for b in bars if b.name == "Your model")
    assert sum(mine.y) == 1_676_266


def test_the_old_import_path_still_gives_the_tensor_picture():
    assert architecture.tensor_figure is tensors.tensor_figure
    assert architecture.tensor_boxes is layout.tensor_boxes
