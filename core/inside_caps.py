"""How much of one layer Look inside's "Every layer" view draws, so a chart stays small for any model.

"Show every channel" of a 512-filter layer on 28×28 would tile 401,408 cells (a 51 MB peak and
7 MB of chart JSON per layer); Flatten's strip of 401,408 numbers, 59 MB. The view draws at most
MAX_CELLS cells of channels and MAX_STRIP numbers of a strip, and its caption says so.
"""

from __future__ import annotations

MAX_CELLS = 65_536  # map cells per chart with every channel on (about 8 MB at its peak)
MAX_STRIP = 50_176  # Flatten numbers drawn (128 rows of 392)
COLUMNS = 8  # tiles per row in the feature-map charts


def channels_shown(shape: tuple[int, ...], show_all: bool, first: int = 32) -> int:
    """How many channels of an (H, W, C) output to draw: ``first`` of them, or as many as fit.

    With ``show_all`` every channel is drawn while the tiles stay within MAX_CELLS (in whole
    rows of COLUMNS); never fewer than ``first``.

    >>> channels_shown((28, 28, 512), False), channels_shown((28, 28, 512), True)
    (32, 80)
    >>> channels_shown((14, 14, 64), True), channels_shown((60, 60, 512), True)
    (64, 32)
    """
    h, w, c = shape
    if not show_all:
        return min(c, first)
    fit = MAX_CELLS // max(1, h * w) // COLUMNS * COLUMNS
    return min(c, max(first, fit))


def strip_shown(n: int) -> int:
    """How many of Flatten's ``n`` numbers the strip draws (the first ones).

    >>> strip_shown(3136), strip_shown(401_408)
    (3136, 50176)
    """
    return min(n, MAX_STRIP)


def shown_note(shown: int, total: int, what: str = "channels") -> str:
    """The caption's sentence when only part of a layer is drawn ("" when all of it is).

    >>> shown_note(80, 512)
    'Showing the first 80 of 512 channels.'
    >>> shown_note(50_176, 401_408, "numbers") + shown_note(10, 10)
    'Showing the first 50,176 of 401,408 numbers.'
    """
    return "" if shown >= total else f"Showing the first {shown:,} of {total:,} {what}."
