"""Nickname rules: NFKC, trimmed, inner whitespace collapsed, 1–24 characters, nothing invisible.

>>> check_nickname("  Ａna   Lu ")
'Ana Lu'
>>> nickname_key("ANA") == nickname_key("ana")
True
"""

from __future__ import annotations

import re
import unicodedata

from core.room.errors import RoomError

MAX_NICKNAME = 24
MAX_RAW = 400  # longer input is refused before any normalisation work
# Control, format (bidi overrides, zero-width), surrogate, private-use and unassigned characters.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_SPACES = re.compile(r"\s+")
LENGTH_TEXT = f"Pick a nickname of 1 to {MAX_NICKNAME} characters."


def check_nickname(text: object) -> str:
    """The nickname as stored and shown, or a RoomError saying what is wrong with it.

    Raises:
        RoomError: not text, empty, longer than 24 characters, or holding a control or
            formatting character (named by its code point, never echoed).
    """
    if not isinstance(text, str) or len(text) > MAX_RAW:
        raise RoomError(LENGTH_TEXT)
    name = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    bad = next((c for c in name if unicodedata.category(c) in REFUSED_CATEGORIES), None)
    if bad is not None:
        raise RoomError(
            f"A nickname cannot hold invisible or control characters (it has U+{ord(bad):04X})."
        )
    if not 1 <= len(name) <= MAX_NICKNAME:
        raise RoomError(LENGTH_TEXT)
    return name


def nickname_key(name: str) -> str:
    """What uniqueness is checked on: the case-folded nickname (a unique index in the database)."""
    return name.casefold()
