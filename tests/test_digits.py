"""core/digits.py: canvas and upload -> MNIST's 28x28 format, on hand-made cases and oracles."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from core import digits
from core.data import load_mnist, random_indices
from core.layers import MNIST_MEAN, MNIST_STD


def canvas(shape: tuple[int, int] = (280, 280), transparent: bool = False) -> np.ndarray:
    """An empty canvas image: opaque black, or fully transparent."""
    rgba = np.zeros((*shape, 4), np.uint8)
    if not transparent:
        rgba[..., 3] = 255
    return rgba


def ink(rgba: np.ndarray, rows: slice, cols: slice) -> np.ndarray:
    """Paint white, opaque ink."""
    rgba[rows, cols] = 255
    return rgba


def ink_bbox(image: np.ndarray) -> tuple[int, int]:
    top, bottom, left, right = digits.ink_box(image, level=0)
    return bottom - top, right - left


def png_bytes(array: np.ndarray, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, fmt, **kw)
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def raw_png(width: int, height: int, extra: bytes = b"") -> bytes:
    """A valid all-black 1-bit PNG, compressed row by row: a 20000x20000 one is ~50 KB on disk."""
    row = b"\0" * (1 + (width + 7) // 8)
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + extra + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )  # fmt: skip


# --- canvas -> 28x28 ------------------------------------------------------------------------------


def test_centred_square_stays_centred():
    steps = digits.from_canvas(ink(canvas(), slice(90, 190), slice(90, 190)))
    assert steps.ok and steps.cropped.shape == (100, 100) and steps.scaled.shape == (20, 20)
    expected = np.zeros((28, 28), np.uint8)
    expected[4:24, 4:24] = 255
    np.testing.assert_array_equal(steps.image, expected)


@pytest.mark.parametrize("centre", [True, False])
def test_off_centre_stroke_is_centred(centre):
    # An "L" in the top-left corner: heavy bottom bar, so centre of mass != bounding-box centre.
    rgba = ink(canvas(), slice(10, 130), slice(10, 30))
    ink(rgba, slice(110, 130), slice(10, 110))
    steps = digits.from_canvas(rgba, centre=centre)
    cy, cx = digits.centre_of_mass(steps.image)
    top, bottom, left, right = digits.ink_box(steps.image, level=0)
    if centre:  # MNIST's way: centre of mass within half a pixel of (14, 14)
        assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
    else:  # bounding box centred, so the centre of mass is off (down and left here)
        assert (top + bottom) / 2 == pytest.approx(14, abs=0.5)
        assert (left + right) / 2 == pytest.approx(14, abs=0.5)
        assert cy - 14 > 1 and 14 - cx > 1


def test_centring_moves_the_digit():
    rgba = ink(canvas(), slice(10, 130), slice(10, 30))
    ink(rgba, slice(110, 130), slice(10, 110))
    by_mass, by_box = digits.from_canvas(rgba, True), digits.from_canvas(rgba, False)
    assert by_mass.offset != by_box.offset
    np.testing.assert_array_equal(by_mass.scaled, by_box.scaled)


@pytest.mark.parametrize(
    ("rows", "cols", "expected"),
    [((40, 240), (130, 170), (20, 4)), ((130, 150), (20, 260), (2, 20))],
)
def test_aspect_ratio_is_kept(rows, cols, expected):
    steps = digits.from_canvas(ink(canvas(), slice(*rows), slice(*cols)))
    assert steps.scaled.shape == expected
    assert ink_bbox(steps.image) == expected  # a tall thin bar stays tall and thin


def test_transparent_and_opaque_canvases_agree():
    opaque = digits.from_canvas(ink(canvas(), slice(50, 200), slice(100, 140)))
    clear = digits.from_canvas(ink(canvas(transparent=True), slice(50, 200), slice(100, 140)))
    np.testing.assert_array_equal(opaque.image, clear.image)


def test_alpha_and_luminance_combine():
    rgba = canvas(transparent=True)
    rgba[0, 0] = (255, 255, 255, 128)  # half-covered white ink
    rgba[0, 1] = (255, 0, 0, 255)  # opaque red
    assert digits.canvas_to_grey(rgba)[0, :2].tolist() == [128, 76]


@pytest.mark.parametrize("rgba", [None, canvas(), canvas(transparent=True)])
def test_empty_canvas_has_a_reason_and_no_image(rgba):
    steps = digits.from_canvas(rgba)
    assert not steps.ok and steps.image is None and "draw a digit" in steps.reason
    with pytest.raises(ValueError, match="no digit"):
        steps.model_input()


def test_a_few_stray_pixels_count_as_empty():
    rgba = canvas()
    rgba[5, 5, :3] = rgba[200, 100, :3] = 255
    assert "stray" in digits.from_canvas(rgba).reason


def test_a_dot_is_classified_but_flagged():
    yy, xx = np.mgrid[:280, :280]
    rgba = canvas()
    rgba[(yy - 140) ** 2 + (xx - 140) ** 2 <= 10**2, :3] = 255  # one click of a 20 px brush
    steps = digits.from_canvas(rgba)
    assert steps.ok and len(steps.warnings) == 3  # very small, fat strokes, more ink than MNIST's
    assert "very small" in steps.warnings[0]


def test_a_small_drawing_with_fat_strokes_is_flagged():
    rgba = ink(canvas(), slice(50, 101), slice(40, 60))  # a short "1" drawn with the 20 px brush
    steps = digits.from_canvas(rgba)
    assert steps.ok and any("thicker than MNIST" in w for w in steps.warnings)


def test_mnist_digits_are_rarely_flagged():
    mnist = load_mnist()
    flagged = [
        digits.prepare(np.kron(mnist.x_test[i], np.ones((4, 4), np.uint8))).warnings
        for i in random_indices(len(mnist.y_test), 500, seed=2)
    ]
    assert sum(bool(w) for w in flagged) <= 5  # at most 1%


def test_model_input_and_normalised_view():
    steps = digits.from_canvas(ink(canvas(), slice(40, 240), slice(120, 160)))
    x = steps.model_input()
    assert x.shape == (1, 28, 28, 1) and x.dtype == np.float32 and x.max() == 255
    np.testing.assert_allclose(
        steps.normalised(), (steps.image - MNIST_MEAN) / MNIST_STD, rtol=1e-6
    )


@pytest.mark.parametrize("bad", [np.zeros((5, 5, 2), np.uint8), np.zeros((5, 5, 4), np.float32)])
def test_canvas_to_grey_refuses_other_arrays(bad):
    with pytest.raises(ValueError, match="received"):
        digits.canvas_to_grey(bad)


def area_oracle(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Exact area averaging: repeat each pixel out x out times, then average in_ x in_ blocks."""
    h, w = image.shape
    big = np.repeat(np.repeat(image.astype(np.float64), height, axis=0), width, axis=1)
    return big.reshape(height, h, width, w).mean(axis=(1, 3))


