"""One value carried in the query string, as plain data: its key, parser, default, fallback and writer.

``ui.url_state`` holds the table of fields (``arch``, ``step``, ``present``) and reads and writes
them against ``st.query_params``; this module only says what a field is and how a raw value is
read, so the rule "a bad value falls back to the default, with a note" is written once.

>>> def count(text: str) -> int:
...     if not text.isdigit():
...         raise ValueError("a count is a whole number")
...     return int(text)
>>> n = UrlField("n", count, lambda: 1, str, "{error}, so n is 1.")
>>> n.read("42").value, n.read(None).value, n.read(None).given
(42, 1, False)
>>> n.read("x").value, n.read("x").note
(1, 'a count is a whole number, so n is 1.')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Reading(Generic[T]):
    """What a field's raw query-string value gave.

    Attributes:
        value: the parsed value, or the default when the value was missing or bad.
        note: the fallback message when the value was bad (None when it was fine or missing,
            or when the field falls back silently).
        given: True when the query string had the key at all.
        error: the parser's message for a bad value, else None.
    """

    value: T
    note: str | None = None
    given: bool = False
    error: str | None = None

    @property
    def bad(self) -> bool:
        """True when a value was given but could not be used."""
        return self.error is not None


@dataclass(frozen=True)
class UrlField(Generic[T]):
    """One query-string value.

    Attributes:
        key: the query-string key, e.g. ``"step"``.
        parse: text -> value; raises ValueError (or a subclass) with a plain message when the
            text cannot be used.
        default: the value when the key is missing or its value is bad.
        write: value -> text for the URL; None leaves the key out.
        fallback: the note for a bad value, with ``{error}`` standing for the parser's message
            (which quotes the bad text briefly, if at all); "" falls back silently.
        kept: the note when a running session keeps its current value instead of the default
            (with ``{error}`` too); "" when the field always falls back to the default.
    """

    key: str
    parse: Callable[[str], T]
    default: Callable[[], T]
    write: Callable[[T], str | None]
    fallback: str = ""
    kept: str = ""

    def read(self, raw: str | None) -> Reading[T]:
        """The value ``raw`` (the query string's text, None when missing) stands for."""
        if raw is None:
            return Reading(self.default())
        try:
            return Reading(self.parse(raw), given=True)
        except ValueError as err:
            note = self.fallback.format(error=err) if self.fallback else None
            return Reading(self.default(), note, given=True, error=str(err))

    def kept_note(self, reading: Reading[T]) -> str | None:
        """The note for a bad value that a running session ignores (keeping what it shows)."""
        if reading.error is None or not (self.kept or self.fallback):
            return None
        return (self.kept or self.fallback).format(error=reading.error)
