"""Draw's figures (core/figures/draw.py): step tiles, the diverging colours, the bars, the occlusion map."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from core.figures import draw as figs
from core.figures.style import ACCENT, ACCENT_2
from core.pixels import resize_area

RDBU = go.Heatmap(colorscale="RdBu_r").colorscale
RNG = np.random.default_rng(0)


def test_a_28x28_image_is_upscaled_by_whole_pixels():
    image = RNG.integers(0, 256, (28, 28)).astype(np.uint8)
    tile = figs.tile(image)
    assert tile.shape == (figs.TILE, figs.TILE, 3) and tile.dtype == np.uint8
    crisp = np.kron(image, np.ones((4, 4), np.uint8))  # 112 = 4 × 28: every pixel a 4×4 block
    for channel in range(3):
        np.testing.assert_array_equal(tile[..., channel], crisp)


def test_a_non_square_image_is_centred_on_the_frame():
    tile = figs.tile(np.full((20, 10), 255, np.uint8))  # 5× -> 100×50 inside 112×112
    assert (tile[6:106, 31:81] == 255).all()
    assert (tile[:6] == figs.FRAME).all() and (tile[:, :31] == figs.FRAME).all()
    assert (tile[:, 81:] == figs.FRAME).all()


def test_rgba_is_composited_over_black_and_large_images_shrink_by_area():
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., :3], rgba[..., 3] = 200, [[255, 0], [128, 255]]
    tile = figs.tile(rgba, size=2)
    np.testing.assert_array_equal(tile[..., 0], [[200, 0], [100, 200]])
    big = RNG.integers(0, 256, (280, 280)).astype(np.uint8)
    expected = np.clip(np.rint(resize_area(big, 112, 112)), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(figs.tile(big)[..., 1], expected)


def test_diverging_rgb_is_white_at_zero_blue_below_red_above():
    rgb = figs.diverging_rgb(np.array([[-2.0, 0.0, 2.0]]))
    assert rgb.shape == (1, 3, 3) and rgb.dtype == np.uint8
    blue, white, red = (tuple(int(v) for v in c) for c in rgb[0])
    assert min(white) >= 240 and blue[2] > blue[0] and red[0] > red[2]
    assert blue == (5, 48, 97) and red == (103, 0, 31)  # the ends of RdBu_r
    softer = figs.diverging_rgb(np.array([[2.0]]), bound=4.0)[0, 0]  # half-way to red
    assert 103 < softer[0] <= 255 and softer[2] < softer[0]


def test_probability_figure_one_bar_group_per_model():
    mine = np.array([0.1, 0.6, 0.3] + [0.0] * 7)
    shipped = np.eye(10)[1]
    fig = figs.probability_figure({"Your model": mine, "Pretrained": shipped}, {"Your model": 2})
    assert [b.name for b in fig.data] == ["Your model", "Pretrained"]
    first, second = fig.data
    np.testing.assert_array_equal(first.y, mine)
    assert (first.marker.color, second.marker.color) == (ACCENT, ACCENT_2)
    assert first.marker.opacity[2] == 1.0 and first.marker.opacity[1] == 0.55  # the highlight
    assert second.marker.opacity[1] == 1.0  # without a highlight: its top digit
    assert first.text[:4] == ("10%", "60%", "30%", "")
    assert fig.layout.barmode == "group" and fig.layout.showlegend is True
    assert tuple(fig.layout.yaxis.range) == (0, 1.12) and fig.layout.yaxis.tickformat == ".0%"
    assert fig.layout.xaxis.title.text == "digit" and fig.layout.yaxis.title.text == "probability"
    assert fig.layout.xaxis.tickvals == tuple(range(10))
    alone = figs.probability_figure({"Pretrained": shipped})
    assert (
        alone.layout.showlegend is False
        and "<extra>Pretrained</extra>" in alone.data[0].hovertemplate
    )


@pytest.mark.parametrize(("peak", "ticks"), [(0.3, ".0%"), (0.02, ".1%"), (0.001, ".2%")])
def test_occlusion_figure(peak, ticks):
    drop = np.zeros((28, 28), np.float32)
    drop[10:14, 10:14], drop[20, 20] = peak, -peak / 2
    image = np.zeros((28, 28), np.uint8)
    image[5:23, 12:16] = 255
    fig = figs.occlusion_figure(drop, image, digit=7)
    heat, outline = fig.data
    np.testing.assert_array_equal(heat.z, drop)
    np.testing.assert_array_equal(heat.customdata, -drop)  # the change in P when hidden
    assert heat.zmin == pytest.approx(-peak) and heat.zmax == pytest.approx(peak)
    assert heat.colorscale == RDBU and heat.colorbar.tickformat == ticks
    assert heat.colorbar.title.text == "drop in P(7)" and "P(7)" in heat.hovertemplate
    assert outline.type == "contour" and outline.contours.start == outline.contours.end == 96
    np.testing.assert_array_equal(outline.z, image)
    assert fig.layout.yaxis.autorange == "reversed" and fig.layout.width == 280 + 90
