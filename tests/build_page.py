"""Helpers for the Build page's AppTest files: open the page (optionally from a link), read what it shows."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.architecture import Architecture

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60


def open_build(query: str | None = None) -> AppTest:
    """The app, switched to the Build page (optionally opened with ``?arch=query``)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if query is not None:
        at.query_params["arch"] = query
    at.run()
    at.switch_page("pages/build.py").run()
    assert_ok(at)
    return at


def assert_ok(at: AppTest) -> None:
    """No exception, and the Build page is the one shown."""
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Build"


def shapes(at: AppTest) -> list[str]:
    """The shape table's "Output shape" column, input first."""
    return list(at.table[0].value["Output shape"])


def arch_of(at: AppTest) -> Architecture:
    """The session's architecture."""
    return at.session_state["build.arch"]


def run(at: AppTest) -> AppTest:
    """Runs the page once more and checks it rendered."""
    at.run()
    assert_ok(at)
    return at


def texts(at: AppTest) -> str:
    """Every Markdown and caption text, non-breaking spaces as spaces."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(parts).replace("\u00a0", " ")
