"""Shape trace: hand-checked cases, beginner messages, and an oracle test against Keras itself."""

from __future__ import annotations

import gc
import math
import subprocess
import sys

import keras
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.architecture import Architecture, LayerSpec
from core.keras_model import make_layer
from core.presets import DENSE_ONLY, NOTEBOOK_CNN, VGG16, WORKSHOP_CNN
from core.shapes import MAX_PARAMS, Trace, format_shape, trace

L = LayerSpec.make
ORACLE_PARAM_CAP = 3_000_000  # larger random models are skipped by the oracle: Keras would allocate them


def _arch(*layers: LayerSpec, input_shape: tuple[int, ...] = (28, 28, 1)) -> Architecture:
    return Architecture(tuple(layers), input_shape)


# --- hand-checked ----------------------------------------------------------------------------------


def test_notebook_cnn_layer_by_layer() -> None:
    t = trace(NOTEBOOK_CNN)
    assert t.ok and not t.too_big and t.error_index is None
    assert [layer.output_shape for layer in t.layers] == [
        (None, 28, 28, 1), (None, 30, 30, 1), (None, 28, 28, 32), (None, 30, 30, 32), (None, 28, 28, 32),
        (None, 14, 14, 32), (None, 16, 16, 32), (None, 14, 14, 64), (None, 16, 16, 64), (None, 14, 14, 64),
        (None, 7, 7, 64), (None, 3136), (None, 512), (None, 10),
    ]
    assert [layer.params for layer in t.layers] == [0, 0, 320, 0, 9248, 0, 0, 18496, 0, 36928, 0, 0, 1606144, 5130]
    assert t.total_params == 1_676_266 == t.running_totals()[-1]
    assert t.output_shape == (None, 10)
    assert t.input_shape == (None, 28, 28, 1)
    assert t.layers[2].formula == "3·3·1·32 + 32 = 320"
    assert t.layers[12].formula == "3,136·512 + 512 = 1,606,144"
    assert t.layers[0].formula == "no weights"
    assert all(layer.status == "ok" and layer.error is None for layer in t.layers)
    assert all(layer.trainable == layer.params for layer in t.layers)


def test_presets_totals() -> None:
    assert trace(WORKSHOP_CNN).total_params == 56_714
    vgg = trace(VGG16)
    assert vgg.ok and vgg.too_big and vgg.total_params == 138_357_544 > MAX_PARAMS
    assert vgg.output_shape == (None, 1000)


def test_dense_only_acts_on_the_last_axis_as_keras_does() -> None:
    t = trace(DENSE_ONLY)
    assert t.ok
    assert [layer.output_shape for layer in t.layers] == [(None, 28, 28, 10), (None, 28, 28, 5), (None, 28, 28, 2)]
    assert [layer.params for layer in t.layers] == [20, 55, 12]
    assert "28×28 positions" in t.layers[0].formula


def test_empty_architecture() -> None:
    t = trace(Architecture())
    assert t.ok and t.layers == () and t.total_params == 0 and t.running_totals() == []
    assert t.output_shape == (None, 28, 28, 1)


@pytest.mark.parametrize(
    ("layer", "input_shape", "expected"),
    [
        (L("Conv2D", kernel_size=3, strides=2), (28, 28, 1), (None, 13, 13, 32)),
        (L("Conv2D", kernel_size=3, strides=2, padding="same"), (28, 28, 1), (None, 14, 14, 32)),
        (L("Conv2D", kernel_size=11, padding="same"), (1, 1, 3), (None, 1, 1, 32)),
        (L("Conv2D", kernel_size=5, strides=5), (28, 17, 1), (None, 5, 3, 32)),
        (L("MaxPooling2D", pool_size=3), (28, 28, 1), (None, 9, 9, 1)),
        (L("MaxPooling2D", pool_size=3, strides=1), (28, 28, 1), (None, 26, 26, 1)),
        (L("MaxPooling2D", pool_size=2, padding="same"), (7, 7, 4), (None, 4, 4, 4)),
        (L("AveragePooling2D", pool_size=8, strides=3, padding="same"), (1, 2, 1), (None, 1, 1, 1)),
        (L("ZeroPadding2D", padding=0), (28, 28, 1), (None, 28, 28, 1)),
        (L("ZeroPadding2D", padding=16), (3, 4, 2), (None, 35, 36, 2)),
        (L("Flatten"), (7, 7, 64), (None, 3136)),
        (L("Dense", units=7), (5, 3, 2), (None, 5, 3, 7)),
        (L("BatchNormalization"), (5, 5, 8), (None, 5, 5, 8)),
    ],
    ids=lambda v: v.describe() if isinstance(v, LayerSpec) else str(v),
)
def test_shape_rules(layer: LayerSpec, input_shape: tuple[int, ...], expected: tuple) -> None:
    t = trace(_arch(layer, input_shape=input_shape))
    assert t.ok and t.layers[0].output_shape == expected


