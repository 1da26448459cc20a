"""Hostile values shared by the bad-input tests, and the check that a refusal is clear and short."""

from __future__ import annotations

from typing import Any

BOUND = 1_000  # a user-facing message longer than this is echoing the input back
MB3 = "x" * 3_000_000
RTL, ZWSP, EMOJI = "\u202e", "\u200b", "\U0001f600"
SCRIPT = "<script>alert(1)</script>"


def nested(depth: int) -> Any:
    """A list nested ``depth`` deep around the number 1."""
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
