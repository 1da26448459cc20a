"""Every layer's output of a model for one input, as NumPy arrays keyed by the spec's index.

The per-pixel explanations live in ``core/explain.py``, the strongest patches of a filter in
``core/top_patches.py``; both read the layer outputs and weights this module returns.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import keras
import numpy as np

from core.architecture import Architecture, LayerSpec

__all__ = [
    "Inspector",
    "LayerOutput",
    "conv_kernels",
    "conv_with",
    "guess",
    "layer_input",
    "layer_weights",
    "model_input",
    "partial_model",
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
        >>> from core.keras_model import build_model
        >>> arch = Architecture((LayerSpec.make("Conv2D", filters=2), LayerSpec.make("Flatten")))
        >>> outs = Inspector(build_model(arch, seed=0).model, arch).layer_outputs(np.zeros((28, 28)))
        >>> [(o.kind, o.array.shape, o.pre_activation is not None) for o in outs]
        [('Conv2D', (26, 26, 2), True), ('Flatten', (1352,), False)]
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


def partial_model(model: keras.Model, arch: Architecture, index: int) -> keras.Model:
    """A model of the layers up to ``index`` only, on the cached graph (built once per layer).

    Raises:
        ValueError: if the model's layer kinds differ from the architecture's.
    """
    entry = _cached(model, arch)
    with _LOCK:
        if index not in entry["partial"]:
            entry["partial"][index] = keras.Model(entry["inputs"], entry["tensors"][index])
        return entry["partial"][index]


def conv_with(model: keras.Model, index: int, x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """A Conv2D's output with another kernel (and today's bias), e.g. one saved during training.

    Args:
        model: the model; ``model.layers[index]`` is a Conv2D.
        index: the Conv2D's position.
        x: what that layer receives, (H, W, in_channels).
        kernel: (k, k, in_channels, filters), the layer's kernel shape.

    Returns:
        (H', W', filters) float32, after the layer's activation.
    """
    layer = model.layers[index]
    y = layer.convolution_op(
        keras.ops.convert_to_tensor(np.asarray(x, np.float32)[None]),
        keras.ops.convert_to_tensor(np.asarray(kernel, np.float32)),
    )
    if layer.use_bias:
        y = y + layer.bias
    return np.asarray(layer.activation(y))[0]


def guess(outputs: list[LayerOutput]) -> tuple[int, float] | None:
    """The predicted digit and its probability, when the last layer is a 10-way softmax.

    >>> spec = LayerSpec.make("Dense", units=10, activation="softmax")
    >>> guess([LayerOutput(0, "Dense", spec, np.eye(10)[3])])
    (3, 1.0)
    """
    if not outputs:
        return None
    last = outputs[-1]
    if last.array.shape != (10,) or last.spec.params.get("activation") != "softmax":
        return None
    return int(last.array.argmax()), float(last.array.max())
