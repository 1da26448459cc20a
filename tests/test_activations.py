"""core/activations.py, core/explain.py and core/top_patches.py checked against Keras's own layers.

One small model of every layer kind serves all three, so they share this file.
"""

from __future__ import annotations

import gc
import weakref

import keras
import numpy as np
import pytest

from core import activations as act
from core import explain
from core.architecture import Architecture, LayerSpec
from core.keras_model import build_model
from core.presets import DENSE_ONLY
from core.receptive import receptive_fields
from core.top_patches import top_patches

L = LayerSpec.make

# Small, fast, and every kind the catalogue has: padding, strides, "same", both poolings,
# BatchNormalization, Dropout, a separate Activation, Dense on a flat vector and softmax.
TINY = Architecture(
    (
        L("Normalization"),
        L("ZeroPadding2D", padding=1),
        L("Conv2D", filters=4, kernel_size=3, activation="relu"),
        L("MaxPooling2D"),
        L("Conv2D", filters=6, kernel_size=3, strides=2, padding="same", activation="tanh"),
        L("BatchNormalization"),
        L("Activation", activation="relu"),
        L("AveragePooling2D", pool_size=3, strides=2, padding="same"),
        L("Conv2D", filters=3, kernel_size=2, activation="linear"),
        L("Dropout", rate=0.5),
        L("Flatten"),
        L("Dense", units=8, activation="sigmoid"),
        L("Dense", units=10, activation="softmax"),
    )
)


@pytest.fixture(scope="module")
def tiny() -> keras.Model:
    model = build_model(TINY, seed=3).model
    bn = model.layers[5]  # non-trivial moving statistics, so training=False matters
    bn.moving_mean.assign(np.linspace(-0.2, 0.3, 6).astype(np.float32))
    bn.moving_variance.assign(np.linspace(0.5, 2.0, 6).astype(np.float32))
    return model


@pytest.fixture(scope="module")
def digit() -> np.ndarray:
    rng = np.random.default_rng(7)
    image = np.zeros((28, 28), np.uint8)
    image[5:23, 9:19] = rng.integers(0, 256, (18, 10))
    return image


@pytest.fixture(scope="module")
def outputs(tiny: keras.Model, digit: np.ndarray) -> list[act.LayerOutput]:
    return act.Inspector(tiny, TINY).layer_outputs(digit)


def test_outputs_equal_layers_applied_one_by_one(tiny, digit, outputs) -> None:
    x = digit.astype(np.float32)[None, ..., None]
    assert [o.index for o in outputs] == list(range(len(TINY)))
    assert [o.kind for o in outputs] == [s.kind for s in TINY.layers]
    for layer, out in zip(tiny.layers, outputs, strict=True):
        x = layer(x, training=False)
        np.testing.assert_allclose(out.array, np.asarray(x)[0], rtol=1e-5, atol=1e-6)
        assert out.spec is TINY.layers[out.index]


