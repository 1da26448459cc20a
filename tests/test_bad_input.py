"""Bad input, all of it (core only): every input the app accepts, tried with malformed, extreme and hostile values.

Each must be refused with the module's own error type and a specific message that does not echo
megabytes back, or be accepted as something harmless; never another exception. And nothing a
user sends is executed: no unpickling, no Lambda, no user-supplied ``.keras``, no eval.
"""

from __future__ import annotations

import ast
import io
import json
import pickle
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from core import digits
from core.architecture import MAX_LAYERS, MAX_TEXT, Architecture, ArchitectureError, LayerSpec
from core.layers import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
BOUND = 1_000  # a user-facing message longer than this is echoing the input back
MB3 = "x" * 3_000_000
RTL, ZWSP, EMOJI, SCRIPT = "\u202e", "\u200b", "\U0001f600", "<script>alert(1)</script>"

def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def assert_clear(err: BaseException, *words: str) -> str:
    """The message names the problem (all ``words``, case-insensitive) and is length-bounded."""
    text = str(err)
    assert len(text) <= BOUND, f"message of {len(text):,} characters: {text[:200]}…"
    for word in words:
        assert word.lower() in text.lower(), f"{word!r} not in {text!r}"
    return text


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


# --- training settings: TrainSettings.validate -----------------------------------------------------

training = pytest.importorskip("core.training", reason="core/training.py is not there yet")

SETTINGS_CASES = [
    ("lr nan", {"learning_rate": float("nan")}, ["Learning rate", "finite"]),
    ("lr inf", {"learning_rate": float("inf")}, ["Learning rate", "finite"]),
    ("lr negative", {"learning_rate": -1.0}, ["Learning rate", "above 0"]),
    ("lr zero", {"learning_rate": 0.0}, ["nothing is learnt"]),
    ("lr 1e308", {"learning_rate": 1e308}, ["Learning rate", "at most 10"]),
    ("lr string", {"learning_rate": "0.01"}, ["Learning rate", "finite number"]),
    ("momentum nan", {"momentum": float("nan")}, ["Momentum"]),
    ("momentum 1", {"momentum": 1.0}, ["Momentum", "below 1"]),
    ("momentum negative", {"momentum": -0.5}, ["Momentum", "at least 0"]),
    ("batch 0", {"batch_size": 0}, ["Batch size", "1 to 4,096"]),
    ("batch 10**400", {"batch_size": 10**400}, ["Batch size"]),
    ("batch bool", {"batch_size": True}, ["Batch size"]),
    (
        "batch over images",
        {"batch_size": 4_000, "n_train": 2_000},
        ["larger than the 2,000 training images"],
    ),
    ("epochs 0", {"epochs": 0}, ["Epochs must be at least 1"]),
    ("epochs 10**6", {"epochs": 10**6}, ["Epochs", "1 to 50"]),
    ("epochs fraction", {"epochs": 1.5}, ["Epochs", "whole number"]),
    ("epochs nan", {"epochs": float("nan")}, ["Epochs", "whole number"]),
    ("images negative", {"n_train": -1}, ["Training images", "1 to 60,000"]),
    ("images 10**9", {"n_train": 10**9}, ["Training images"]),
    ("seed negative", {"seed": -1}, ["Seed", "0 to"]),
    ("seed 2**31", {"seed": 2**31}, ["Seed"]),
    ("seed nan", {"seed": float("nan")}, ["Seed"]),
    ("optimizer script", {"optimizer": SCRIPT}, ["Optimizer", "sgd, adam"]),
    ("optimizer None", {"optimizer": None}, ["Optimizer"]),
    ("optimizer emoji", {"optimizer": EMOJI}, ["Optimizer"]),
]