def test_batch_normalization_counts_four_per_channel_two_trainable() -> None:
    t = trace(_arch(L("Conv2D", filters=32), L("BatchNormalization")))
    assert (t.layers[1].params, t.layers[1].trainable) == (128, 64)
    assert t.layers[1].formula.startswith("4·32 = 128")


def test_format_shape() -> None:
    assert format_shape((None, 28, 28, 32)) == "(None, 28, 28, 32)"
    assert format_shape((None, 10)) == "(None, 10)"
    assert format_shape((None,)) == "(None,)"
    assert format_shape(None) == "—"


def test_running_totals_stay_flat_after_an_error() -> None:
    t = trace(_arch(L("Conv2D", filters=4), L("Flatten"), L("Conv2D"), L("Dense")))
    assert t.running_totals() == [40, 40, 40, 40]


# --- messages where it breaks ----------------------------------------------------------------------


def _assert_breaks_at(t: Trace, index: int, *phrases: str) -> str:
    assert not t.ok and t.error_index == index
    assert [layer.status for layer in t.layers] == ["ok"] * index + ["error"] + ["skipped"] * (
        len(t.layers) - index - 1
    )
    assert all(layer.output_shape is not None for layer in t.layers[:index])
    for layer in t.layers[index:]:
        assert (layer.output_shape, layer.params, layer.trainable) == (None, 0, 0)
    assert all(layer.error is None for i, layer in enumerate(t.layers) if i != index)
    assert t.total_params == sum(layer.params for layer in t.layers[:index])
    message = t.layers[index].error
    assert t.error == message
    for phrase in phrases:
        assert phrase in message, f"{phrase!r} not in {message!r}"
    return message


def test_convolution_after_flatten() -> None:
    arch = NOTEBOOK_CNN.insert(12, L("Conv2D"))
    message = _assert_breaks_at(trace(arch), 12)
    assert message == (
        "Conv2D needs an image (height, width, channels) but gets a flat vector of 3,136 numbers; "
        "put convolution layers before Flatten"
    )
    assert trace(arch).output_shape == (None, 3136)


@pytest.mark.parametrize(("kind", "what"), [("MaxPooling2D", "pooling"), ("AveragePooling2D", "pooling"),
                                            ("ZeroPadding2D", "padding")])
def test_image_layers_after_flatten(kind: str, what: str) -> None:
    _assert_breaks_at(trace(_arch(L("Flatten"), L(kind), L("Dense"))), 1, f"{kind} needs an image",
                      "flat vector of 784 numbers", f"put {what} layers before Flatten")


def test_kernel_larger_than_its_input() -> None:
    arch = _arch(L("Normalization"), L("MaxPooling2D", pool_size=8), L("Conv2D", kernel_size=5), L("Flatten"))
    message = _assert_breaks_at(trace(arch), 2)
    assert message == "a 5×5 kernel does not fit a 3×3 input; add padding or remove a pooling layer"


def test_kernel_larger_than_one_side_of_its_input() -> None:
    _assert_breaks_at(trace(_arch(L("Conv2D", kernel_size=3), input_shape=(28, 2, 1))), 0,
                      "3×3 kernel does not fit a 28×2 input")


def test_pooling_window_larger_than_its_input() -> None:
    arch = _arch(*[L("MaxPooling2D", pool_size=4)] * 3, L("Dense"))
    _assert_breaks_at(trace(arch), 2, "a 4×4 pooling window does not fit a 1×1 input", 'padding "same"')
    assert trace(arch.replace_layer(2, L("MaxPooling2D", pool_size=4, padding="same"))).ok