@pytest.mark.parametrize(
    ("shape", "size"), [((280, 200), (20, 14)), ((37, 5), (20, 3)), ((3, 7), (9, 20))]
)
def test_resize_area_is_exact_area_averaging(shape, size):
    image = np.random.default_rng(0).integers(0, 256, shape).astype(np.uint8)
    np.testing.assert_allclose(
        digits.resize_area(image, *size), area_oracle(image, *size), atol=1e-9
    )


def test_resize_area_matches_pillow_box_for_whole_factors():
    image = np.random.default_rng(0).integers(0, 256, (280, 120)).astype(np.float32)
    theirs = np.asarray(Image.fromarray(image).resize((12, 28), Image.Resampling.BOX))
    np.testing.assert_allclose(digits.resize_area(image, 28, 12), theirs, atol=1e-3)


# --- uploads ---------------------------------------------------------------------------------------


def digit_on_paper(dark_ink: bool) -> np.ndarray:
    """A '1' as a thick bar: dark ink on light, slightly noisy paper, or the reverse."""
    rng = np.random.default_rng(1)
    paper = rng.normal(215 if dark_ink else 30, 6, (300, 240))
    paper[60:250, 105:130] = 25 if dark_ink else 225
    return np.clip(paper, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("dark_ink", [True, False])
@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_upload_polarity_is_detected(dark_ink, fmt):
    steps, upload = digits.from_upload(png_bytes(digit_on_paper(dark_ink), fmt))
    assert upload.inverted is dark_ink and upload.format == fmt
    assert steps.ok and steps.scaled.shape[0] == 20
    assert steps.image[14, 14] > 200 and steps.image[0, 0] == 0  # white ink, paper noise gone


def test_transparent_png_with_dark_ink():
    rgba = np.zeros((100, 100, 4), np.uint8)
    rgba[20:80, 45:55] = (0, 0, 0, 255)  # black ink, transparent paper
    steps, upload = digits.from_upload(png_bytes(rgba))
    assert upload.inverted and steps.ok and ink_bbox(steps.image)[0] == 20


def test_blank_upload_has_no_ink():
    steps, _ = digits.from_upload(png_bytes(np.full((64, 64), 240, np.uint8)))
    assert not steps.ok and steps.reason == "No ink found in the image."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"GIF89a not really", "not a PNG or JPEG"),
        (b"%PDF-1.7\n" + b"x" * 100, "not a PNG or JPEG"),
        (b"\0" * (digits.MAX_UPLOAD_BYTES + 1), "at most 5 MB"),
        (png_bytes(np.zeros((4, 4), np.uint8)), "at least 8"),
    ],
    ids=["0 bytes", "gif-like text", "pdf", "too big", "tiny"],
)
def test_bad_files_get_a_clear_message(data, message):
    with pytest.raises(digits.UploadError, match=message):
        digits.decode_upload(data)


def test_truncated_png_is_refused():
    data = png_bytes(digit_on_paper(True))
    with pytest.raises(digits.UploadError, match="damaged or incomplete"):
        digits.decode_upload(data[: len(data) // 2])


def test_huge_dimensions_are_refused_before_decoding():
    data = raw_png(20_000, 20_000)  # 400 million pixels in about 50 KB
    assert len(data) < 100_000
    with pytest.raises(digits.UploadError, match="400,000,000 pixels.*decompression bomb"):
        digits.decode_upload(data)
    with pytest.raises(digits.UploadError, match="6,000×6,000 pixels; at most 25 million"):
        digits.decode_upload(raw_png(6_000, 6_000))  # under Pillow's own limit, over ours


def test_text_chunk_decompression_bomb_is_refused():
    bomb = _chunk(b"zTXt", b"comment\0\0" + zlib.compress(b"a" * 20_000_000, 9))
    data = raw_png(64, 64, extra=bomb)
    assert len(data) < 50_000
    with pytest.raises(digits.UploadError, match="decompression bomb"):
        digits.decode_upload(data)