def test_outputs_equal_keras_sub_models(tiny, digit, outputs) -> None:
    x = digit.astype(np.float32)[None, ..., None]
    for i in (2, 7, 12):
        sub = keras.Model(tiny.inputs[0], tiny.layers[i].output)
        np.testing.assert_allclose(outputs[i].array, np.asarray(sub(x))[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(outputs[-1].array, np.asarray(tiny(x))[0], rtol=1e-6, atol=1e-7)


def test_pre_activations(outputs) -> None:
    with_pre = [o.index for o in outputs if o.pre_activation is not None]
    assert with_pre == [2, 4, 11, 12]  # the linear Conv2D (8) has no separate pre-activation
    np.testing.assert_allclose(
        np.maximum(outputs[2].pre_activation, 0), outputs[2].array, atol=1e-6
    )
    np.testing.assert_allclose(np.tanh(outputs[4].pre_activation), outputs[4].array, atol=1e-6)
    logits = outputs[12].pre_activation.astype(np.float64)
    soft = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(soft, outputs[12].array, atol=1e-6)
    assert (outputs[2].pre_activation < 0).any(), "ReLU should zero something"


@pytest.mark.parametrize("index", [2, 4, 8])
def test_explained_conv_pixel_equals_layer_output(tiny, digit, outputs, index) -> None:
    kernel, bias = act.layer_weights(tiny, index)
    x = act.layer_input(outputs, index, digit)
    out = outputs[index].array
    h, w, f = out.shape
    for row, col, filt in {(0, 0, 0), (h - 1, w - 1, f - 1), (h // 2, 1, f // 2), (0, w - 1, 1)}:
        e = explain.explain_conv_pixel(x, kernel, bias, TINY.layers[index], row, col, filt)
        assert e.output == pytest.approx(float(out[row, col, filt]), rel=1e-4, abs=1e-5)
        assert e.total == pytest.approx(e.products.sum()) and e.pre_activation == pytest.approx(
            e.total + e.bias
        )
        np.testing.assert_allclose(e.products, e.patch * e.weights)
        np.testing.assert_array_equal(e.weights, kernel[..., filt])
        if outputs[index].pre_activation is not None:
            assert e.pre_activation == pytest.approx(
                float(outputs[index].pre_activation[row, col, filt]), rel=1e-4, abs=1e-5
            )


def test_first_conv_patch_is_the_padded_normalised_digit(tiny, digit, outputs) -> None:
    kernel, bias = act.layer_weights(tiny, 2)
    e = explain.explain_conv_pixel(
        act.layer_input(outputs, 2, digit), kernel, bias, TINY.layers[2], 0, 0, 1
    )
    assert (e.top, e.left) == (0, 0) and e.patch.shape == (3, 3, 1)
    assert (e.patch[0, :, 0] == 0).all() and (e.patch[:, 0, 0] == 0).all()  # the zero border
    np.testing.assert_allclose(e.patch[1:, 1:, 0], outputs[0].array[:2, :2, 0])


def test_explain_rejects_bad_pixels(tiny, digit, outputs) -> None:
    kernel, bias = act.layer_weights(tiny, 2)
    x = act.layer_input(outputs, 2, digit)
    with pytest.raises(ValueError, match="outside this 28×28"):
        explain.explain_conv_pixel(x, kernel, bias, TINY.layers[2], 28, 0, 0)
    with pytest.raises(ValueError, match="filters 0..3"):
        explain.explain_conv_pixel(x, kernel, bias, TINY.layers[2], 0, 0, 4)
    with pytest.raises(ValueError, match="needs a Conv2D"):
        explain.explain_conv_pixel(x, kernel, bias, TINY.layers[3], 0, 0, 0)


@pytest.mark.parametrize("index", [3, 7])
def test_pool_choice(digit, outputs, index) -> None:
    x, out = act.layer_input(outputs, index, digit), outputs[index].array
    h, w, c = out.shape
    for row in range(h):
        for col in range(w):
            ch = (row + col) % c
            e = explain.explain_pool_pixel(x, TINY.layers[index], row, col, ch)
            assert e.output == pytest.approx(float(out[row, col, ch]), rel=1e-5, abs=1e-6)
            r, cc = e.argmax
            assert e.window[r, cc] == np.nanmax(e.window)
            assert x[e.top + r, e.left + cc, ch] == np.nanmax(e.window)  # it points into the input


def test_pool_ties_and_window_values() -> None:
    x = np.zeros((4, 4, 1), np.float32)
    x[0, 1, 0], x[3, 2, 0] = 5, 7
    spec = L("MaxPooling2D")
    first, zeros = (
        explain.explain_pool_pixel(x, spec, 0, 0, 0),
        explain.explain_pool_pixel(x, spec, 0, 1, 0),
    )
    assert (first.argmax, first.output, first.ties) == ((0, 1), 5.0, 1)
    assert zeros.ties == 4 and zeros.output == 0
    assert explain.explain_pool_pixel(x, spec, 1, 1, 0).argmax == (1, 0)
    np.testing.assert_array_equal(first.window, [[0, 5], [0, 0]])


def test_top_patches(tiny) -> None:
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (60, 28, 28)).astype(np.uint8)
    images[::7] = 0  # blank images should never win
    index, filt = 4, 2
    top = top_patches(tiny, TINY, index, filt, images, k=5, batch_size=16)
    maps = np.asarray(
        keras.Model(tiny.inputs[0], tiny.layers[index].output)(images.astype(np.float32)[..., None])
    )[..., filt]
    best = maps.reshape(60, -1).max(axis=1)
    np.testing.assert_allclose(top.values, np.sort(best)[::-1][:5], rtol=1e-5)
    np.testing.assert_allclose(
        maps[top.image_indices, top.positions[:, 0], top.positions[:, 1]], top.values, rtol=1e-5
    )
    size = receptive_fields(TINY)[index].size
    assert top.patches.shape == (5, size, size) and top.searched == 60
    t, left, b, r = top.boxes[0]
    j = top.image_indices[0]
    inside = top.patches[0][max(-t, 0) :, max(-left, 0) :]
    crop = images[j, max(t, 0) : b + 1, max(left, 0) : r + 1]
    np.testing.assert_array_equal(inside[: crop.shape[0], : crop.shape[1]], crop)
    with pytest.raises(ValueError, match="no rows and columns"):
        top_patches(tiny, TINY, 10, 0, images)


def test_top_patches_of_a_first_conv_reproduce_the_value() -> None:
    arch = Architecture((L("Conv2D", filters=2, kernel_size=3, activation="relu"),))
    model = build_model(arch, seed=0).model
    images = np.random.default_rng(2).integers(0, 256, (20, 28, 28)).astype(np.uint8)
    top = top_patches(model, arch, 0, 1, images, k=3)
    kernel, bias = act.layer_weights(model, 0)
    for value, patch in zip(top.values, top.patches, strict=True):
        assert max(float((patch * kernel[:, :, 0, 1]).sum() + bias[1]), 0) == pytest.approx(
            value, rel=1e-4
        )


def test_conv_kernels_and_no_conv_model(tiny) -> None:
    kernels = act.conv_kernels(tiny, TINY)
    assert {i: k.shape for i, k in kernels.items()} == {
        2: (3, 3, 1, 4),
        4: (3, 3, 4, 6),
        8: (2, 2, 6, 3),
    }
    dense = build_model(DENSE_ONLY, seed=0).model
    assert act.conv_kernels(dense, DENSE_ONLY) == {}
    outs = act.Inspector(dense, DENSE_ONLY).layer_outputs(np.zeros((28, 28), np.uint8))
    assert [o.array.shape for o in outs] == [(28, 28, 10), (28, 28, 5), (28, 28, 2)]


def test_bad_inputs(tiny) -> None:
    with pytest.raises(ValueError, match="do not match"):
        act.Inspector(tiny, DENSE_ONLY)
    inspector = act.Inspector(tiny, TINY)
    with pytest.raises(ValueError, match=r"received \(27, 28\)"):
        inspector.layer_outputs(np.zeros((27, 28)))
    with pytest.raises(ValueError, match="real numbers"):
        inspector.layer_outputs(np.full((28, 28), "x"))


def test_one_pass_calls_each_layer_once_even_on_a_loaded_model(
    tiny, digit, outputs, tmp_path, monkeypatch
) -> None:
    # A Sequential read from a .keras file has been rebuilt once per added layer; a model made
    # from its ``layer.output`` tensors would call layer i once per later output (1 + 2 + ... + n).
    tiny.save(tmp_path / "tiny.keras")
    loaded = keras.saving.load_model(tmp_path / "tiny.keras", safe_mode=True, compile=False)
    inspector = act.Inspector(loaded, TINY)
    calls: list[str] = []
    original = keras.layers.Layer.__call__

    def counting(self, *args, **kwargs):
        calls.append(type(self).__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(keras.layers.Layer, "__call__", counting)
    again = inspector.layer_outputs(digit)
    monkeypatch.undo()
    layer_calls = [c for c in calls if c in {s.kind for s in TINY.layers}]
    assert layer_calls == [s.kind for s in TINY.layers]
    for a, b in zip(again, outputs, strict=True):
        np.testing.assert_allclose(a.array, b.array, rtol=1e-5, atol=1e-6)


def test_multi_output_model_cached_per_model_and_released() -> None:
    arch = Architecture((L("Conv2D", filters=2, kernel_size=3),))
    model = build_model(arch, seed=0).model
    first, second = act.Inspector(model, arch), act.Inspector(model, arch)
    assert first._multi is second._multi
    other = build_model(arch, seed=0).model
    assert act.Inspector(other, arch)._multi is not first._multi
    top_patches(model, arch, 0, 0, np.zeros((2, 28, 28), np.uint8))
    ref = weakref.ref(model)
    del model, first, second
    gc.collect()
    assert ref() is None, "the cache must not keep a dropped model alive"


def test_conv_with_its_own_kernel_is_the_layer_output(tiny, digit, outputs) -> None:
    for index in (2, 4, 8):
        x = act.layer_input(outputs, index, digit)
        kernel, _ = act.layer_weights(tiny, index)
        np.testing.assert_allclose(
            act.conv_with(tiny, index, x, kernel), outputs[index].array, rtol=1e-5, atol=1e-5
        )


def test_conv_with_another_kernel_matches_numpy(tiny, digit, outputs) -> None:
    # Layer 2: 3×3 "valid" on the padded 30×30 input, ReLU; a kernel of ones sums each window.
    x = act.layer_input(outputs, 2, digit)
    ones = np.ones((3, 3, 1, 4), np.float32)
    _, bias = act.layer_weights(tiny, 2)
    sums = np.lib.stride_tricks.sliding_window_view(x[..., 0], (3, 3)).sum(axis=(2, 3))
    expected = np.maximum(sums[..., None] + bias, 0)
    np.testing.assert_allclose(act.conv_with(tiny, 2, x, ones), expected, rtol=1e-5, atol=1e-4)


def test_guess_reads_only_a_ten_way_softmax(outputs) -> None:
    digit, probability = act.guess(outputs)
    assert digit == int(outputs[-1].array.argmax())
    assert probability == pytest.approx(float(outputs[-1].array.max()))
    assert act.guess(outputs[:-1]) is None  # Dense(8, sigmoid) last
    assert act.guess([]) is None


def test_partial_model_is_built_once_per_layer(tiny) -> None:
    first = act.partial_model(tiny, TINY, 4)
    assert act.partial_model(tiny, TINY, 4) is first
    assert tuple(first.outputs[0].shape[1:]) == (7, 7, 6)
