"""Receptive fields: hand-computed values for the notebook's CNN, and a gradient oracle."""

from __future__ import annotations

import numpy as np
import pytest

from core.architecture import Architecture, LayerSpec
from core.presets import DENSE_ONLY, NOTEBOOK_CNN, WORKSHOP_CNN
from core.receptive import input_box, receptive_fields, unclipped_box

L = LayerSpec.make


def test_notebook_cnn_by_hand() -> None:
    # Sizes: each 3×3 conv adds (3-1)·jump; the 2×2 pool adds (2-1)·jump and doubles the jump.
    # first: every ZeroPadding(1) moves the field's corner one jump up-left, into the padding.
    expected = [
        # (kind, size, jump, first, output side)
        ("Normalization", 1, 1, 0, 28),
        ("ZeroPadding2D", 1, 1, -1, 30),
        ("Conv2D", 3, 1, -1, 28),  # conv1: 3×3
        ("ZeroPadding2D", 3, 1, -2, 30),
        ("Conv2D", 5, 1, -2, 28),  # conv2: 3 + 2 = 5
        ("MaxPooling2D", 6, 2, -2, 14),  # pool1: 5 + 1 = 6
        ("ZeroPadding2D", 6, 2, -4, 16),
        ("Conv2D", 10, 2, -4, 14),  # conv3: 6 + 2·2 = 10
        ("ZeroPadding2D", 10, 2, -6, 16),
        ("Conv2D", 14, 2, -6, 14),  # conv4: 10 + 2·2 = 14
        ("MaxPooling2D", 16, 4, -6, 7),  # pool2: 14 + 1·2 = 16
    ]
    fields = receptive_fields(NOTEBOOK_CNN)
    got = [(f.kind, f.size, f.jump, f.first, f.out_hw[0]) for f in fields[:11]]
    assert got == expected
    assert [f.spatial for f in fields[11:]] == [False, False, False]


def test_notebook_cnn_boxes_by_hand() -> None:
    conv1, pool1, pool2 = (receptive_fields(NOTEBOOK_CNN)[i] for i in (2, 5, 10))
    # conv1 pixel (0, 0) is centred on input (0, 0): rows -1..1, the -1 row is padding.
    assert unclipped_box(conv1, 0, 0) == (-1, -1, 1, 1)
    assert input_box(conv1, 0, 0) == (0, 0, 1, 1)
    assert input_box(conv1, 10, 20) == (9, 19, 11, 21)
    # pool1 pixel (r, c) covers conv2 rows 2r..2r+1, each seeing 5 rows: 2r-2 .. 2r+3.
    assert input_box(pool1, 5, 6) == (8, 10, 13, 15)
    assert input_box(pool1, 13, 13) == (24, 24, 27, 27)  # unclipped 24..29
    # pool2 pixel (3, 3), the centre: 4·3 - 6 = 6 .. 21, a 16×16 box.
    assert input_box(pool2, 3, 3) == (6, 6, 21, 21)
    assert receptive_fields(NOTEBOOK_CNN)[5].start == 0.5
    pad1 = receptive_fields(NOTEBOOK_CNN)[1]
    assert input_box(pad1, 0, 5) is None  # the added border sees no input pixel
    assert input_box(pad1, 1, 5) == (0, 4, 0, 4)
    with pytest.raises(ValueError, match="outside this 14×14"):
        input_box(pool1, 14, 0)


def test_non_spatial_and_broken() -> None:
    flat = receptive_fields(WORKSHOP_CNN)[5]
    assert not flat.spatial and input_box(flat, 0, 0) == (0, 0, 27, 27)
    assert all(f.spatial and f.size == 1 for f in receptive_fields(DENSE_ONLY))
    broken = Architecture(
        (
            L("Conv2D", kernel_size=11),
            L("MaxPooling2D", pool_size=8),
            L("Conv2D", kernel_size=5),
            L("Flatten"),
        )
    )
    fields = receptive_fields(broken)
    assert fields[1].out_hw == (2, 2) and fields[2:] == [None, None]


ORACLE_ARCHS = [
    WORKSHOP_CNN.layers[:5],
    (
        L("Conv2D", filters=2, kernel_size=3, strides=2, padding="same"),
        L("AveragePooling2D", pool_size=3, strides=2),
        L("ZeroPadding2D", padding=2),
        L("Conv2D", filters=2, kernel_size=5, padding="same"),
    ),
    (
        L("ZeroPadding2D", padding=1),
        L("Conv2D", filters=2, kernel_size=4, strides=3),
        L("AveragePooling2D", pool_size=2, padding="same"),
        L("Conv2D", filters=1, kernel_size=2),
    ),
]


@pytest.mark.parametrize("layers", ORACLE_ARCHS, ids=["workshop", "same-stride", "pad-stride3"])
def test_boxes_match_keras_gradients(layers: tuple[LayerSpec, ...]) -> None:
    """With positive weights, linear activations and average pooling (max pooling has the same
    geometry but routes gradients to one pixel), an output pixel's gradient is non-zero exactly
    on the input pixels it depends on."""
    import keras
    import tensorflow as tf

    from core.keras_model import build_model

    swap = {"MaxPooling2D": "AveragePooling2D"}
    specs = tuple(
        LayerSpec.make(swap.get(s.kind, s.kind), **s.params)
        if s.kind != "Conv2D"
        else s.with_params(activation="linear")
        for s in layers
    )
    arch = Architecture(specs)
    model = build_model(arch, seed=0).model
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            layer.kernel.assign(np.ones(layer.kernel.shape, np.float32))
    field = receptive_fields(arch)[-1]
    h, w = field.out_hw
    x = tf.Variable(np.random.default_rng(0).uniform(1, 2, (1, 28, 28, 1)).astype(np.float32))
    for row, col in {(0, 0), (h - 1, w - 1), (h // 2, w // 3), (0, w - 1)}:
        with tf.GradientTape() as tape:
            y = model(x, training=False)[0, row, col, 0]
        grad = tape.gradient(y, x).numpy()[0, :, :, 0]
        rows, cols = np.nonzero(grad)
        assert (rows.min(), cols.min(), rows.max(), cols.max()) == input_box(field, row, col)
