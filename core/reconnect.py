"""Whether a browser's new session is a restart: it arrived carrying another session's id.

Streamlit's browser code opens its websocket with the subprotocols ``streamlit``, an auth token
placeholder and, after a reconnect, the id of the session it had. A server that still holds that
session takes it up again; one that does not (another server behind nginx, or this one after a
restart) starts a new session, and the person should be told why their work in the tab is gone.
"""

from __future__ import annotations

_GONE = (
    "Your earlier session in this tab is gone (its server stopped or restarted), so your session "
    "restarted here: this browser's model and runs start afresh."
)
RESTARTED = (
    f"{_GONE} Anything you posted to a room is still there; join it again (with a new nickname "
    "if yours is still taken) to go on."
)
# The address carries the member's place (``?room=...&me=...``): the Room page takes them back in
# and says so (or why not), so this notice does not ask them to join again.
RESTARTED_IN_ROOM = f"{_GONE} Anything you posted to the room is still there."


def message(in_room: bool) -> str:
    """The notice for a restarted session; ``in_room``: its address still carries its room place.

    >>> "join it again" in message(False), "join it again" in message(True)
    (True, False)
    """
    return RESTARTED_IN_ROOM if in_room else RESTARTED


def previous_session(protocols: str | None) -> str | None:
    """The session id a reconnecting browser sent, from its ``Sec-WebSocket-Protocol`` header.

    >>> previous_session("streamlit, PLACEHOLDER_AUTH_TOKEN, 4b1c-old")
    '4b1c-old'
    >>> previous_session("streamlit, PLACEHOLDER_AUTH_TOKEN") is None  # a first visit
    True
    >>> previous_session(None) is None
    True
    """
    parts = [p.strip() for p in (protocols or "").split(",")]
    return parts[2] if len(parts) > 2 and parts[2] else None


def restarted(protocols: str | None, session_id: str | None) -> bool:
    """True when the browser had a session that is not this one (so this one is new).

    >>> restarted("streamlit, token, old-id", "new-id"), restarted("streamlit, token, same", "same")
    (True, False)
    """
    before = previous_session(protocols)
    return before is not None and session_id is not None and before != session_id
