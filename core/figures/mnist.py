"""Figures of the MNIST page in one import: digits, label counts, one-hot targets, pixel values.

Each job has its own module (``mnist_digits``, ``mnist_labels``, ``mnist_pixels``).
"""

from __future__ import annotations

from core.figures.mnist_digits import captioned_grid, digit_grid, digit_heatmap, tile_digits
from core.figures.mnist_labels import label_counts_bar, one_hot_figure
from core.figures.mnist_pixels import pixel_histograms, pixel_value_counts

__all__ = [
    "captioned_grid",
    "digit_grid",
    "digit_heatmap",
    "label_counts_bar",
    "one_hot_figure",
    "pixel_histograms",
    "pixel_value_counts",
    "tile_digits",
]
