"""core.reconnect: a new session is a restart only when the browser brought another session's id."""

from __future__ import annotations

import pytest

from core.reconnect import previous_session, restarted


@pytest.mark.parametrize(
    ("header", "session", "expected"),
    [
        (None, "new", False),  # no header at all (AppTest, a bare script)
        ("streamlit, PLACEHOLDER_AUTH_TOKEN", "new", False),  # a first visit
        ("streamlit, PLACEHOLDER_AUTH_TOKEN, ", "new", False),  # an empty id
        ("streamlit, PLACEHOLDER_AUTH_TOKEN, old", "new", True),  # came from a session not here
        ("streamlit,PLACEHOLDER_AUTH_TOKEN,same", "same", False),  # taken up again: not new
        ("streamlit, PLACEHOLDER_AUTH_TOKEN, old", None, False),  # outside a script run
    ],
)
def test_restarted(header, session, expected):
    assert restarted(header, session) is expected


def test_previous_session_strips_spaces():
    assert previous_session(" streamlit ,  token ,  abc ") == "abc"


def test_the_notice_asks_to_join_again_only_when_the_address_has_no_room_place():
    from core.reconnect import message

    assert "join it again (with a new nickname" in message(False)
    assert "join" not in message(True) and "nickname" not in message(True)
    assert all("so your session restarted here" in message(flag) for flag in (True, False))
