"""Architecture as data: JSON and link round-trips, immutable edits, and every kind of bad input."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.architecture import MAX_LAYERS, MAX_TEXT, Architecture, ArchitectureError, LayerSpec
from core.layers import CATALOGUE, ParamSpec
from core.presets import PRESETS, VGG16


def _id(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}…({len(text):,} chars)"


ALL_PRESETS = {name: arch for name, (arch, _) in PRESETS.items()} | {"VGG16": VGG16}
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _values(p: ParamSpec) -> st.SearchStrategy:
    if p.kind == "choice":
        values = st.sampled_from(p.choices)
    elif p.kind == "int":
        values = st.integers(int(p.low), int(p.high))
    else:
        values = st.floats(
            p.low, p.high, exclude_max=p.high_open, allow_nan=False, allow_subnormal=True
        )
    return st.one_of(st.none(), values) if p.optional else values


@st.composite
def layer_specs(draw: st.DrawFn) -> LayerSpec:
    entry = draw(st.sampled_from(list(CATALOGUE.values())))
    return LayerSpec.make(entry.kind, **{p.name: draw(_values(p)) for p in entry.params})


def architectures(max_layers: int = 12) -> st.SearchStrategy[Architecture]:
    shapes = st.tuples(*[st.integers(1, 512)] * 3)
    return st.builds(Architecture, st.lists(layer_specs(), max_size=max_layers).map(tuple), shapes)


def _raises(call, *names: str) -> str:
    """Calls ``call()``, expects ArchitectureError and that its message names each of ``names``."""
    with pytest.raises(ArchitectureError) as info:
        call()
    message = str(info.value)
    for name in names:
        assert name in message, f"{name!r} not in {message!r}"
    return message


# --- round-trips ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_PRESETS)
def test_presets_round_trip_through_json_and_links(name: str) -> None:
    arch = ALL_PRESETS[name]
    assert Architecture.from_json(arch.to_json()) == arch
    assert Architecture.from_json(arch.to_json().encode()) == arch
    # Links carry the layers only; the input shape stays MNIST's.
    assert Architecture.from_url(arch.to_url()).layers == arch.layers


def test_link_text_is_compact_and_readable() -> None:
    assert ALL_PRESETS["Small CNN for workshops"].to_url() == (
        "norm-conv(16)-maxpool-conv-maxpool-flatten-dense(64,relu)-dense(10,softmax)"
    )
    arch = Architecture.from_url("conv(filters=8, padding=same)-dropout(0.25)-maxpool(3,auto,same)")
    assert arch.layers[0].params == {
        "filters": 8,
        "kernel_size": 3,
        "activation": "relu",
        "strides": 1,
        "padding": "same",
    }
    assert arch.layers[1].params["rate"] == 0.25
    assert arch.layers[2].params == {"pool_size": 3, "strides": None, "padding": "same"}


@pytest.mark.parametrize("rate", [1e-05, 0.123456789, 5e-324, 0.0, -0.0, 0.999999999999])
def test_float_values_survive_links(rate: float) -> None:
    arch = Architecture((LayerSpec.make("Dropout", rate=rate),))
    assert "e" not in arch.to_url().replace("dropout", "")
    assert Architecture.from_url(arch.to_url()) == arch


@FUZZ
@given(architectures())
def test_random_architectures_round_trip(arch: Architecture) -> None:
    assert Architecture.from_json(arch.to_json()) == arch
    assert Architecture.from_dict(json.loads(json.dumps(arch.to_dict()))) == arch
    assert Architecture.from_url(arch.to_url()).layers == arch.layers


# --- edits ----------------------------------------------------------------------------------------


@FUZZ
@given(architectures(max_layers=8).filter(len), layer_specs(), st.data())
def test_edits_return_new_architectures_and_keep_the_original(arch, layer, data) -> None:
    before = (arch.layers, arch.to_json())
    n = len(arch)
    i = data.draw(st.integers(0, n - 1), label="index")
    offset = data.draw(st.integers(-n - 2, n + 2), label="offset")
    assert arch.append(layer).layers == arch.layers + (layer,)
    assert arch.insert(i, layer).layers[i] == layer
    assert len(arch.remove(i)) == n - 1
    assert arch.replace_layer(i, layer).layers[i] == layer
    moved = arch.move(i, offset)
    assert moved.layers[min(max(i + offset, 0), n - 1)] == arch.layers[i]
    assert sorted(map(repr, moved.layers)) == sorted(map(repr, arch.layers))
    assert (arch.layers, arch.to_json()) == before
    for edited in (arch.append(layer), arch.remove(i), moved):
        assert edited.input_shape == arch.input_shape


def test_edits_reject_positions_that_do_not_exist() -> None:
    arch = ALL_PRESETS["Small CNN for workshops"]
    _raises(lambda: arch.remove(8), "8", "0 to 7")
    _raises(lambda: arch.insert(-1, LayerSpec.make("Flatten")), "-1")
    _raises(lambda: Architecture().move(0, 1), "0")


def test_layer_specs_are_frozen() -> None:
    spec = LayerSpec.make("Dense", units=3)
    with pytest.raises(AttributeError):
        spec.kind = "Conv2D"  # type: ignore[misc]
    spec.params["units"] = 99
    assert spec.params["units"] == 3
    assert spec.with_params(units=4).params["units"] == 4 and spec.params["units"] == 3


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params", "named"),
    [
        ("Conv3D", {}, "Conv3D"),
        ("<script>alert(1)</script>", {}, "<script>alert(1)</script>"),
        ("Cönv2D ☃", {}, "Cönv2D ☃"),
        ("", {}, "''"),
        ("Conv2D", {"filter": 3}, "'filter'"),
        ("Conv2D", {"kind": "Dense"}, "'kind'"),
        ("Conv2D", {"filters": 0}, "got 0"),
        ("Conv2D", {"kernel_size": 0}, "got 0"),
        ("Conv2D", {"filters": 1e308}, "got 1e+308"),
        ("Conv2D", {"filters": 2.5}, "got 2.5"),
        ("Conv2D", {"filters": True}, "got True"),
        ("Conv2D", {"filters": "abc"}, "got 'abc'"),
        ("Conv2D", {"filters": None}, "got None"),
        ("Conv2D", {"padding": "full"}, "got 'full'"),
        ("Conv2D", {"activation": "gelu"}, "got 'gelu'"),
        ("Dropout", {"rate": 1.5}, "got 1.5"),
        ("Dropout", {"rate": 1.0}, "got 1"),
        ("Dropout", {"rate": math.nan}, "got nan"),
        ("Dropout", {"rate": math.inf}, "got inf"),
        ("Dropout", {"rate": -math.inf}, "got -inf"),
        ("Dropout", {"rate": 10**400}, "far too large"),
        ("MaxPooling2D", {"strides": 0}, "got 0"),
        ("Dense", {"units": [1]}, "got [1]"),
    ],
    ids=_id,
)
def test_bad_layers_are_refused_naming_what_came_in(kind: str, params: dict, named: str) -> None:
    _raises(lambda: LayerSpec.make(kind, **params), named)
    text = json.dumps({"layers": [{"kind": "Flatten"}, {"kind": kind, "params": params}]})
    if len(text) <= MAX_TEXT:
        _raises(lambda: Architecture.from_json(text), "layer 2", named)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('{"layers": [', "not valid JSON"),
        ("", "not valid JSON"),
        ("[" * 15_000, "not valid JSON"),
        ("{" * 9_000, "not valid JSON"),
        ('{"layers": ' + "[" * 9_000 + "]" * 9_000 + "}", "not valid JSON"),
        ("[1, 2]", "list"),
        ("42", "int"),
        ('"layers"', "str"),
        ("null", "NoneType"),
        ('{"layers": {"kind": "Dense"}}', "layers = "),
        ('{"layers": [42]}', "got 42"),
        ('{"layers": [{"kind": 7}]}', "got {'kind': 7}"),
        ('{"layers": [{"kind": "Dense", "params": [1]}]}', "got [1]"),
        ('{"layers": [], "format": "keras"}', "'keras'"),
        ('{"layers": [], "input_shape": [28, 28]}', "[28, 28]"),
        ('{"layers": [], "input_shape": [0, 28, 1]}', "[0, 28, 1]"),
        ('{"layers": [], "input_shape": [true, 28, 1]}', "[True, 28, 1]"),
        ('{"layers": [{"kind": "Dropout", "params": {"rate": NaN}}]}', "got nan"),
        ('{"layers": [{"kind": "Dropout", "params": {"rate": 1e999}}]}', "got inf"),
        (
            '{"layers": [{"kind": "Dense", "params": {"units": 1' + "0" * 5000 + "}}]}",
            "not valid JSON",
        ),
        ("\ud800", "not valid JSON"),
    ],
    ids=_id,
)
def test_bad_json_is_refused_naming_what_came_in(text: str, named: str) -> None:
    _raises(lambda: Architecture.from_json(text), named)


def test_non_utf8_bytes_and_huge_texts_are_refused() -> None:
    _raises(lambda: Architecture.from_json(b"\xff\xfe{"), "UTF-8")
    megabyte = " " * 1_000_000
    _raises(lambda: Architecture.from_json(megabyte), "1,000,000")
    _raises(lambda: Architecture.from_url("conv-" * 200_000), "1,000,000")


def test_too_many_layers_are_refused_everywhere() -> None:
    n = 300
    _raises(lambda: Architecture((LayerSpec.make("Flatten"),) * n), str(n))
    _raises(
        lambda: Architecture.from_json(json.dumps({"layers": [{"kind": "Flatten"}] * n})), str(n)
    )
    _raises(lambda: Architecture.from_url("-".join(["flatten"] * n)), str(n))
    assert len(Architecture.from_url("-".join(["flatten"] * MAX_LAYERS))) == MAX_LAYERS


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("conv(((", "'conv((('"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("conv3d(5)", "'conv3d'"),
        ("Conv2D", "'Conv2D'"),
        ("conv(32,3,relu,1,valid,9)", "at most 5 values"),
        ("conv(filters=abc)", "got 'abc'"),
        ("conv(filter=3)", "'filter'"),
        ("conv(0)", "got 0"),
        ("dropout(nan)", "got nan"),
        ("dropout(inf)", "got inf"),
        ("dropout(1" + "0" * 400 + ")", "far too large"),
        ("dense(1" + "0" * 5000 + ")", "got inf"),
        ("flatten-", "layer 2"),
        ("--", "layer 1"),
        ("conv(32)x", "'conv(32)x'"),
        ("ünïcode", "'ünïcode'"),
        ("maxpool(2,0)", "got 0"),
    ],
    ids=_id,
)
def test_link_garbage_is_refused_naming_what_came_in(text: str, named: str) -> None:
    _raises(lambda: Architecture.from_url(text), named)


def test_non_text_links_are_refused() -> None:
    _raises(lambda: Architecture.from_url(None), "None")  # type: ignore[arg-type]
    assert Architecture.from_url("  ") == Architecture()
