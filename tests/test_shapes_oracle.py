"""The shape trace against its oracle, Keras itself: random architectures, and VGG16 as Keras ships it."""

from __future__ import annotations

import gc
import math

import keras
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.architecture import Architecture, LayerSpec
from core.keras_model import make_layer
from core.presets import NOTEBOOK_CNN, VGG16
from core.shapes import Trace, trace

L = LayerSpec.make
ORACLE_PARAM_CAP = 3_000_000  # larger random models are skipped: Keras would allocate them

# --- the oracle: Keras itself -------------------------------------------------------------------------

_ACTIVATIONS = st.sampled_from(["linear", "relu", "sigmoid", "tanh", "softmax"])
_PADDING = st.sampled_from(["valid", "same"])


def _small_or(low: int, small: int, high: int) -> st.SearchStrategy[int]:
    """Mostly small values (so most models are valid and cheap), sometimes anything in range."""
    return st.one_of(st.integers(low, small), st.integers(low, small), st.integers(low, high))


_ORACLE_LAYERS = {
    "Conv2D": st.fixed_dictionaries(
        {
            "filters": _small_or(1, 8, 64),
            "kernel_size": _small_or(1, 3, 11),
            "strides": _small_or(1, 1, 5),
            "padding": _PADDING,
            "activation": _ACTIVATIONS,
        }
    ),
    "MaxPooling2D": st.fixed_dictionaries(
        {
            "pool_size": _small_or(1, 3, 8),
            "strides": st.none() | st.integers(1, 8),
            "padding": _PADDING,
        }
    ),
    "AveragePooling2D": st.fixed_dictionaries(
        {
            "pool_size": _small_or(1, 3, 8),
            "strides": st.none() | st.integers(1, 8),
            "padding": _PADDING,
        }
    ),
    "ZeroPadding2D": st.fixed_dictionaries({"padding": _small_or(0, 2, 16)}),
    "Dense": st.fixed_dictionaries({"units": _small_or(1, 16, 128), "activation": _ACTIVATIONS}),
    "Dropout": st.fixed_dictionaries({"rate": st.floats(0, 0.9)}),
    "Activation": st.fixed_dictionaries({"activation": _ACTIVATIONS}),
    "Flatten": st.just({}),
    "BatchNormalization": st.just({}),
    "Normalization": st.just({}),
}
_KINDS = (
    ["Conv2D"] * 4
    + ["MaxPooling2D"] * 2
    + ["ZeroPadding2D"] * 2
    + ["Dense"] * 2
    + [k for k in _ORACLE_LAYERS if k not in ("Conv2D", "MaxPooling2D", "ZeroPadding2D", "Dense")]
)


@st.composite
def oracle_architectures(draw: st.DrawFn) -> Architecture:
    kinds = draw(st.lists(st.sampled_from(_KINDS), min_size=1, max_size=8))
    layers = tuple(L(kind, **draw(_ORACLE_LAYERS[kind])) for kind in kinds)
    shape = draw(
        st.one_of(
            *[st.just((28, 28, 1))] * 4,
            st.tuples(_small_or(1, 40, 64), _small_or(1, 40, 64), st.integers(1, 4)),
        )
    )
    return Architecture(layers, shape)


def _keras_prefix(arch: Architecture, n: int) -> keras.Sequential:
    """Keras's own model of the first ``n`` layers, built exactly as the app builds it."""
    layers = [make_layer(spec, i) for i, spec in enumerate(arch.layers[:n])]
    return keras.Sequential([keras.Input(shape=arch.input_shape), *layers])


def _keras_facts(model: keras.Sequential) -> list[tuple[tuple, int, int]]:
    return [
        (
            tuple(layer.output.shape),
            layer.count_params(),
            sum(math.prod(w.shape) for w in layer.trainable_weights),
        )
        for layer in model.layers
    ]


def _trace_facts(t: Trace, n: int) -> list[tuple[tuple, int, int]]:
    return [(layer.output_shape, layer.params, layer.trainable) for layer in t.layers[:n]]


def _keras_refuses_or_empties(arch: Architecture, n: int) -> bool:
    """True if Keras raises on the first ``n`` layers, or accepts them with a zero-size output."""
    try:
        model = _keras_prefix(arch, n)
    except Exception:  # noqa: BLE001 - any refusal by Keras counts
        return True
    return any(d == 0 for d in model.layers[-1].output.shape)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(oracle_architectures())
def test_trace_agrees_with_keras(arch: Architecture) -> None:
    t = trace(arch)
    if t.total_params > ORACLE_PARAM_CAP:
        event("skipped: too many parameters for the oracle")
        return
    event("valid" if t.ok else "broken")
    if t.ok:
        assert not _keras_refuses_or_empties(arch, len(arch)), (
            "Keras refuses what the trace accepts"
        )
        assert _trace_facts(t, len(arch)) == _keras_facts(_keras_prefix(arch, len(arch)))
        return
    e = t.error_index
    if e > 0:  # everything before the broken layer is what Keras says it is
        assert _trace_facts(t, e) == _keras_facts(_keras_prefix(arch, e))
    assert _keras_refuses_or_empties(arch, e + 1), f"Keras accepts layer {e}: {t.layers[e].error}"


@pytest.mark.slow
def test_vgg16_preset_matches_keras_applications() -> None:
    t = trace(VGG16)
    model = keras.applications.VGG16(weights=None)
    try:
        keras_layers = model.layers[1:]  # the first is the InputLayer
        assert [layer.__class__.__name__ for layer in keras_layers] == [
            s.kind for s in VGG16.layers
        ]
        assert [(tuple(layer.output.shape), layer.count_params()) for layer in keras_layers] == [
            (layer.output_shape, layer.params) for layer in t.layers
        ]
        assert model.count_params() == t.total_params == 138_357_544
    finally:
        del model, keras_layers
        gc.collect()


def test_many_layers_whose_outputs_add_up_are_refused():
    """Each layer fits (1.84M values at most), but 59 of them output 97M numbers per image."""
    from core.shapes import MAX_TOTAL_VALUES, MAX_VALUES

    deep = "pad(16)-" + "conv(512,1,relu,1,same)-" * 55 + "maxpool(4)-flatten-dense(10,softmax)"
    t = trace(Architecture.from_url(deep))
    assert t.ok and t.largest_output <= MAX_VALUES
    assert t.total_outputs > MAX_TOTAL_VALUES
    assert "numbers per image in all" in t.too_big_reason
    notebook = trace(NOTEBOOK_CNN)
    assert notebook.total_outputs == 143_390 and not notebook.too_big