@pytest.mark.parametrize(
    ("changes", "words"), [c[1:] for c in SETTINGS_CASES], ids=[c[0] for c in SETTINGS_CASES]
)
def test_training_settings_are_refused_clearly(changes: dict, words: list[str]):
    problems = training.TrainSettings(**changes).validate(60_000)
    assert problems, f"{changes} was accepted"
    joined = " ".join(problems)
    for p in problems:
        assert_clear(ValueError(p))
    assert all(w.lower() in joined.lower() for w in words), problems


@pytest.mark.parametrize(
    "changes", [{"optimizer": MB3}, {"epochs": MB3}], ids=["3 MB optimizer", "3 MB epochs"]
)
def test_training_messages_do_not_echo_huge_values(changes: dict):
    for problem in training.TrainSettings(**changes).validate(60_000):
        assert_clear(ValueError(problem))


def test_the_recipes_are_valid():
    assert training.NOTEBOOK.validate() == () and training.QUICK.validate() == ()


# --- uploaded images: digits.decode_upload / from_upload -------------------------------------------


def png(width: int, height: int, mode: str = "L", colour: int = 0, **info: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), colour).save(buffer, "PNG", **info)
    return buffer.getvalue()


def with_ihdr(data: bytes, width: int, height: int) -> bytes:
    """``data`` (a PNG) with its header claiming another size (a decompression bomb's trick)."""
    chunk = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        data[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + data[33:]
    )


def text_bomb() -> bytes:
    """A small PNG whose compressed text chunk expands to 64 MB."""
    info = PngImagePlugin.PngInfo()
    info.add_text("comment", "\x00" * 64_000_000, zip=True)
    return png(50, 50, pnginfo=info)


def other_format(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (50, 50)).save(buffer, fmt)
    return buffer.getvalue()


UPLOAD_CASES = [
    ("empty", lambda: b"", ["empty"]),
    ("6 MB", lambda: b"\x00" * 6_000_000, ["MB", "at most 5"]),
    ("garbage", lambda: b"garbage" * 100, ["not a PNG or JPEG"]),
    ("a pickle", lambda: pickle.dumps({"x": 1}), ["not a PNG or JPEG"]),
    ("a .npy with objects", lambda: _npy_object(), ["not a PNG or JPEG"]),
    (
        "an SVG with a script",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT.encode() + b"</svg>",
        ["not a PNG or JPEG"],
    ),
    ("HTML", lambda: b"<html>" + SCRIPT.encode() + b"</html>", ["not a PNG or JPEG"]),
    ("GIF", lambda: other_format("GIF"), ["not a PNG or JPEG"]),
    ("BMP", lambda: other_format("BMP"), ["not a PNG or JPEG"]),
    ("truncated PNG", lambda: png(100, 100)[:60], ["damaged or incomplete"]),
    ("2x2 pixels", lambda: png(2, 2), ["2×2", "at least 8×8"]),
    (
        "header claims 100000x100000",
        lambda: with_ihdr(png(100, 100), 100_000, 100_000),
        ["decompression bomb"],
    ),
    ("header claims 20000x20000", lambda: with_ihdr(png(100, 100), 20_000, 20_000), ["pixels"]),
    ("text-chunk bomb", text_bomb, ["decompression bomb"]),
    (
        "PNG then a script",
        lambda: png(8, 8) + SCRIPT.encode() * 1_000,
        None,
    ),  # trailing bytes: readable
]


def _npy_object() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "words"), [c[1:] for c in UPLOAD_CASES], ids=[c[0] for c in UPLOAD_CASES]
)
def test_uploads_are_refused_clearly(make, words: list[str] | None):
    data = make()
    if words is None:
        steps, upload = digits.from_upload(data)  # harmless: decoded as an image, nothing else read
        assert upload.size == (8, 8) and not steps.ok and steps.reason
        return
    with pytest.raises(digits.UploadError) as caught:
        digits.from_upload(data)
    assert_clear(caught.value, *words)


