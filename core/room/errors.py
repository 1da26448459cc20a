"""The room store's refusals: one base class, with the database-down and not-allowed cases."""

from __future__ import annotations

AFTER = "the rest of the app works and nothing of yours is lost."


class RoomError(Exception):
    """A refusal a user can fix or should read; ``str(err)`` is short and plain."""


class RoomUnavailable(RoomError):
    """The room's database cannot be reached, is read-only or full (or too busy right now)."""


class NotAllowed(RoomError):
    """A wrong or missing presenter token, or a participant acting on someone else's entry."""


def unavailable(reason: str) -> RoomUnavailable:
    """The plain message for a database that cannot be used, with a short ``reason``.

    >>> str(unavailable("it is read-only"))[:64]
    "The room's database is unavailable right now (it is read-only); "
    """
    return RoomUnavailable(f"The room's database is unavailable right now ({reason}); {AFTER}")
