"""Shape trace: hand-checked cases and beginner messages (the Keras oracle: test_shapes_oracle.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.architecture import Architecture, LayerSpec
from core.presets import DENSE_ONLY, NOTEBOOK_CNN, VGG16, WORKSHOP_CNN
from core.shapes import MAX_PARAMS, Trace, format_shape, trace

L = LayerSpec.make


def _arch(*layers: LayerSpec, input_shape: tuple[int, ...] = (28, 28, 1)) -> Architecture:
    return Architecture(tuple(layers), input_shape)


# --- hand-checked ----------------------------------------------------------------------------------


def test_notebook_cnn_layer_by_layer() -> None:
    t = trace(NOTEBOOK_CNN)
    assert t.ok and not t.too_big and t.error_index is None
    assert [layer.output_shape for layer in t.layers] == [
        (None, 28, 28, 1),
        (None, 30, 30, 1),
        (None, 28, 28, 32),
        (None, 30, 30, 32),
        (None, 28, 28, 32),
        (None, 14, 14, 32),
        (None, 16, 16, 32),
        (None, 14, 14, 64),
        (None, 16, 16, 64),
        (None, 14, 14, 64),
        (None, 7, 7, 64),
        (None, 3136),
        (None, 512),
        (None, 10),
    ]
    assert [layer.params for layer in t.layers] == [
        0,
        0,
        320,
        0,
        9248,
        0,
        0,
        18496,
        0,
        36928,
        0,
        0,
        1606144,
        5130,
    ]
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
    assert [layer.output_shape for layer in t.layers] == [
        (None, 28, 28, 10),
        (None, 28, 28, 5),
        (None, 28, 28, 2),
    ]
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


@pytest.mark.parametrize(
    ("kind", "what"),
    [("MaxPooling2D", "pooling"), ("AveragePooling2D", "pooling"), ("ZeroPadding2D", "padding")],
)
def test_image_layers_after_flatten(kind: str, what: str) -> None:
    _assert_breaks_at(
        trace(_arch(L("Flatten"), L(kind), L("Dense"))),
        1,
        f"{kind} needs an image",
        "flat vector of 784 numbers",
        f"put {what} layers before Flatten",
    )


def test_kernel_larger_than_its_input() -> None:
    arch = _arch(
        L("Normalization"), L("MaxPooling2D", pool_size=8), L("Conv2D", kernel_size=5), L("Flatten")
    )
    message = _assert_breaks_at(trace(arch), 2)
    assert message == "a 5×5 kernel does not fit a 3×3 input; add padding or remove a pooling layer"


def test_kernel_larger_than_one_side_of_its_input() -> None:
    _assert_breaks_at(
        trace(_arch(L("Conv2D", kernel_size=3), input_shape=(28, 2, 1))),
        0,
        "3×3 kernel does not fit a 28×2 input",
    )


def test_pooling_window_larger_than_its_input() -> None:
    arch = _arch(*[L("MaxPooling2D", pool_size=4)] * 3, L("Dense"))
    _assert_breaks_at(
        trace(arch), 2, "a 4×4 pooling window does not fit a 1×1 input", 'padding "same"'
    )
    assert trace(arch.replace_layer(2, L("MaxPooling2D", pool_size=4, padding="same"))).ok


def test_vgg16_layers_on_mnist_break_at_the_fifth_pooling() -> None:
    t = trace(Architecture(VGG16.layers))
    _assert_breaks_at(t, 17, "a 2×2 pooling window does not fit a 1×1 input")
    assert t.layers[13].output_shape == (None, 1, 1, 512)


def test_input_without_pixels() -> None:
    _assert_breaks_at(
        trace(_arch(L("Dense"), L("Flatten"), input_shape=(0, 28, 1))), 0, "(None, 0, 28, 1)"
    )


def test_trace_does_not_import_keras() -> None:
    code = (
        "import sys, core.shapes; sys.exit('keras' in sys.modules or 'tensorflow' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
