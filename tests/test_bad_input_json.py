"""Uploaded architecture files: bad JSON and bad bytes are refused with a clear, short error."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

from core.architecture import MAX_LAYERS, Architecture, ArchitectureError
from tests.hostile import MB3, RTL, SCRIPT, ZWSP, assert_clear, nested

# --- uploaded architecture JSON: Architecture.from_json --------------------------------------------


def layers_json(*layers: Any, **top: Any) -> str:
    return json.dumps({"layers": list(layers), **top})


JSON_CASES = [
    ("not JSON", "this is not json", ["not valid JSON"]),
    ("empty", "", ["not valid JSON"]),
    ("null bytes", "\x00\x00\x00", ["not valid JSON"]),
    ("trailing null", layers_json() + "\x00", ["not valid JSON"]),
    ("BOM", "\ufeff" + layers_json(), ["not valid JSON"]),
    ("top-level null", "null", ['"layers" list']),
    ("top-level list", "[1, 2]", ['"layers" list']),
    ("layers not a list", '{"layers": {"a": 1}}', ['"layers" list']),
    ("100k brackets", "[" * 100_000, ["too long"]),
    (
        "deeply nested",
        '{"layers": ' + "[" * 5_000 + "]" * 5_000 + "}",
        ["not valid JSON", "recursion"],
    ),
    ("NaN", layers_json({"kind": "Dense", "params": {"units": float("nan")}}), ["units", "finite"]),
    (
        "Infinity",
        '{"layers": [{"kind": "Dense", "params": {"units": Infinity}}]}',
        ["units", "finite"],
    ),
    ("1e999", '{"layers": [{"kind": "Dense", "params": {"units": 1e999}}]}', ["units", "finite"]),
    (
        "4,400-digit int",
        '{"layers": [{"kind": "Dense", "params": {"units": ' + "9" * 4_400 + "}}]}",
        ["not valid JSON", "digits"],
    ),
    (
        "negative",
        layers_json({"kind": "Conv2D", "params": {"filters": -32}}),
        ["layer 1", "filters", "at least 1"],
    ),
    ("script kind", layers_json({"kind": SCRIPT}), ["layer 1", "unknown layer kind"]),
    (
        "script name param",
        layers_json({"kind": "Dense", "params": {"name": SCRIPT}}),
        ["no parameter 'name'"],
    ),
    (
        "Lambda",
        layers_json({"kind": "Lambda", "params": {"function": "os.system"}}),
        ["unknown layer kind 'Lambda'"],
    ),
    (
        "a Keras model config",
        json.dumps(
            {
                "class_name": "Sequential",
                "config": {"layers": [{"class_name": "Lambda", "config": {"function": "x"}}]},
            }
        ),
        ['"layers" list'],
    ),
    ("kind not a string", layers_json({"kind": 7}), ["layer 1", "expected"]),
    (
        "params not an object",
        layers_json({"kind": "Dense", "params": [10]}),
        ["params must be an object"],
    ),
    ("layer is a string", layers_json("Dense"), ["layer 1", "expected"]),
    (
        "too many layers",
        layers_json(*[{"kind": "Flatten"}] * (MAX_LAYERS + 1)),
        [f"at most {MAX_LAYERS} layers"],
    ),
    ("huge input shape", layers_json(input_shape=[10**9, 1, 1]), ["input_shape", "1..512"]),
    ("NaN input shape", layers_json(input_shape=[float("nan"), 28, 1]), ["input_shape"]),
    ("bool input shape", layers_json(input_shape=[True, 28, 1]), ["input_shape"]),
    ("wrong format", layers_json(format=SCRIPT), ["unknown format"]),
    ("long format", layers_json(format="x" * 15_000), ["unknown format"]),
    ("unicode kind", layers_json({"kind": "Conv2D" + ZWSP}), ["unknown layer kind"]),
    (
        "RTL activation",
        layers_json({"kind": "Dense", "params": {"activation": RTL + "relu"}}),
        ["activation"],
    ),
    ("3 MB", layers_json({"kind": "Dense", "params": {"units": 10}}, pad=MB3), ["too long"]),
]


@pytest.mark.parametrize(
    ("text", "words"), [c[1:] for c in JSON_CASES], ids=[c[0] for c in JSON_CASES]
)
def test_architecture_json_is_refused_clearly(text: str, words: list[str]):
    with pytest.raises(ArchitectureError) as caught:
        Architecture.from_json(text)
    assert_clear(caught.value, *words)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xff\xfe\x00binary", ["not UTF-8"]),
        (pickle.dumps({"layers": []}), ["not UTF-8"]),
        (b"\x00" * 10, ["not valid JSON"]),
    ],
    ids=["UTF-16 bytes", "a pickle", "null bytes"],
)
def test_architecture_file_bytes_are_refused_clearly(data: bytes, words: list[str]):
    with pytest.raises(ArchitectureError) as caught:
        Architecture.from_json(data)
    assert_clear(caught.value, *words)


@pytest.mark.parametrize(
    "text",
    [
        layers_json({"kind": "Dense", "params": {"units": "x" * 19_000}}),
        layers_json({"kind": "x" * 19_000}),
        layers_json({"kind": "Dense", "params": {"x" * 19_000: 1}}),
        '{"layers": [{"kind": "Dense", "params": {"units": ' + "9" * 4_000 + "}}]}",
        layers_json({"kind": "Dense", "params": {"units": nested(900)}}),
    ],
    ids=["19 kB value", "19 kB kind", "19 kB parameter name", "4,000-digit int", "900-deep value"],
)
def test_json_errors_do_not_echo_long_values(text: str):
    with pytest.raises(ArchitectureError) as caught:
        Architecture.from_json(text)
    assert_clear(caught.value)


def test_a_hostile_name_in_a_valid_file_never_reaches_the_model():
    text = layers_json(
        {"kind": "Dense", "params": {"units": 10, "activation": "softmax"}},
        name=SCRIPT,
        extra={"x": 1},
    )
    arch = Architecture.from_json(text)  # unknown top-level keys are ignored, not stored
    assert SCRIPT not in arch.to_json() and arch.to_url() == "dense(10,softmax)"
