"""ui/inside_cache: Look inside's per-session store keeps the most recently used few of each kind."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.page


def _script() -> None:
    import streamlit as st

    from ui import inside_cache

    made = st.session_state.setdefault("made", [])
    for key in st.session_state.get("keys", []):
        value = inside_cache.remember("outputs", key, lambda key=key: made.append(key) or key * 10)
        assert value == key * 10
    if st.session_state.get("fail"):
        try:
            inside_cache.remember("outputs", "bad", lambda: 1 / 0)
        except ZeroDivisionError:
            st.session_state["raised"] = True


def _session(keys: list[int]) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["keys"] = keys
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_hit_is_not_made_again_and_the_least_recently_used_goes_first(monkeypatch) -> None:
    from ui import inside_cache

    monkeypatch.setitem(inside_cache.KEEP, "outputs", 3)
    at = _session([1, 2, 3, 1, 4, 1, 2])  # 1 is used again before 4 comes: 2 goes, then 3
    assert at.session_state["made"] == [1, 2, 3, 4, 2]
    assert list(at.session_state["inside.cache"]["outputs"]) == [4, 1, 2]
    at.session_state["keys"] = [2, 4, 1]
    at.run()  # a rerun that uses the three kept: all hits
    assert at.session_state["made"] == [1, 2, 3, 4, 2]


def test_sessions_do_not_share_their_store() -> None:
    _session([1, 2])
    assert _session([1, 2]).session_state["made"] == [1, 2]


def test_a_failed_computation_is_not_stored() -> None:
    at = _session([1])
    at.session_state["fail"] = True
    at.run()
    assert not at.exception and at.session_state["raised"]
    assert list(at.session_state["inside.cache"]["outputs"]) == [1]
