"""How one output value of a Conv2D or a pooling layer was made, from the layer's input and weights.

>>> x = np.arange(16, dtype=np.float32).reshape(4, 4, 1)
>>> explain_pool_pixel(x, LayerSpec.make("MaxPooling2D"), 1, 0, 0).window.tolist()
[[8.0, 9.0], [12.0, 13.0]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.architecture import LayerSpec
from core.maths import activate
from core.windows import out_and_pad, window_of

__all__ = ["ConvPixel", "PoolPixel", "crop", "explain_conv_pixel", "explain_pool_pixel"]


def crop(x: np.ndarray, top: int, left: int, k: int, fill: float) -> np.ndarray:
    """x[top:top+k, left:left+k] (all channels), with ``fill`` where it leaves x.

    >>> crop(np.ones((2, 2)), -1, 0, 2, 0.0).tolist()
    [[0.0, 0.0], [1.0, 1.0]]
    """
    h, w = x.shape[:2]
    out = np.full((k, k, *x.shape[2:]), fill, dtype=np.float64)
    r0, c0, r1, c1 = max(top, 0), max(left, 0), min(top + k, h), min(left + k, w)
    if r0 < r1 and c0 < c1:
        out[r0 - top : r1 - top, c0 - left : c1 - left] = x[r0:r1, c0:c1]
    return out


def _check_pixel(
    x: np.ndarray, k: int, s: int, padding: str, row: int, col: int
) -> tuple[int, int]:
    (oh, top), (ow, left) = (out_and_pad(n, k, s, padding) for n in x.shape[:2])
    if not (0 <= row < oh and 0 <= col < ow):
        raise ValueError(f"pixel ({row}, {col}) is outside this {oh}×{ow} output")
    return row * s - top, col * s - left


@dataclass(frozen=True, eq=False)
class ConvPixel:
    """How a Conv2D computed one output value: patch × weights, summed, plus bias, activated.

    Attributes:
        top, left: where the patch starts in the layer's input (negative inside "same" padding).
        patch: (k, k, in_channels) input values under the window (0 where it leaves the input).
        weights: (k, k, in_channels) the filter's weights.
        products: patch * weights.
        total: products.sum().
        bias: the filter's bias.
        pre_activation: total + bias.
        activation: the activation's name.
        output: the value after the activation; equals the layer's output at (row, col, filter).
    """

    row: int
    col: int
    filter: int
    top: int
    left: int
    patch: np.ndarray
    weights: np.ndarray
    products: np.ndarray
    total: float
    bias: float
    pre_activation: float
    activation: str
    output: float


def explain_conv_pixel(
    x: np.ndarray,
    kernel: np.ndarray,
    bias: np.ndarray,
    spec: LayerSpec,
    row: int,
    col: int,
    filter: int,
) -> ConvPixel:
    """The multiply-and-sum that produced a Conv2D's output at (row, col, filter).

    Args:
        x: the layer's input (H, W, in_channels), e.g. ``core.activations.layer_input(outputs, i, image)``.
        kernel: (k, k, in_channels, filters); bias: (filters,) — see ``core.activations.layer_weights``.
        spec: the Conv2D's LayerSpec (stride, padding, activation).
        row, col, filter: the output value to explain.

    Raises:
        ValueError: if spec is not a Conv2D, or row/col/filter is outside the output.
    """
    if spec.kind != "Conv2D":
        raise ValueError(f"explain_conv_pixel needs a Conv2D; received {spec.kind}")
    p = spec.params
    k, filters = kernel.shape[0], kernel.shape[-1]
    if not 0 <= filter < filters:
        raise ValueError(f"filter {filter} does not exist; this layer has filters 0..{filters - 1}")
    top, left = _check_pixel(x, k, p["strides"], p["padding"], row, col)
    patch = crop(x, top, left, k, 0.0)
    every = np.tensordot(patch, kernel.astype(np.float64), axes=3) + bias  # all filters' sums
    weights = kernel[..., filter].astype(np.float64)
    products = patch * weights
    pre = float(every[filter])
    out = float(activate(p["activation"], every)[filter])
    return ConvPixel(
        row,
        col,
        filter,
        top,
        left,
        patch,
        weights,
        products,
        float(products.sum()),
        float(bias[filter]),
        pre,
        p["activation"],
        out,
    )


@dataclass(frozen=True, eq=False)
class PoolPixel:
    """How a pooling layer chose one output value.

    Attributes:
        window: (p, p) the values the window covered (NaN where it leaves the input).
        top, left: where the window starts in the layer's input.
        argmax: (row, col) inside the window of the largest value (the first one, row by row).
        ties: how many values in the window equal the largest (all 4 when they are all 0).
        output: the value the layer wrote (the max, or the mean for AveragePooling2D).
    """

    row: int
    col: int
    channel: int
    kind: str
    top: int
    left: int
    window: np.ndarray
    argmax: tuple[int, int]
    ties: int
    output: float


def explain_pool_pixel(
    x: np.ndarray, spec: LayerSpec, row: int, col: int, channel: int
) -> PoolPixel:
    """Which of a pooling window's values produced the output at (row, col, channel).

    Args:
        x: the pooling layer's input (H, W, channels).
        spec: the MaxPooling2D or AveragePooling2D LayerSpec.
        row, col, channel: the output value to explain.

    Raises:
        ValueError: if spec is not a pooling layer or the pixel/channel is outside the output.
    """
    if spec.kind not in ("MaxPooling2D", "AveragePooling2D"):
        raise ValueError(f"explain_pool_pixel needs a pooling layer; received {spec.kind}")
    if not 0 <= channel < x.shape[-1]:
        raise ValueError(f"channel {channel} does not exist; this layer has 0..{x.shape[-1] - 1}")
    k, stride, padding = window_of(spec.kind, spec.params)
    top, left = _check_pixel(x, k, stride, padding, row, col)
    window = crop(x[..., channel], top, left, k, np.nan)
    best = np.nanmax(window)
    r, c = np.unravel_index(np.nanargmax(window), window.shape)
    out = best if spec.kind == "MaxPooling2D" else np.nanmean(window)
    ties = int(np.sum(window == best))
    return PoolPixel(
        row, col, channel, spec.kind, top, left, window, (int(r), int(c)), ties, float(out)
    )
