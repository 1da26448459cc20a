"""Architecture -> keras.Sequential (remembering its spec), and Architecture -> readable Keras source."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import keras
from keras import layers

from core.architecture import Architecture, ArchitectureError, LayerSpec
from core.layers import MNIST_MEAN, MNIST_STD
from core.shapes import trace


@dataclass(frozen=True, eq=False)
class BuiltModel:
    """A Keras model and the architecture it was built from; ``model.layers[i]`` is ``arch.layers[i]``."""

    arch: Architecture
    model: keras.Sequential


def layer_seed(seed: int, index: int) -> int:
    """The seed of layer ``index`` in a model built with ``seed``: stable across runs and processes."""
    return random.Random(f"layer-by-layer:{seed}:{index}").randrange(2**31)


def make_layer(spec: LayerSpec, index: int, seed: int | None = None) -> keras.layers.Layer:
    """Returns a new Keras layer for ``spec``, named ``f"{kind.lower()}_{index}"`` (for reading only).

    Args:
        spec: the layer.
        index: its position in the architecture (names it and derives its seed).
        seed: when given, the kernel initializer (and Dropout's noise) get their own seed derived from
            ``seed`` and ``index``, so equal seeds give equal weights without touching Keras's
            process-wide random state.
    """
    p, name = spec.params, f"{spec.kind.lower()}_{index}"
    s = None if seed is None else layer_seed(seed, index)
    init: dict[str, Any] = (
        {} if s is None else {"kernel_initializer": keras.initializers.GlorotUniform(seed=s)}
    )
    kind = spec.kind
    if kind == "Normalization":
        return layers.Normalization(mean=MNIST_MEAN, variance=MNIST_STD**2, name=name)
    if kind == "ZeroPadding2D":
        return layers.ZeroPadding2D(padding=p["padding"], name=name)
    if kind == "Conv2D":
        return layers.Conv2D(
            p["filters"],
            p["kernel_size"],
            strides=p["strides"],
            padding=p["padding"],
            activation=_activation(p["activation"]),
            name=name,
            **init,
        )
    if kind == "Activation":
        return layers.Activation(p["activation"], name=name)
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        return getattr(layers, kind)(
            p["pool_size"], strides=p["strides"], padding=p["padding"], name=name
        )
    if kind == "Flatten":
        return layers.Flatten(name=name)
    if kind == "Dense":
        return layers.Dense(p["units"], activation=_activation(p["activation"]), name=name, **init)
    if kind == "Dropout":
        return layers.Dropout(p["rate"], seed=s, name=name)
    if kind == "BatchNormalization":
        return layers.BatchNormalization(name=name)
    raise ArchitectureError(f"no Keras layer for kind {kind!r}")


def _activation(name: str) -> str | None:
    return None if name == "linear" else name


def build_model(arch: Architecture, seed: int | None = None) -> BuiltModel:
    """Builds (never compiles) ``keras.Sequential([keras.Input(shape=arch.input_shape), ...])``.

    Args:
        arch: the architecture; it must trace without error and have at most MAX_PARAMS parameters.
        seed: same seed, same initial weights (per-layer seeds; Keras's global seed is left alone).

    Returns:
        A BuiltModel whose ``model.layers[i]`` corresponds to ``arch.layers[i]``.

    Raises:
        ArchitectureError: no layers, a layer that does not fit (the trace's message), or too big.

    >>> from core.presets import WORKSHOP_CNN
    >>> build_model(WORKSHOP_CNN, seed=1).model.count_params()
    56714
    """
    if not arch.layers:
        raise ArchitectureError(
            "the architecture has no layers yet; add at least one layer to build a model"
        )
    t = trace(arch)
    if not t.ok:
        bad = t.layers[t.error_index]
        raise ArchitectureError(f"layer {bad.index + 1} ({bad.spec.kind}): {bad.error}")
    if t.too_big:
        raise ArchitectureError(t.too_big_reason)
    model = keras.Sequential(
        [keras.Input(shape=arch.input_shape)]
        + [make_layer(s, i, seed) for i, s in enumerate(arch.layers)],
        name="layer_by_layer",
    )
    return BuiltModel(arch, model)


# --- Python source ------------------------------------------------------------------------------


def _py(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _layer_source(spec: LayerSpec) -> str:
    """``layers.Conv2D(32, 3, activation="relu")``: required arguments, then only non-Keras-defaults."""
    p, kind = spec.params, spec.kind
    args: list[str] = []
    if kind == "Normalization":
        return (
            "# Centre and scale the pixels with MNIST's mean and standard deviation (pixels run 0..255).\n"
            f"        layers.Normalization(mean={MNIST_MEAN!r}, variance={MNIST_STD!r}**2),"
        )
    if kind == "Conv2D":
        args = [str(p["filters"]), str(p["kernel_size"])]
        keywords = {
            "strides": (p["strides"], 1),
            "padding": (p["padding"], "valid"),
            "activation": (p["activation"], "linear"),
        }
    elif kind == "Dense":
        args = [str(p["units"])]
        keywords = {"activation": (p["activation"], "linear")}
    elif kind in ("MaxPooling2D", "AveragePooling2D"):
        # Keras requires AveragePooling2D's pool_size; MaxPooling2D's defaults to 2.
        keywords = {
            "pool_size": (p["pool_size"], 2 if kind == "MaxPooling2D" else None),
            "strides": (p["strides"], None),
            "padding": (p["padding"], "valid"),
        }
    elif kind == "ZeroPadding2D":
        keywords = {"padding": (p["padding"], 1)}
    elif kind in ("Activation", "Dropout"):
        args, keywords = [_py(next(iter(p.values())))], {}
    else:  # Flatten, BatchNormalization
        keywords = {}
    args += [f"{k}={_py(v)}" for k, (v, default) in keywords.items() if v != default]
    return f"layers.{kind}({', '.join(args)}),"


def to_python(arch: Architecture) -> str:
    """Keras source in the keras-io style that builds the same model (without our seeds and names).

    >>> from core.presets import WORKSHOP_CNN
    >>> print(to_python(WORKSHOP_CNN).splitlines()[8])
            layers.Conv2D(16, 3, activation="relu"),
    """
    shape = ", ".join(str(d) for d in arch.input_shape)
    lines = [
        "import keras",
        "from keras import layers",
        "",
        "model = keras.Sequential(",
        "    [",
        f"        keras.Input(shape=({shape})),",
        *(f"        {_layer_source(s)}" for s in arch.layers),
        "    ]",
        ")",
        "model.summary()",
        "",
    ]
    return "\n".join(lines)
