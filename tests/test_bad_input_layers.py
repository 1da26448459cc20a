"""Bad layer parameters and share links: refused with a clear, short ArchitectureError.

``LayerSpec.make`` and ``Architecture.from_url`` take what a user types or pastes; each malformed,
extreme or hostile value gets a message that names the problem and never echoes megabytes back.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.architecture import MAX_LAYERS, MAX_TEXT, Architecture, ArchitectureError, LayerSpec
from core.layers import CATALOGUE
from tests.hostile import EMOJI, MB3, RTL, SCRIPT, ZWSP, assert_clear, nested

# --- layer parameters: LayerSpec.make ----------------------------------------------------------------

LAYER_CASES = [
    ("nan", "Conv2D", {"filters": float("nan")}, ["filters", "finite"]),
    ("inf", "Conv2D", {"kernel_size": float("inf")}, ["kernel size", "finite"]),
    ("-inf", "Dropout", {"rate": float("-inf")}, ["rate", "finite"]),
    ("negative", "Dense", {"units": -3}, ["units", "at least 1"]),
    ("zero", "Conv2D", {"filters": 0}, ["filters", "at least 1"]),
    ("1e308", "Dense", {"units": 1e308}, ["units", "at most 4096"]),
    ("10**400 float param", "Dropout", {"rate": 10**400}, ["rate", "far too large"]),
    ("10**400 int param", "Dense", {"units": 10**400}, ["units", "at most 4096"]),
    ("fraction for int", "Conv2D", {"filters": 3.5}, ["filters", "whole number"]),
    ("open upper bound", "Dropout", {"rate": 1.0}, ["rate", "below 1"]),
    ("bool", "Dense", {"units": True}, ["units", "must be a number"]),
    ("numeric string", "Dense", {"units": "64"}, ["units", "must be a number"]),
    ("None, not optional", "Conv2D", {"filters": None}, ["filters", "must be a number"]),
    ("script activation", "Dense", {"activation": SCRIPT}, ["activation", "must be one of"]),
    ("null byte", "Dense", {"activation": "relu\x00"}, ["activation", "must be one of"]),
    ("RTL mark", "Conv2D", {"padding": RTL + "same"}, ["padding", "must be one of"]),
    (
        "zero-width space",
        "Dense",
        {"activation": "re" + ZWSP + "lu"},
        ["activation", "must be one of"],
    ),
    ("emoji", "Conv2D", {"activation": EMOJI}, ["activation", "must be one of"]),
    ("a list", "Dense", {"units": [64]}, ["units", "must be a number"]),
    ("a dict", "Dense", {"units": {"$gt": 0}}, ["units", "must be a number"]),
    ("unknown parameter", "Dense", {"name": SCRIPT}, ["no parameter", "units, activation"]),
    ("dunder parameter", "Conv2D", {"__class__": 1}, ["no parameter"]),
    ("script kind", SCRIPT, {}, ["unknown layer kind", "Conv2D"]),
    ("Lambda kind", "Lambda", {"function": "os.system"}, ["unknown layer kind"]),
    ("empty kind", "", {}, ["unknown layer kind"]),
    ("emoji kind", EMOJI, {}, ["unknown layer kind"]),
]


@pytest.mark.parametrize(
    ("kind", "params", "words"), [c[1:] for c in LAYER_CASES], ids=[c[0] for c in LAYER_CASES]
)
def test_layer_parameters_are_refused_clearly(kind: str, params: dict, words: list[str]):
    with pytest.raises(ArchitectureError) as caught:
        LayerSpec.make(kind, **params)
    assert_clear(caught.value, *words)


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("Dense", {"units": MB3}),
        ("Dense", {"units": [1] * 1_000_000}),
        ("Dense", {"units": nested(900)}),
        (MB3, {}),
        ("Dense", {"x" * 100_000: 1}),
        ("Dense", {"units": 10**4000}),
    ],
    ids=[
        "3 MB string value",
        "1M-item list",
        "900-deep list",
        "3 MB kind",
        "100 kB parameter name",
        "4,001-digit int",
    ],
)
def test_layer_errors_do_not_echo_huge_values(kind: str, params: dict):
    with pytest.raises(ArchitectureError) as caught:
        LayerSpec.make(kind, **params)
    assert_clear(caught.value)


def test_every_catalogue_parameter_refuses_nan_and_huge_values():
    for entry in CATALOGUE.values():
        for p in entry.params:
            for bad in [float("nan"), 1e308, -1e308] if p.kind != "choice" else [SCRIPT, "", None]:
                if bad is None and p.optional:
                    continue
                with pytest.raises(ArchitectureError) as caught:
                    LayerSpec.make(entry.kind, **{p.name: bad})
                assert_clear(caught.value, p.label)


# --- the query string: Architecture.from_url ------------------------------------------------------

URL_CASES = [
    ("10 kB garbage", "%$#@!" * 2_000, ["cannot read"]),
    ("script tag", SCRIPT, ["cannot read", "expected e.g. conv(32,3,relu)"]),
    ("script inside parens", "dense(<script>)", ["units", "number"]),
    ("conv(1e308)", "conv(1e308)", ["filters", "at most 512"]),
    ("conv(inf)", "conv(inf)", ["filters", "finite"]),
    ("conv(nan)", "conv(nan)", ["filters", "finite"]),
    ("conv(-1)", "conv(-1)", ["cannot read"]),  # "-" separates layers: "conv(" is unreadable
    ("conv(0)", "conv(0)", ["filters", "at least 1"]),
    ("digits beyond float", "conv(" + "9" * 5_000 + ")", ["filters", "finite"]),
    ("RTL mark", "conv(" + RTL + "23)", ["filters", "number"]),
    ("zero-width space", "conv(3" + ZWSP + "2)", ["filters", "number"]),
    ("emoji", EMOJI, ["cannot read"]),
    ("null byte", "dense(10,\x00)", ["activation", "must be one of"]),
    ("unknown layer", "lambda(1)", ["unknown layer", "conv"]),
    ("unbalanced", "conv(32", ["cannot read"]),
    ("nested parens", "conv((32))", ["cannot read"]),
    ("too many values", "dense(1,relu,3,4)", ["takes at most 2"]),
    ("python in a value", "conv(filters=__import__('os'))", ["cannot read"]),
    ("dunder keyword", "conv(__class__=1)", ["no parameter"]),
    ("too many layers", "-".join(["norm"] * (MAX_LAYERS + 1)), [f"at most {MAX_LAYERS} layers"]),
    ("over the size limit", "norm-" * 5_000, ["too long"]),
    ("3 MB", MB3, ["too long"]),
]


@pytest.mark.parametrize(
    ("text", "words"), [c[1:] for c in URL_CASES], ids=[c[0] for c in URL_CASES]
)
def test_link_text_is_refused_clearly(text: str, words: list[str]):
    with pytest.raises(ArchitectureError) as caught:
        Architecture.from_url(text)
    assert_clear(caught.value, *words)


@pytest.mark.parametrize("value", [None, b"conv", ["conv"], 42])
def test_link_text_of_the_wrong_type_is_refused(value: Any):
    with pytest.raises(ArchitectureError) as caught:
        Architecture.from_url(value)
    assert_clear(caught.value, "expected link text")


def test_unicode_digits_in_a_link_read_as_the_same_number():
    # Python's int() reads full-width and Arabic-Indic digits; harmless, and written back in ASCII.
    assert Architecture.from_url("conv(\uff13\uff12)").to_url() == "conv"
    assert Architecture.from_url("dense(\u0666\u0664)").to_url() == "dense(64)"


def test_link_errors_do_not_echo_a_long_value():
    with pytest.raises(ArchitectureError) as caught:
        Architecture.from_url("conv(" + "x" * (MAX_TEXT - 100) + ")")
    assert_clear(caught.value, "filters")
