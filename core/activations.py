"""Filters and feature maps of a model for one input, as NumPy arrays keyed by the spec's index."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import keras
import numpy as np

from core.architecture import Architecture, LayerSpec
from core.maths import activate
from core.receptive import receptive_fields, unclipped_box
from core.windows import out_and_pad, window_of

__all__ = [
    "ConvPixel",
    "Inspector",
    "LayerOutput",
    "PoolPixel",
    "TopPatches",
    "conv_kernels",
    "explain_conv_pixel",
    "explain_pool_pixel",
    "layer_input",
    "layer_weights",
    "model_input",
    "top_patches",
]

_WITH_ACTIVATION = ("Conv2D", "Dense")


@dataclass(frozen=True, eq=False)
class LayerOutput:
    """One layer's output for one image.

    Attributes:
        index: the layer's position in the Architecture (and in ``model.layers``).
        kind: the layer's kind, e.g. ``"Conv2D"``.
        spec: the LayerSpec it was built from.
        array: the output without the batch axis, e.g. (28, 28, 32) float32.
        pre_activation: for Conv2D and Dense layers with a non-linear activation, the values
            before the activation (same shape as ``array``); otherwise None.
    """

    index: int
    kind: str
    spec: LayerSpec
    array: np.ndarray
    pre_activation: np.ndarray | None = None


class _PreActivation(keras.layers.Layer):
    """Recomputes a Conv2D's or Dense's weighted sum plus bias, before its activation."""

    def __init__(self, target: keras.layers.Layer, **kwargs) -> None:
        super().__init__(**kwargs)
        self.target = target

    def call(self, x):
        t = self.target
        if isinstance(t, keras.layers.Conv2D):
            y = t.convolution_op(x, t.kernel)
        else:
            y = keras.ops.matmul(x, t.kernel)
        return keras.ops.add(y, t.bias) if t.use_bias else y


# Per model, never per user: a multi-output model shares the weights of the model it reads, so
# it is as private or as shared as that model. Weak keys let a dropped model (and this) go.
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _check(model: keras.Model, arch: Architecture) -> None:
    kinds = [type(layer).__name__ for layer in model.layers]
    if kinds != [spec.kind for spec in arch.layers]:
        raise ValueError(
            f"the model's layers {kinds} do not match the architecture's "
            f"{[spec.kind for spec in arch.layers]}"
        )


def _graph(model: keras.Model, arch: Architecture) -> tuple[keras.KerasTensor, list, list[int]]:
    """One fresh symbolic pass through the model's layers: (input, outputs + pre-activations, pre_of).

    The layers are called again on a new ``keras.Input`` rather than read through
    ``layer.output``: a Sequential loaded from a file has been rebuilt once per added layer, so
    layer i's first node belongs to an i-layer graph and a model on those outputs would run
    1 + 2 + ... + n layers per call (105 instead of 14 for the notebook's CNN).
    """
    if not model.inputs:
        raise ValueError("the model has no input yet; build it with keras.Input(...) first")
    x = inputs = keras.Input(shape=tuple(model.inputs[0].shape[1:]), dtype=model.inputs[0].dtype)
    outputs, pre, pre_of = [], [], []
    for i, (layer, spec) in enumerate(zip(model.layers, arch.layers, strict=True)):
        if spec.kind in _WITH_ACTIVATION and spec.params["activation"] != "linear":
            pre.append(_PreActivation(layer)(x))
            pre_of.append(i)
        x = layer(x)
        outputs.append(x)
    return inputs, outputs + pre, pre_of


def _cached(model: keras.Model, arch: Architecture) -> dict:
    """The per-model cache entry: the symbolic graph and the models made from it."""
    _check(model, arch)
    with _LOCK:
        entry = _CACHE.get(model)
        if entry is None:
            inputs, tensors, pre_of = _graph(model, arch)
            entry = {"inputs": inputs, "tensors": tensors, "pre_of": pre_of, "partial": {}}
            entry["multi"] = keras.Model(inputs, tensors)
            _CACHE[model] = entry
        return entry


class Inspector:
    """Every layer's output for one image, from one forward pass of a multi-output model.

    Args:
        model: a Sequential whose ``layers[i]`` was built from ``arch.layers[i]``; it takes raw
            0..255 pixels shaped (N, 28, 28, 1).
        arch: the Architecture the model was built from.

    Raises:
        ValueError: if the model's layer kinds differ from the architecture's.

    Example:
        >>> outs = Inspector(model, arch).layer_outputs(mnist.x_test[0])  # doctest: +SKIP
        >>> [(o.kind, o.array.shape) for o in outs][:2]  # doctest: +SKIP
        [('Normalization', (28, 28, 1)), ('ZeroPadding2D', (30, 30, 1))]
    """

    def __init__(self, model: keras.Model, arch: Architecture) -> None:
        entry = _cached(model, arch)
        self.model, self.arch = model, arch
        self._multi, self._pre_of = entry["multi"], entry["pre_of"]

    def layer_outputs(self, image: np.ndarray) -> list[LayerOutput]:
        """Runs one forward pass (training=False) and returns each layer's output in order.

        Args:
            image: one (28, 28) image (or (28, 28, 1)), raw pixels 0..255, any real dtype.

        Returns:
            One LayerOutput per layer, ``result[i].index == i``.
        """
        x = model_input(image, self.arch)
        results = [np.asarray(r)[0] for r in self._multi(x, training=False)]
        n = len(self.arch.layers)
        pre = dict(zip(self._pre_of, results[n:], strict=True))
        return [
            LayerOutput(i, spec.kind, spec, results[i], pre.get(i))
            for i, spec in enumerate(self.arch.layers)
        ]


def model_input(image: np.ndarray, arch: Architecture) -> np.ndarray:
    """One image as a (1, H, W, C) float32 batch; ValueError naming the shape received."""
    x = np.asarray(image)
    if not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise ValueError(f"the image must hold real numbers; received dtype {x.dtype}")
    shape = tuple(arch.input_shape)
    if x.shape == shape[:2] and shape[2:] == (1,):
        x = x[..., np.newaxis]
    if x.shape != shape:
        raise ValueError(f"the image must have shape {shape[:2]} or {shape}; received {x.shape}")
    return x.astype(np.float32)[np.newaxis]


def layer_input(outputs: list[LayerOutput], index: int, image: np.ndarray) -> np.ndarray:
    """What layer ``index`` received: the previous layer's output, or the image for layer 0."""
    if index == 0:
        x = np.asarray(image, dtype=np.float32)
        return x[..., np.newaxis] if x.ndim == 2 else x
    return outputs[index - 1].array


def layer_weights(model: keras.Model, index: int) -> tuple[np.ndarray, np.ndarray]:
    """(kernel, bias) of a Conv2D or Dense layer as NumPy arrays (bias zeros when unused)."""
    layer = model.layers[index]
    kernel = np.asarray(layer.kernel)
    bias = np.asarray(layer.bias) if layer.use_bias else np.zeros(kernel.shape[-1], np.float32)
    return kernel, bias


def conv_kernels(model: keras.Model, arch: Architecture) -> dict[int, np.ndarray]:
    """Every Conv2D's kernel, keyed by layer index: arrays (k, k, in_channels, filters)."""
    _check(model, arch)
    return {
        i: np.asarray(model.layers[i].kernel)
        for i, spec in enumerate(arch.layers)
        if spec.kind == "Conv2D"
    }


def _window(x: np.ndarray, top: int, left: int, k: int, fill: float) -> np.ndarray:
    """x[top:top+k, left:left+k] (all channels), with ``fill`` where it leaves x."""
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
    x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, spec: LayerSpec,
    row: int, col: int, filter: int,
) -> ConvPixel:  # fmt: skip
    """The multiply-and-sum that produced a Conv2D's output at (row, col, filter).

    Args:
        x: the layer's input (H, W, in_channels), e.g. ``layer_input(outputs, i, image)``.
        kernel: (k, k, in_channels, filters); bias: (filters,) — see ``layer_weights``.
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
    patch = _window(x, top, left, k, 0.0)
    every = np.tensordot(patch, kernel.astype(np.float64), axes=3) + bias  # all filters' sums
    weights = kernel[..., filter].astype(np.float64)
    products = patch * weights
    pre = float(every[filter])
    out = float(activate(p["activation"], every)[filter])
    return ConvPixel(
        row, col, filter, top, left, patch, weights, products, float(products.sum()),
        float(bias[filter]), pre, p["activation"], out,
    )  # fmt: skip


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
    window = _window(x[..., channel], top, left, k, np.nan)
    best = np.nanmax(window)
    r, c = np.unravel_index(np.nanargmax(window), window.shape)
    out = best if spec.kind == "MaxPooling2D" else np.nanmean(window)
    ties = int(np.sum(window == best))
    return PoolPixel(
        row, col, channel, spec.kind, top, left, window, (int(r), int(c)), ties, float(out)
    )


@dataclass(frozen=True, eq=False)
class TopPatches:
    """The input patches that excite one filter most, one per image, strongest first.

    Attributes:
        values: (n,) the filter's largest output in each chosen image.
        image_indices: (n,) positions in the ``images`` passed in.
        positions: (n, 2) the output pixel (row, col) where that maximum sits.
        boxes: (n, 4) unclipped receptive-field boxes (top, left, bottom, right) in the image.
        patches: (n, size, size) float32 crops of the images; NaN where the field leaves the image.
        searched: how many images were searched.
    """

    values: np.ndarray
    image_indices: np.ndarray
    positions: np.ndarray
    boxes: np.ndarray
    patches: np.ndarray
    searched: int


def _partial(model: keras.Model, arch: Architecture, index: int) -> keras.Model:
    """A model of the layers up to ``index`` only, on the cached graph."""
    entry = _cached(model, arch)
    with _LOCK:
        if index not in entry["partial"]:
            entry["partial"][index] = keras.Model(entry["inputs"], entry["tensors"][index])
        return entry["partial"][index]


def top_patches(
    model: keras.Model, arch: Architecture, layer_index: int, filter: int,
    images: np.ndarray, k: int = 9, batch_size: int = 250,
) -> TopPatches:  # fmt: skip
    """The k input patches (receptive-field crops) of ``images`` that excite a filter most.

    Runs the model up to ``layer_index`` only, in batches, and keeps each image's strongest
    position; then takes the k strongest images.

    Args:
        model, arch: as for Inspector.
        layer_index: a layer whose output still has rows and columns (e.g. a Conv2D).
        filter: the channel of that output.
        images: (N, 28, 28) raw pixels.
        k: how many patches.
        batch_size: images per forward pass.

    Raises:
        ValueError: for a layer without rows and columns, or a filter out of range.
    """
    field = receptive_fields(arch)[layer_index]
    if field is None or not field.spatial:
        raise ValueError(
            f"layer {layer_index} ({arch.layers[layer_index].kind}) has no rows and columns"
        )
    channels = _cached(model, arch)["tensors"][layer_index].shape[-1]
    if not 0 <= filter < channels:
        raise ValueError(f"filter {filter} does not exist; this layer has 0..{channels - 1}")
    sub, images = _partial(model, arch, layer_index), np.asarray(images)
    best, where = [], []
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size].astype(np.float32)[..., np.newaxis]
        maps = np.asarray(sub(x, training=False))[..., filter].reshape(len(x), -1)
        best.append(maps.max(axis=1))
        where.append(maps.argmax(axis=1))
    best, where = np.concatenate(best), np.concatenate(where)
    order = np.argsort(-best, kind="stable")[:k]
    rows, cols = np.unravel_index(where[order], field.out_hw)
    boxes = np.array([unclipped_box(field, r, c) for r, c in zip(rows, cols, strict=True)])
    crops = [
        _window(images[j].astype(np.float32), t, left, field.size, np.nan)
        for j, (t, left, _, _) in zip(order, boxes, strict=True)
    ]
    patches = np.array(crops, np.float32).reshape(len(order), field.size, field.size)
    return TopPatches(best[order], order, np.stack([rows, cols], 1), boxes, patches, len(images))
