"""Linear layers collapse into one: the identity on small matrices, its words, and what it costs in memory.

A shared link can ask for a Dense layer on 401,408 inputs (28×28×512 flattened). The lesson, the
to-scale picture and the VGG16 comparison must cost the server about the same for it as for the
notebook's model: they are measured here with ``tracemalloc``.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import numpy as np
import pytest

from core import build_view, collapse
from core.architecture import Architecture
from core.build_lessons import LinearStack, linear_stacks
from core.figures.architecture import comparison_figure
from core.figures.tensors import tensor_figure
from core.presets import DENSE_ONLY, VGG16
from core.shapes import trace
from core.tensor_layout import tensor_boxes

HUGE = (
    "conv(512,3,relu,1,same)-flatten-dense(4096)-dense(10)"  # 401,408 × 4,096: 13 GB at full size
)
SHARED = (
    "norm-conv(32,3,relu,1,same)-flatten-dense(4096)-dense(10,softmax)"  # +850 MB per rerun before
)
LIMIT = 5_000_000  # bytes of peak allocation allowed for one call


@pytest.mark.parametrize("layers", [1, 2, 3, 10, 60])
def test_the_identity_holds_to_rounding_error(layers):
    assert collapse.gap(layers) < 1e-12
    assert collapse.gap(layers, seed=7) < 1e-12


def test_one_layer_is_its_own_single_matrix():
    assert collapse.gap(1) == 0.0


def test_the_check_is_not_vacuous():
    """Reference: with a relu between the layers, the same random matrices no longer collapse."""
    rng = np.random.default_rng(0)
    w1, w2 = rng.normal(size=(8, 8)), rng.normal(size=(8, 8))
    x = rng.normal(size=(4, 8))
    assert np.max(np.abs(np.maximum(x @ w1, 0) @ w2 - x @ (w1 @ w2))) > 0.1


def test_the_single_matrix_and_the_factors_come_from_the_run():
    stack = LinearStack(0, 2, (784, 10, 5, 10), 7_965, "softmax")
    assert collapse.single_matrix(stack) == (784, 10)
    assert collapse.factors(stack) == "W1 (784×10) · W2 (10×5) · W3 (5×10)"
    assert collapse.factors(stack, names=False) == "784×10 · 10×5 · 5×10"


def test_the_build_note_says_what_collapses_and_how_it_was_checked():
    (stack,) = linear_stacks(trace(DENSE_ONLY))
    text = collapse.collapse_text(stack)
    assert "3 Dense layers are one" in text and "Layers 1–3 only multiply and add" in text
    assert "W1 (1×10) · W2 (10×5) · W3 (5×2) = one 1×2 matrix" in text
    assert "a single Dense(2) with 4 parameters instead of 87" in text
    assert "3 random 8×8 layers" in text  # says the check used small stand-ins


def test_the_note_keeps_the_last_activation():
    stack = LinearStack(1, 3, (784, 10, 5, 10), 7_965, "softmax")
    text = collapse.collapse_text(stack)
    assert "(then the last one's softmax)" in text and "a single Dense(10, softmax)" in text


def test_the_lesson_note():
    (stack,) = linear_stacks(trace(DENSE_ONLY))
    text = collapse.lesson_text(stack)
    assert text.startswith(
        "**The collapse:** weight matrices 1×10 · 10×5 · 5×2 multiply into one 1×2"
    )
    assert f"{collapse.SIZE}×{collapse.SIZE}" in text


def peak_bytes(call: Callable[[], object]) -> int:
    """Peak bytes allocated while ``call()`` runs."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module", autouse=True)
def warm_plotly():
    """Plotly builds its validators on first use: pay that once, on a small model."""
    small = trace(DENSE_ONLY)
    tensor_figure(small)
    comparison_figure(small, small)


@pytest.fixture(scope="module", params=[HUGE, SHARED], ids=["401,408 inputs", "the shared link"])
def big(request):
    t = trace(Architecture.from_url(request.param))
    (stack,) = linear_stacks(t)
    assert stack.dims[0] >= 25_088 and stack.dims[1] == 4096
    return t, stack


def test_the_collapse_note_stays_small(big):
    t, stack = big
    assert peak_bytes(lambda: collapse.collapse_text(stack)) < LIMIT
    assert peak_bytes(lambda: collapse.lesson_text(stack)) < LIMIT
    assert peak_bytes(lambda: linear_stacks(t)) < LIMIT


def test_the_tensor_picture_stays_small(big):
    t, _ = big
    assert peak_bytes(lambda: tensor_boxes(t)) < LIMIT
    assert peak_bytes(lambda: tensor_figure(t, 0, width_hint=660)) < LIMIT


def test_the_vgg16_comparison_stays_small(big):
    t, _ = big
    vgg = trace(VGG16)
    assert peak_bytes(lambda: comparison_figure(t, vgg)) < LIMIT
    assert peak_bytes(lambda: build_view.trace_rows(t) + build_view.trace_rows(vgg)) < LIMIT
    assert peak_bytes(lambda: build_view.vgg_intro(t, vgg)) < LIMIT
    assert peak_bytes(lambda: tensor_figure(vgg, width_hint=900, label_rows=3)) < LIMIT


def test_the_old_way_would_not_have_fitted(big):
    """What the limit guards against: the run's first weight matrix at its real size."""
    _, stack = big
    assert stack.dims[0] * stack.dims[1] * 8 > 100 * LIMIT  # float64 bytes of W1 alone