@pytest.mark.parametrize(
    "data",
    [png(50, 50, colour=255), png(50, 50, "RGBA", colour=0), png(300, 300, "I;16", colour=65_535)],
    ids=["blank white paper", "fully transparent", "16-bit white"],
)
def test_uploads_without_ink_say_so(data: bytes):
    steps, _ = digits.from_upload(data)
    assert not steps.ok and "No ink" in steps.reason


# --- the canvas: digits.from_canvas -----------------------------------------------------------------

CANVAS_CASES = [
    ("float64", np.zeros((280, 280, 4)), ["uint8", "float64"]),
    ("NaN", np.full((280, 280, 4), np.nan, np.float32), ["uint8", "float32"]),
    ("inf", np.full((280, 280, 4), np.inf), ["uint8"]),
    ("int64", np.zeros((280, 280, 4), np.int64), ["uint8", "int64"]),
    ("negative int8", np.full((280, 280, 4), -1, np.int8), ["uint8", "int8"]),
    ("bool", np.ones((280, 280, 4), bool), ["uint8", "bool"]),
    ("object", np.empty((280, 280, 4), object), ["uint8", "object"]),
    ("strings", np.array([[SCRIPT]]), ["uint8"]),
    ("a nested list", [[1, 2], [3, 4]], ["uint8"]),
    ("0x0", np.zeros((0, 0, 4), np.uint8), ["(H, W, 4)", "(0, 0, 4)"]),
    ("5 channels", np.zeros((280, 280, 5), np.uint8), ["(H, W, 4)", "(280, 280, 5)"]),
    ("1-D", np.zeros(280, np.uint8), ["(H, W, 4)", "(280,)"]),
    ("4-D", np.zeros((2, 280, 280, 4), np.uint8), ["(H, W, 4)", "(2, 280, 280, 4)"]),
    ("scalar", np.uint8(7), ["(H, W, 4)"]),
]


@pytest.mark.parametrize(
    ("rgba", "words"), [c[1:] for c in CANVAS_CASES], ids=[c[0] for c in CANVAS_CASES]
)
def test_canvas_data_of_the_wrong_kind_is_refused_clearly(rgba: Any, words: list[str]):
    with pytest.raises(ValueError) as caught:
        digits.from_canvas(rgba)
    assert_clear(caught.value, *words)


@pytest.mark.parametrize(
    ("rgba", "ok"),
    [
        (None, False),
        (np.zeros((1, 1, 4), np.uint8), False),
        (np.zeros((280, 280, 4), np.uint8), False),
        (np.full((280, 280, 4), 255, np.uint8), True),  # all ink: accepted with a warning
        (np.random.default_rng(0).integers(0, 256, (280, 280, 4), dtype=np.uint8), True),
        (np.full((2_000, 3, 4), 255, np.uint8), True),  # a thin sliver
    ],
    ids=["none yet", "1x1", "empty", "all ink", "noise", "2000x3 sliver"],
)
def test_odd_canvases_give_steps_or_a_reason(rgba: Any, ok: bool):
    steps = digits.from_canvas(rgba)
    assert steps.ok is ok
    if ok:
        assert steps.image.shape == (28, 28) and steps.image.dtype == np.uint8
        assert steps.model_input().shape == (1, 28, 28, 1)
    else:
        assert steps.reason and len(steps.reason) <= BOUND


def test_an_all_ink_canvas_is_flagged_as_unlike_mnist():
    steps = digits.from_canvas(np.full((280, 280, 4), 255, np.uint8))
    assert any("more ink" in w for w in steps.warnings)


# --- the lesson's ?step= ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "0",
        "-1",
        "12",
        "1e308",
        "nan",
        "inf",
        "4.5",
        "٤",
        "４",
        "1" * 10_000,
        SCRIPT,
        RTL + "3",
        "3" + ZWSP,
        EMOJI,
        "\x00",
        "",
    ],
)
def test_lesson_step_values_fall_back_to_step_one_with_a_short_note(raw: str):
    lesson = pytest.importorskip("core.lesson", reason="core/lesson.py is not there yet")
    number, note = lesson.parse_step(raw)
    assert number == lesson.FIRST
    assert note and len(note) <= 200 and "step" in note
    assert all(c.isprintable() for c in note) and "\x00" not in note


