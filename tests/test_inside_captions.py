"""core/inside_captions.py: Look inside's sentences, on hand-made layer outputs and explanations."""

from __future__ import annotations

import numpy as np
import pytest

from core import explain
from core.activations import LayerOutput
from core.architecture import LayerSpec
from core.inside_captions import age_text, conv_sum, layer_caption, pool_sentence

L = LayerSpec.make


def out(
    index: int, spec: LayerSpec, array: np.ndarray, pre: np.ndarray | None = None
) -> LayerOutput:
    return LayerOutput(index, spec.kind, spec, array, pre)


def test_layer_captions():
    pad = out(1, L("ZeroPadding2D", padding=1), np.zeros((30, 30, 1)))
    assert layer_caption(pad, None, False).startswith("The blue outline is the 28-pixel image")
    conv = np.zeros((28, 28, 4))
    pool = out(2, L("MaxPooling2D"), np.zeros((14, 14, 4)))
    assert "largest value: 28×28 → 14×14" in layer_caption(pool, out(1, L("Conv2D"), conv), False)
    avg = out(2, L("AveragePooling2D"), np.zeros((14, 14, 4)))
    assert "keeps the average" in layer_caption(avg, out(1, L("Conv2D"), conv), False)
    pre = np.full((2, 2, 1), -1.0)
    pre[0, 0] = 1.0  # 3 of 4 values negative
    relu = out(0, L("Conv2D", filters=1, activation="relu"), np.maximum(pre, 0), pre)
    assert (
        layer_caption(relu, None, False) == "ReLU set 75% of this layer's values to 0. White is 0."
    )
    assert "Before ReLU: blue values are negative" in layer_caption(relu, None, True)
    tanh = out(0, L("Conv2D", filters=1, activation="tanh"), np.tanh(pre), pre)
    assert layer_caption(tanh, None, False) == ""


def test_conv_sum_writes_the_arithmetic_and_checks_it():
    x = np.arange(9, dtype=np.float32).reshape(3, 3, 1) - 4  # -4..4
    kernel = np.ones((3, 3, 1, 1), np.float32)
    spec = L("Conv2D", filters=1, activation="relu")
    e = explain.explain_conv_pixel(x, kernel, np.array([-1.0]), spec, 0, 0, 0)  # 0 - 1: negative
    lines, check = conv_sum(e, 0.0)
    assert lines.split("  \n") == [
        "Sum of the 9 products: **0.0000**",
        "Plus the bias -1.0000: **-1.0000**",
        "ReLU (negative, so it becomes 0): **0.0000**",
    ]
    assert check == "✓ the same as the layer's own output, 0.0000."
    assert conv_sum(e, 0.5)[1].startswith("✗ differs")
    deep = explain.explain_conv_pixel(
        np.ones((3, 3, 4)),
        np.ones((3, 3, 4, 1)),
        np.zeros(1),
        L("Conv2D", activation="linear"),
        0,
        0,
        0,
    )
    assert conv_sum(deep, 36.0)[0].split("  \n") == [
        "Sum of all 36 products: **36.0000**",
        "Plus the bias 0.0000: **36.0000**",
    ]


def test_pool_sentences():
    x = np.zeros((4, 4, 1), np.float32)
    x[0, 1, 0] = 5
    spec = L("MaxPooling2D")
    assert pool_sentence(explain.explain_pool_pixel(x, spec, 0, 0, 0)) == (
        "The largest, **5.0000** (row 0, column 1 of the window, outlined), is kept; "
        "the other 3 are dropped."
    )
    assert pool_sentence(explain.explain_pool_pixel(x, spec, 1, 1, 0)).startswith("All 4 values")
    avg = explain.explain_pool_pixel(x, L("AveragePooling2D"), 0, 0, 0)
    assert pool_sentence(avg) == "Their average, **1.2500**, is kept."


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(0, "just now"), (59, "just now"), (90, "2 min ago"), (5400, "1.5 h ago")],
)
def test_age_text(seconds, words):
    assert age_text(seconds) == words
