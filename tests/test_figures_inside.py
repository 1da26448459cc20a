"""Look inside's figures (core/figures/inside*.py): traces, scales, hover, sizes, checked against NumPy."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from core.figures import inside as figs
from core.figures import inside_patches, inside_window
from core.figures.style import ACCENT, ACCENT_2, GREYS, MUTED

RDBU = go.Heatmap(colorscale="RdBu_r").colorscale  # the diverging scale as Plotly expands it
RNG = np.random.default_rng(0)


def test_shape_text():
    assert figs.shape_text((28, 28, 32)) == "28×28×32"
    assert figs.shape_text((3136,)) == "3,136"


def test_tile_lays_out_channels_row_by_row_with_nan_gaps():
    maps = RNG.normal(size=(3, 4, 5)).astype(np.float32)  # 3×4 maps, 5 channels
    z, custom = figs.tile(maps, columns=2)
    assert z.shape == (3 * 4 - 1, 2 * 5 - 1)  # 3 rows of 2 tiles, 1-pixel gaps
    np.testing.assert_array_equal(z[0:3, 0:4], maps[..., 0])
    np.testing.assert_array_equal(z[0:3, 5:9], maps[..., 1])
    np.testing.assert_array_equal(z[8:11, 0:4], maps[..., 4])
    assert np.isnan(z[3]).all() and np.isnan(z[:, 4]).all() and np.isnan(z[8:, 5:]).all()
    assert custom.dtype == np.uint8 and tuple(custom[9, 6]) == (255, 255, 255)  # a gap
    assert tuple(custom[10, 1]) == (4, 2, 1)  # channel 4, row 2, column 1
    _, wide = figs.tile(np.zeros((2, 2, 300)), columns=16)
    assert wide.dtype == np.uint16  # channel numbers above 254 need more than a byte


def test_feature_maps_tiles_scale_and_hover():
    maps = RNG.normal(size=(6, 6, 40)).astype(np.float32)
    maps[..., 39] = 9.0  # beyond the 32 shown: still sets the colour range
    fig = figs.feature_maps(maps, "Conv2D → 6×6×40", px=4)
    (heat,) = fig.data
    z, _ = figs.tile(maps[..., :32], 8)
    np.testing.assert_array_equal(heat.z, z)
    assert (heat.zmin, heat.zmax) == (-9.0, 9.0) and heat.colorscale == RDBU
    assert heat.hoverongaps is False and heat.hovertemplate.startswith("channel %{customdata[0]}")
    assert fig.layout.title.text == "Conv2D → 6×6×40"
    assert (fig.layout.width, fig.layout.height) == (z.shape[1] * 4 + 90, z.shape[0] * 4 + 50)
    assert fig.layout.xaxis.visible is False
    assert tuple(fig.layout.yaxis.range) == (z.shape[0] - 0.5, -0.5)  # row 0 at the top
    every = figs.feature_maps(maps, "all", max_tiles=None, zrange=(-1, 1))
    assert every.data[0].z.shape == figs.tile(maps, 8)[0].shape
    assert (every.data[0].zmin, every.data[0].zmax) == (-1, 1)
    with pytest.raises(ValueError, match=r"received \(6, 6\)"):
        figs.feature_maps(maps[..., 0], "flat")


def test_feature_maps_outline_the_image_inside_the_padding():
    fig = figs.feature_maps(np.zeros((10, 10, 3)), "ZeroPadding2D → 10×10×3", border=2)
    assert len(fig.layout.shapes) == 3
    second = fig.layout.shapes[1]  # tile 1 starts at column 11
    assert (second.x0, second.x1, second.y0, second.y1) == (12.5, 18.5, 1.5, 7.5)
    assert second.line.color == ACCENT


def test_kernels_show_one_input_channel_of_every_filter():
    kernel = RNG.normal(size=(3, 3, 2, 20)).astype(np.float32)
    fig = figs.kernels(kernel, 1, "Filters", columns=8)
    (heat,) = fig.data
    np.testing.assert_array_equal(heat.z, figs.tile(kernel[:, :, 1, :], 8)[0])
    bound = float(np.abs(kernel).max())  # over the whole kernel, both channels
    assert heat.zmin == pytest.approx(-bound) and heat.zmax == pytest.approx(bound)
    assert (
        "weight %{z:.3f}" in heat.hovertemplate and "filter %{customdata[0]}" in heat.hovertemplate
    )
    assert fig.layout.width <= 760 + 90 and fig.layout.height >= 100
    with pytest.raises(ValueError, match="channel in range"):
        figs.kernels(kernel, 2, "no such channel")


def test_vector_bars_for_probabilities_and_for_units():
    probs = np.array([0.05, 0.7, 0.25] + [0.0] * 7)
    fig = figs.vector_bars(probs, "Dense → 10", probabilities=True)
    (bar,) = fig.data
    np.testing.assert_array_equal(bar.y, probs)
    assert bar.marker.color[1] == ACCENT and set(bar.marker.color) - {ACCENT} == {MUTED}
    assert tuple(fig.layout.yaxis.range) == (0, 1) and fig.layout.yaxis.tickformat == ".0%"
    assert fig.layout.xaxis.title.text == "digit" and "%{y:.1%}" in bar.hovertemplate
    units = RNG.normal(size=64)
    (bar,) = figs.vector_bars(units, "Dense → 64").data
    np.testing.assert_array_equal(bar.marker.color, units)
    assert bar.marker.cmin == -bar.marker.cmax == pytest.approx(-np.abs(units).max())
    assert figs.vector_bars(units, "Dense → 64").layout.xaxis.title.text == "unit"


def test_flat_strip_wraps_and_names_where_each_number_came_from():
    block = RNG.normal(size=(3, 3, 5)).astype(np.float32)
    fig = figs.flat_strip(block.ravel(), "Flatten → 45", block.shape, per_row=20)
    (heat,) = fig.data
    assert heat.z.shape == (3, 20)
    np.testing.assert_array_equal(heat.z.ravel()[:45], block.ravel())
    assert np.isnan(heat.z.ravel()[45:]).all()
    custom = heat.customdata.reshape(60, -1)
    number = 29
    assert tuple(custom[number]) == (number, *np.unravel_index(number, block.shape))
    assert "value at (%{customdata[1]}, %{customdata[2]}, %{customdata[3]})" in heat.hovertemplate
    assert fig.layout.height == 120 and fig.layout.autosize is True


def test_digit_with_box():
    image = RNG.integers(0, 256, (28, 28)).astype(np.uint8)
    fig = figs.digit_with_box(image, (2, 3, 7, 9), "Where it looks", height=200)
    (heat,) = fig.data
    np.testing.assert_array_equal(heat.z, image)
    assert (heat.zmin, heat.zmax, heat.showscale) == (0, 255, False)
    assert heat.colorscale == go.Heatmap(colorscale=GREYS).colorscale
    (box,) = fig.layout.shapes
    assert (box.x0, box.x1, box.y0, box.y1) == (2.5, 9.5, 1.5, 7.5) and box.line.color == ACCENT_2
    assert fig.layout.height == 200 and not figs.digit_with_box(image, None, "Input").layout.shapes


def test_conv_window_writes_patch_weights_and_products():
    patch, weights = RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3))
    fig = inside_window.conv_window(patch, weights, patch * weights, patch_range=(-5, 5))
    assert [t.type for t in fig.data] == ["heatmap"] * 3
    for trace, values in zip(fig.data, (patch, weights, patch * weights), strict=True):
        np.testing.assert_array_equal(trace.z, values)
        assert trace.texttemplate == "%{z:.2f}" and trace.colorscale == RDBU
    assert (fig.data[0].zmin, fig.data[0].zmax) == (-5, 5)
    assert fig.data[1].zmax == pytest.approx(np.abs(weights).max())  # its own range by default
    assert [a.text for a in fig.layout.annotations] == [
        "input patch",
        "× filter weights",
        "= products",
    ]
    assert fig.layout.yaxis.autorange == "reversed"


def test_channel_sums_add_each_input_channel():
    products = RNG.normal(size=(3, 3, 6))
    fig = inside_window.channel_sums(products)
    (bar,) = fig.data
    np.testing.assert_allclose(bar.y, products.sum(axis=(0, 1)))
    assert fig.layout.xaxis.title.text == "input channel"
    assert fig.layout.title.text == "What each input channel adds"


def test_pool_window_outlines_the_maximum():
    window = np.array([[0.1, 0.9], [np.nan, 0.3]])
    fig = inside_window.pool_window(window, (0, 1))
    np.testing.assert_array_equal(fig.data[0].z, window)
    assert fig.data[0].zmax == pytest.approx(0.9) and fig.data[0].texttemplate == "%{z:.3f}"
    (box,) = fig.layout.shapes
    assert (box.x0, box.x1, box.y0, box.y1) == (0.5, 1.5, -0.5, 0.5)
    assert not inside_window.pool_window(window, None).layout.shapes  # average pooling


def test_patches_grid_keeps_nan_outside_the_digit_and_writes_values():
    patches = RNG.uniform(0, 255, (4, 5, 5)).astype(np.float32)
    patches[0, :2] = np.nan
    values = np.array([3.0, 2.5, 2.0, 1.0])
    fig = inside_patches.patches_grid(patches, values, "The 5×5 patches", columns=2)
    (heat,) = fig.data
    z, _ = figs.tile(np.moveaxis(patches, 0, -1), 2, gap=2)
    np.testing.assert_array_equal(heat.z, z)
    assert (heat.zmin, heat.zmax, heat.showscale) == (0, 255, False)
    assert [a.text for a in fig.layout.annotations] == ["3.00", "2.50", "2.00", "1.00"]
    assert len(fig.layout.shapes) == 4 and fig.layout.shapes[3].x0 == 7 - 0.5


def test_digits_with_boxes_clip_the_boxes_to_each_digit():
    images = RNG.integers(0, 256, (3, 28, 28))
    boxes = np.array([[-2, -2, 3, 3], [10, 12, 15, 17], [24, 24, 29, 29]])
    fig = inside_patches.digits_with_boxes(images, boxes, np.array([5.0, 4.0, 3.0]), "Top")
    np.testing.assert_array_equal(fig.data[0].z, figs.tile(np.moveaxis(images, 0, -1), 3, 4)[0])
    first, _, last = fig.layout.shapes
    assert (first.x0, first.y0, first.x1, first.y1) == (-0.5, -0.5, 3.5, 3.5)
    assert (last.x0, last.x1, last.y1) == (2 * 32 + 24 - 0.5, 2 * 32 + 27.5, 27.5)
    assert [a.text for a in fig.layout.annotations] == ["5.00", "4.00", "3.00"]
