"""Short, inert text for messages: cut long values, name an exception in one line."""

from __future__ import annotations

ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when something was cut.

    >>> clip("convolution", 4)
    'conv…'
    >>> clip("pool", 4)
    'pool'
    """
    return text if len(text) <= limit else text[:limit] + ELLIPSIS


def short_error(err: BaseException, limit: int = 300, with_type: bool = True) -> str:
    """The first line of ``err`` (with its type unless ``with_type`` is False), clipped.

    >>> short_error(ValueError("bad\\nsecond line"))
    'ValueError: bad'
    >>> short_error(KeyError(), with_type=False)
    'KeyError'
    """
    message = str(err).strip()
    if with_type:
        message = f"{type(err).__name__}: {message}".strip().rstrip(":")
    first = message.splitlines()[0] if message else type(err).__name__
    return clip(first, limit)