def test_vgg16_layers_on_mnist_break_at_the_fifth_pooling() -> None:
    t = trace(Architecture(VGG16.layers))
    _assert_breaks_at(t, 17, "a 2×2 pooling window does not fit a 1×1 input")
    assert t.layers[13].output_shape == (None, 1, 1, 512)


def test_input_without_pixels() -> None:
    _assert_breaks_at(trace(_arch(L("Dense"), L("Flatten"), input_shape=(0, 28, 1))), 0, "(None, 0, 28, 1)")


def test_trace_does_not_import_keras() -> None:
    code = "import sys, core.shapes; sys.exit('keras' in sys.modules or 'tensorflow' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- the oracle: Keras itself -------------------------------------------------------------------------

_ACTIVATIONS = st.sampled_from(["linear", "relu", "sigmoid", "tanh", "softmax"])
_PADDING = st.sampled_from(["valid", "same"])


def _small_or(low: int, small: int, high: int) -> st.SearchStrategy[int]:
    """Mostly small values (so most models are valid and cheap), sometimes anything in range."""
    return st.one_of(st.integers(low, small), st.integers(low, small), st.integers(low, high))


_ORACLE_LAYERS = {
    "Conv2D": st.fixed_dictionaries({"filters": _small_or(1, 8, 64), "kernel_size": _small_or(1, 3, 11),
                                     "strides": _small_or(1, 1, 5), "padding": _PADDING, "activation": _ACTIVATIONS}),
    "MaxPooling2D": st.fixed_dictionaries({"pool_size": _small_or(1, 3, 8), "strides": st.none() | st.integers(1, 8),
                                           "padding": _PADDING}),
    "AveragePooling2D": st.fixed_dictionaries({"pool_size": _small_or(1, 3, 8),
                                               "strides": st.none() | st.integers(1, 8), "padding": _PADDING}),
    "ZeroPadding2D": st.fixed_dictionaries({"padding": _small_or(0, 2, 16)}),
    "Dense": st.fixed_dictionaries({"units": _small_or(1, 16, 128), "activation": _ACTIVATIONS}),
    "Dropout": st.fixed_dictionaries({"rate": st.floats(0, 0.9)}),
    "Activation": st.fixed_dictionaries({"activation": _ACTIVATIONS}),
    "Flatten": st.just({}),
    "BatchNormalization": st.just({}),
    "Normalization": st.just({}),
}
_KINDS = ["Conv2D"] * 4 + ["MaxPooling2D"] * 2 + ["ZeroPadding2D"] * 2 + ["Dense"] * 2 + [
    k for k in _ORACLE_LAYERS if k not in ("Conv2D", "MaxPooling2D", "ZeroPadding2D", "Dense")
]


@st.composite
def oracle_architectures(draw: st.DrawFn) -> Architecture:
    kinds = draw(st.lists(st.sampled_from(_KINDS), min_size=1, max_size=8))
    layers = tuple(L(kind, **draw(_ORACLE_LAYERS[kind])) for kind in kinds)
    shape = draw(st.one_of(*[st.just((28, 28, 1))] * 4, st.tuples(_small_or(1, 40, 64), _small_or(1, 40, 64),
                                                                  st.integers(1, 4))))
    return Architecture(layers, shape)


def _keras_prefix(arch: Architecture, n: int) -> keras.Sequential:
    """Keras's own model of the first ``n`` layers, built exactly as the app builds it."""
    layers = [make_layer(spec, i) for i, spec in enumerate(arch.layers[:n])]
    return keras.Sequential([keras.Input(shape=arch.input_shape), *layers])


def _keras_facts(model: keras.Sequential) -> list[tuple[tuple, int, int]]:
    return [
        (tuple(layer.output.shape), layer.count_params(),
         sum(math.prod(w.shape) for w in layer.trainable_weights))
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
        assert not _keras_refuses_or_empties(arch, len(arch)), "Keras refuses what the trace accepts"
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
        assert [layer.__class__.__name__ for layer in keras_layers] == [s.kind for s in VGG16.layers]
        assert [(tuple(layer.output.shape), layer.count_params()) for layer in keras_layers] == [
            (layer.output_shape, layer.params) for layer in t.layers
        ]
        assert model.count_params() == t.total_params == 138_357_544
    finally:
        del model, keras_layers
        gc.collect()
