"""Uploaded images and canvas data: refused with a clear, short message, or read harmlessly.

Uploads go through ``digits.decode_upload`` (which raises ``UploadError``) and then
``digits.upload_steps``; canvas data through ``digits.from_canvas``.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from typing import Any

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from core import digits
from tests.hostile import BOUND, SCRIPT, assert_clear

# --- uploaded images: digits.decode_upload, then digits.upload_steps ------------------------------


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
]


def _npy_object() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "words"), [c[1:] for c in UPLOAD_CASES], ids=[c[0] for c in UPLOAD_CASES]
)
def test_uploads_are_refused_clearly(make, words: list[str]):
    with pytest.raises(digits.UploadError) as caught:
        digits.decode_upload(make())
    assert_clear(caught.value, *words)


def test_a_script_after_a_png_is_ignored_and_the_image_read():
    upload = digits.decode_upload(png(8, 8) + SCRIPT.encode() * 1_000)  # trailing bytes: unread
    steps = digits.upload_steps(upload)
    assert upload.size == (8, 8) and upload.format == "PNG"
    assert not steps.ok and steps.reason == "No ink found in the image."  # all black: no digit


@pytest.mark.parametrize(
    "data",
    [png(50, 50, colour=255), png(50, 50, "RGBA", colour=0), png(300, 300, "I;16", colour=65_535)],
    ids=["blank white paper", "fully transparent", "16-bit white"],
)
def test_uploads_without_ink_say_so(data: bytes):
    steps = digits.upload_steps(digits.decode_upload(data))
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
