"""Every page runs inside app.py's navigation, even when a fresh server's first visit is a deep link."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser_utils import VIEWPORT, assert_no_exception, start_app, stop_app, wait_for_app

PAGES = sorted((Path(__file__).resolve().parents[1] / "pages").glob("*.py"))


def _top_level_calls(path: Path) -> list[str]:
    """The functions a page script calls at its top level (a page is a script, not a module).

    Whether a page reruns through app.py depends on process-wide Streamlit state, which AppTest
    resets before every run, so the call itself is checked here and its effect in the browser
    test below.
    """
    tree = ast.parse(path.read_text())
    return [
        ast.unparse(node.value.func)
        for node in tree.body
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
    ]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_every_page_asks_to_run_through_app(path: Path) -> None:
    # Streamlit's old pages/ mode would otherwise run a deep-linked page on its own.
    assert "runtime.run_through_app" in _top_level_calls(path), (
        f"{path.name} must call runtime.run_through_app() first"
    )


def test_first_visit_to_a_deep_link_gets_the_real_app(page) -> None:
    # A server of its own: the session-wide one may already have been visited at "/".
    server = start_app("app.py")
    try:
        page.goto(f"{server.url}/build?arch=norm-conv(8,5)-maxpool-flatten-dense(10,softmax)")
        wait_for_app(page)
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav).to_contain_text("MNIST at a glance")  # our titles, not file names
        # The link's architecture, not the default one.
        expect(page.get_by_text("(None, 24, 24, 8)").first).to_be_visible()
        assert_no_exception(page)
    finally:
        stop_app(server)


def test_deep_links_opened_at_once_on_a_fresh_server_all_get_the_real_app(browser) -> None:
    # Several people open the workshop's link the moment a server starts (as behind nginx): the
    # first run switches Streamlit's pages/ mode off while the others' runs have begun in it.
    server = start_app("app.py")
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in range(4)]
    try:
        pages = [c.new_page() for c in contexts]
        for p in pages:  # all four on their way before any has been served
            p.goto(f"{server.url}/build?arch=norm-conv(8,5)-maxpool-flatten-dense(10,softmax)",
                   wait_until="commit")  # fmt: skip  # the URL reads best whole
        for p in pages:
            wait_for_app(p, timeout=60_000)
            expect(p.get_by_test_id("stSidebarNav")).to_contain_text("MNIST at a glance")
            expect(p.get_by_text("(None, 24, 24, 8)").first).to_be_visible()
            assert_no_exception(p)
    finally:
        for c in contexts:
            c.close()
        stop_app(server)