# --- nothing a user sends is executed ---------------------------------------------------------------

DANGEROUS = re.compile(
    r"pickle\.loads?\(|\.Unpickler\b|allow_pickle\s*=\s*True|safe_mode\s*=\s*False|\bLambda\(|"
    r"(?<![\w.])eval\(|(?<![\w.])exec\(|\b__import__\(|marshal\.loads?\(|yaml\.(?:unsafe_)?load\(|"
    r"joblib\.load\(|torch\.load\(|load_model\(|enable_unsafe_deserialization|shell\s*=\s*True|os\.system\("
)
# (file, the matching text) pairs that are legitimate, each with why.
ALLOWED = {
    # Builds data/mnist.npz from a pinned, hash-checked wheel with an unpickler that admits only
    # NumPy's array constructors; never run by the app.
    ("scripts/build_mnist.py", ".Unpickler"),
    # The notebook's Keras 1 line, shown as text on the Lesson/Build pages, never run.
    ("core/keras_history.py", "Lambda("),
    # The one model file the app loads: the shipped models/pretrained.keras, in safe mode.
    ("core/predict.py", "load_model("),
    # Help text telling the user how to load their own download in their own notebook.
    ("pages/train.py", "load_model("),
}


def _code_files() -> list[Path]:
    skip = {"tests", ".git", ".venv", "node_modules"}
    return [p for p in ROOT.rglob("*.py") if not skip & set(p.relative_to(ROOT).parts)]


def test_no_code_outside_tests_unpickles_evals_or_loads_unsafe_models():
    found = set()
    for path in _code_files():
        rel = path.relative_to(ROOT).as_posix()
        for line in path.read_text(errors="replace").splitlines():
            for match in DANGEROUS.finditer(line):
                if (rel, match.group(0)) not in ALLOWED:
                    found.add(f"{rel}: {line.strip()}")
    assert not found, "code that could execute user data:\n" + "\n".join(sorted(found))


def _calls(name: str) -> list[tuple[str, ast.Call]]:
    """Every call of a function or method called ``name`` in the app's code, with its file."""
    found = []
    for path in _code_files():
        tree = ast.parse(path.read_text(errors="replace"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if called == name:
                    found.append((path.relative_to(ROOT).as_posix(), node))
    return found


def test_the_only_keras_file_loaded_is_the_shipped_one_in_safe_mode():
    loads = _calls("load_model")
    assert [(f, ast.unparse(c)) for f, c in loads] == [
        ("core/predict.py", "keras.saving.load_model(path, safe_mode=True, compile=False)")
    ]
    for rel, call in _calls("load_pretrained"):  # only ever the default path: the shipped file
        assert not call.args and not call.keywords or rel.startswith(("scripts/", "bench/")), (
            f"{rel}: {ast.unparse(call)}"
        )
    predict = (ROOT / "core/predict.py").read_text()
    assert 'MODEL_PATH = MODEL_DIR / "pretrained.keras"' in predict
    assert "def load_pretrained(path: str | Path = MODEL_PATH)" in predict


def test_uploaders_accept_only_json_and_images():
    uploads = _calls("file_uploader")
    assert uploads
    for rel, call in uploads:
        types = next((ast.literal_eval(k.value) for k in call.keywords if k.arg == "type"), None)
        assert types, f"{rel}: a file_uploader without a type list accepts any file"
        assert set(types) <= {"json", "png", "jpg", "jpeg"}, f"{rel}: {types}"


def test_the_shipped_data_is_read_without_pickle():
    source = (ROOT / "core/data.py").read_text()
    assert "np.load(path, allow_pickle=False)" in source
