"""core/uploads.py: PNG/JPEG bytes decoded safely, or refused with a message for the user."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from core import uploads


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
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + extra
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def digit_on_paper(dark_ink: bool) -> np.ndarray:
    """A '1' as a thick bar: dark ink on light, slightly noisy paper, or the reverse."""
    rng = np.random.default_rng(1)
    paper = rng.normal(215 if dark_ink else 30, 6, (300, 240))
    paper[60:250, 105:130] = 25 if dark_ink else 225
    return np.clip(paper, 0, 255).astype(np.uint8)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"GIF89a not really", "not a PNG or JPEG"),
        (b"%PDF-1.7\n" + b"x" * 100, "not a PNG or JPEG"),
        (b"\0" * (uploads.MAX_UPLOAD_BYTES + 1), "at most 5 MB"),
        (png_bytes(np.zeros((4, 4), np.uint8)), "at least 8"),
    ],
    ids=["0 bytes", "gif-like text", "pdf", "too big", "tiny"],
)
def test_bad_files_get_a_clear_message(data, message):
    with pytest.raises(uploads.UploadError, match=message):
        uploads.decode_upload(data)


def test_truncated_png_is_refused():
    data = png_bytes(digit_on_paper(True))
    with pytest.raises(uploads.UploadError, match="damaged or incomplete"):
        uploads.decode_upload(data[: len(data) // 2])


def test_huge_dimensions_are_refused_before_decoding():
    data = raw_png(20_000, 20_000)  # 400 million pixels in about 50 KB
    assert len(data) < 100_000
    with pytest.raises(uploads.UploadError, match="400,000,000 pixels.*decompression bomb"):
        uploads.decode_upload(data)
    with pytest.raises(uploads.UploadError, match="6,000×6,000 pixels; at most 25 million"):
        uploads.decode_upload(raw_png(6_000, 6_000))  # under Pillow's own limit, over ours


def test_text_chunk_decompression_bomb_is_refused():
    bomb = _chunk(b"zTXt", b"comment\0\0" + zlib.compress(b"a" * 20_000_000, 9))
    data = raw_png(64, 64, extra=bomb)
    assert len(data) < 50_000


def test_dark_ink_is_inverted_and_the_paper_cleaned():
    upload = uploads.decode_upload(png_bytes(digit_on_paper(dark_ink=True)))
    assert upload.inverted and upload.size == (240, 300) and upload.format == "PNG"
    assert upload.original[0, 0] > 150 and upload.grey[0, 0] == 0  # light paper -> black
    assert upload.grey[150, 115] == 255  # the stroke -> full white ink
