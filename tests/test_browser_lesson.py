"""The Lesson in Chromium: a presenter's link opens step 4 in presentation mode; Next moves on."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser_utils import assert_no_exception, goto_page, wait_for_app, wait_for_figures

CHARTS = "[data-testid='stPlotlyChart']"


def test_presenter_link_opens_step_four_and_next_moves_on(app_url: str, page: Page) -> None:
    # The handed-out URL, opened directly (the page copes with being the server's first visit).
    goto_page(page, app_url, "lesson", "step=4&present=1", timeout=120_000)
    wait_for_app(page, timeout=120_000)
    expect(page.get_by_role("heading", name="4. Normalising the inputs")).to_be_visible()
    expect(
        page.get_by_text("divided by the mean instead of the standard deviation")
    ).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav").get_by_text("Lesson", exact=True)).to_be_visible()
    wait_for_figures(page, timeout=60_000)
    expect(page.locator(CHARTS).first).to_be_visible()
    assert page.locator(f"{CHARTS} .barlayer .trace").count() >= 2  # ÷ std and ÷ mean histograms
    expect(page.get_by_text("Presentation mode")).to_be_visible()
    expect(page.get_by_role("heading", name="Lesson", exact=True)).to_have_count(0)  # title hidden
    assert_no_exception(page)

    page.get_by_role("button", name="Next").click()
    wait_for_app(page, timeout=60_000)
    expect(page.get_by_role("heading", name="5. Padding and convolution")).to_be_visible()
    expect(page).to_have_url(re.compile(r"step=5"))
    expect(page).to_have_url(re.compile(r"present=1"))
    wait_for_figures(page, timeout=60_000)
    assert_no_exception(page)
