"""The Build page's lessons as data: Dense on an image, linear Dense stacks, and their one-click fixes."""

from __future__ import annotations

import pytest

from core.architecture import Architecture, LayerSpec
from core.build_lessons import (
    DenseOnImage,
    LinearStack,
    dense_on_image,
    dense_on_image_text,
    fix_dense_on_image,
    fix_linear_stack,
    fix_stack_label,
    linear_stacks,
)
from core.presets import DENSE_ONLY, NOTEBOOK_CNN, PRESETS, VGG16, WORKSHOP_CNN
from core.shapes import trace


def lesson_of(link: str) -> DenseOnImage | None:
    return dense_on_image(trace(Architecture.from_url(link)))


def stacks_of(link: str) -> list[LinearStack]:
    return linear_stacks(trace(Architecture.from_url(link)))


# --- Dense on an image ------------------------------------------------------------------------------


def test_dense_only_is_found_with_its_journey_and_positions():
    got = dense_on_image(trace(DENSE_ONLY))
    assert got == DenseOnImage(
        0, ("(28, 28, 1)", "(28, 28, 10)", "(28, 28, 5)", "(28, 28, 2)"), "28×28", 784
    )


def test_dense_after_convolutions_counts_the_remaining_positions():
    got = lesson_of("conv(8,5)-maxpool-dense(10,softmax)")  # 24×24×8, then 12×12×8
    assert got is not None
    assert (got.first, got.positions, got.count) == (2, "12×12", 144)
    assert got.journey == ("(12, 12, 8)", "(12, 12, 10)")


@pytest.mark.parametrize(
    "link", ["flatten-dense(10,softmax)", "conv(8)-flatten-dense(10)", "", "conv(8)-maxpool"]
)
def test_no_lesson_when_every_dense_sees_a_vector(link):
    assert lesson_of(link) is None


def test_a_lone_dense_on_the_image_is_the_lesson_too():
    got = lesson_of("dense")
    assert got is not None and (got.first, got.count, got.journey[-1]) == (0, 784, "(28, 28, 10)")


def test_no_lesson_when_a_layer_before_breaks():
    assert lesson_of("conv(8,5)-maxpool(8)-conv(8,5)-dense(10)") is None


@pytest.mark.parametrize(
    "arch", [*(a for a, _ in PRESETS.values()), VGG16], ids=[*PRESETS, "VGG16"]
)
def test_presets_other_than_dense_only_need_no_lesson(arch):
    assert (dense_on_image(trace(arch)) is not None) == (arch == DENSE_ONLY)


@pytest.mark.parametrize(
    ("link", "fixed"),
    [
        ("dense-dense(5)-dense(2)", "flatten-dense-dense(5)-dense(10,softmax)"),
        ("conv(8,5)-maxpool-dense(10,softmax)", "conv(8,5)-maxpool-flatten-dense(10,softmax)"),
        ("dense(64,relu)-dropout(0.3)", "flatten-dense(64,relu)-dropout(0.3)-dense(10,softmax)"),
    ],
)
def test_the_fix_adds_flatten_and_a_ten_way_softmax_and_traces(link, fixed):
    arch = Architecture.from_url(link)
    got = fix_dense_on_image(arch, dense_on_image(trace(arch)))
    assert got.to_url() == fixed
    t = trace(got)
    assert t.ok and t.output_shape == (None, 10)
    assert got.layers[-1] == LayerSpec.make("Dense", units=10, activation="softmax")
    assert dense_on_image(t) is None
    assert arch.to_url() == link  # the original is untouched


def test_the_lesson_text_names_the_shapes_and_positions():
    text = dense_on_image_text(dense_on_image(trace(DENSE_ONLY))).replace("\u00a0", " ")
    assert "`(28, 28, 1)` → `(28, 28, 10)` → `(28, 28, 5)` → `(28, 28, 2)`" in text
    assert "28×28 = 784 pixel positions" in text and "not one vector of shape `(10,)`" in text


# --- linear stacks --------------------------------------------------------------------------------------


def test_dense_only_is_one_linear_run_of_three():
    assert linear_stacks(trace(DENSE_ONLY)) == [LinearStack(0, 2, (1, 10, 5, 2), 20 + 55 + 12)]


def test_runs_are_cut_by_activations_and_other_layers():
    got = stacks_of(
        "flatten-dense(10)-dense(5,relu)-dense(4)-dense(3)-dropout(0.5)-dense(2)-dense(2)"
    )
    assert [(s.start, s.stop, s.dims, s.activation) for s in got] == [
        (1, 2, (784, 10, 5), "relu"),
        (3, 4, (5, 4, 3), "linear"),
        (6, 7, (3, 2, 2), "linear"),
    ]
    assert got[0].params == 784 * 10 + 10 + 10 * 5 + 5 and got[0].single_params == 784 * 5 + 5


@pytest.mark.parametrize(
    "link", ["flatten-dense(10,relu)-dense(10,softmax)", "flatten-dense(10)", "conv(8)", ""]
)
def test_no_run_without_two_linear_dense_layers_in_a_row(link):
    assert stacks_of(link) == []


def test_the_search_stops_where_the_trace_breaks():
    assert stacks_of("flatten-dense(10)-dense(5)-maxpool-dense(3)-dense(2)") == [
        LinearStack(1, 2, (784, 10, 5), 7_850 + 55)
    ]


@pytest.mark.parametrize(
    "arch", [NOTEBOOK_CNN, WORKSHOP_CNN, VGG16], ids=["notebook", "workshop", "vgg"]
)
def test_the_real_models_have_no_linear_run(arch):
    assert linear_stacks(trace(arch)) == []


@pytest.mark.parametrize(
    ("link", "fixed", "label"),
    [
        ("flatten-dense(10)-dense(5)-dense(10,softmax)",
         "flatten-dense(10,relu)-dense(5,relu)-dense(10,softmax)", "Give layers 2–3 a relu"),
        ("flatten-dense(4)-dense(3)", "flatten-dense(4,relu)-dense(3)", "Give layer 2 a relu"),
    ],
)  # fmt: skip  # one case per row
def test_the_fix_gives_relu_to_all_but_the_last_and_the_run_is_gone(link, fixed, label):
    arch = Architecture.from_url(link)
    (stack,) = linear_stacks(trace(arch))
    assert fix_stack_label(stack).startswith(label)
    got = fix_linear_stack(arch, stack)
    assert got.to_url() == fixed
    t = trace(got)
    assert t.ok and t.total_params == trace(arch).total_params  # same sizes, only activations
    assert linear_stacks(t) == []
    assert len(got) == len(arch)
