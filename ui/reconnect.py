"""On a session's first run, says so if the browser came from a session this server does not have."""

from __future__ import annotations

import logging

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import reconnect
from ui import url_state

log = logging.getLogger("layer_by_layer")
_CHECKED = "reconnect.checked"
_SAID = "reconnect.said"  # the notice this run showed (dropped on the next run)
_AGAIN = "reconnect.again"  # the notice to show once more, on the next run


def notice() -> None:
    """Says once, on the first run of a session that replaced another, that the session restarted.

    When the address carries the member's room place (``?room=...&me=...``), the Room page takes
    them back in with its own welcome-back line, so the notice does not tell them to join again.
    """
    again = st.session_state.pop(_AGAIN, None)
    if st.session_state.get(_CHECKED):
        st.session_state.pop(_SAID, None)
        if again:
            st.info(again, icon=":material/restart_alt:")
        return
    st.session_state[_CHECKED] = True
    ctx = get_script_run_ctx()
    try:
        protocols = st.context.headers.get("Sec-Websocket-Protocol")
    except Exception:  # noqa: BLE001 - no headers (AppTest, bare mode): nothing to tell
        return
    if reconnect.restarted(protocols, ctx.session_id if ctx else None):
        log.info("a browser's session restarted on this server (its old session is not here)")
        room, me = url_state.read(url_state.ROOM).value, url_state.read(url_state.ME).value
        text = reconnect.message(room is not None and me is not None)
        st.session_state[_SAID] = text
        st.info(text, icon=":material/restart_alt:")


def carry_over() -> None:
    """Shows this run's notice (if any) again on the next run: for a page about to ``st.rerun``."""
    text = st.session_state.pop(_SAID, None)
    if text:
        st.session_state[_AGAIN] = text
