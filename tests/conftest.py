"""Shared fixtures: one app server and one Chromium per session, a fresh page per test.

Browser tests ask for ``app_url`` and ``page``::

    from tests.browser_utils import assert_no_exception, goto_page

    def test_build_opens(app_url, page):
        goto_page(page, app_url, "build")
        assert_no_exception(page)

Tests that use ``page`` or ``browser`` get the ``browser`` marker automatically, so
``pytest -m "not browser"`` skips them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser_utils import (
    CHROMIUM_MISSING,
    VIEWPORT,
    chromium_available,
    launch_browser,
    start_app,
    stop_app,
)
from ui.errors import STRICT_ENV

BROWSER_FIXTURES = {"page", "browser"}

# ui.errors.guard() re-raises under test (and in the app servers tests start, which inherit this),
# so a page that breaks fails its test instead of showing a polite message. tests/test_errors.py
# switches it off to test the polite message itself.
os.environ[STRICT_ENV] = "1"

# Two cores shared with TensorFlow: Playwright's default 5 s for expect() is too tight.
expect.set_options(timeout=20_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that drives Chromium with ``browser``; skip them without chromium."""
    have_chromium = chromium_available()
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
            if not have_chromium:  # before any fixture, so no app server starts for nothing
                item.add_marker(pytest.mark.skip(reason=CHROMIUM_MISSING))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep each phase's report on the item so ``page`` can screenshot failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Run ``streamlit run app.py`` from the repo root for the session; yield its base URL."""
    try:
        server = start_app("app.py", timeout=90.0)
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield server.url
    finally:
        stop_app(server)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian chromium for the session; skips where it is not installed."""
    if not chromium_available():
        pytest.skip(CHROMIUM_MISSING)
    with sync_playwright() as playwright:
        chromium = launch_browser(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(
    browser: Browser, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Page]:
    """A new 1280x800 context and page; a failing test leaves a screenshot in pytest's tmp."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    new_page = context.new_page()
    try:
        yield new_page
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-120:]
            shot = tmp_path_factory.getbasetemp() / "browser-failures" / f"{name}.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            new_page.screenshot(path=str(shot), full_page=True)
            print(f"\nscreenshot of the failed page: {shot}")
    finally:
        context.close()
