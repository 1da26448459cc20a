"""On a session's first run, says so if the browser came from a session this server does not have."""

from __future__ import annotations

import logging

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import reconnect

log = logging.getLogger("layer_by_layer")
_CHECKED = "reconnect.checked"


def notice() -> None:
    """Shows ``core.reconnect.RESTARTED`` once, on the first run of a session that replaced another."""
    if st.session_state.get(_CHECKED):
        return
    st.session_state[_CHECKED] = True
    ctx = get_script_run_ctx()
    try:
        protocols = st.context.headers.get("Sec-Websocket-Protocol")
    except Exception:  # noqa: BLE001 - no headers (AppTest, bare mode): nothing to tell
        return
    if reconnect.restarted(protocols, ctx.session_id if ctx else None):
        log.info("a browser's session restarted on this server (its old session is not here)")
        st.info(reconnect.RESTARTED, icon=":material/restart_alt:")
