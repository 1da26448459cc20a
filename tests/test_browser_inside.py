"""Look inside in Chromium: a digit's feature maps are drawn, and a window is explained."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser_utils import assert_no_exception, goto_page, wait_for_app, wait_for_figures

CHARTS = "[data-testid='stPlotlyChart']"


def open_look_inside(page: Page, app_url: str) -> None:
    """Start at the app's root and follow the sidebar link, as a learner does.

    (A direct /inside URL is not used: with a pages/ folder beside app.py, Streamlit 1.67 serves a
    URL that matches a file name there as an old-style page, without running app.py.)
    """
    goto_page(page, app_url, timeout=120_000)
    page.get_by_test_id("stSidebarNav").get_by_text("Look inside", exact=True).click()
    wait_for_app(page, timeout=120_000)
    expect(page).to_have_url(re.compile(r"/inside/?$"))


def test_feature_maps_of_a_digit(app_url: str, page: Page) -> None:
    open_look_inside(page, app_url)
    wait_for_figures(page, timeout=60_000)
    assert_no_exception(page)
    expect(page.get_by_test_id("stHeading").first).to_contain_text("Look inside")
    expect(page.get_by_text("test digit 0 (labelled 7)")).to_be_visible()

    # The pretrained notebook CNN: the input digit and one chart per layer, each titled
    # "Kind → shape", drawn as heatmap tiles.
    charts = page.locator(CHARTS)
    expect(charts).to_have_count(15)
    titles = page.locator(f"{CHARTS} .gtitle").evaluate_all("els => els.map(e => e.textContent)")
    for title in ("Conv2D → 28×28×32", "MaxPooling2D → 14×14×32", "Flatten → 3,136", "Dense → 10"):
        assert title in titles, titles
    conv = charts.filter(has_text="Conv2D → 28×28×32").first
    assert conv.locator("g.hm image").count() == 1  # the tiles: one heatmap, drawn as an image

    # A new digit redraws them.
    page.get_by_role("button", name="Random").click()
    wait_for_app(page, timeout=60_000)
    wait_for_figures(page, timeout=60_000)
    assert_no_exception(page)
    expect(page.get_by_text("test digit 0 (labelled 7)")).to_have_count(0)
    expect(charts).to_have_count(15)


def test_one_window_explained(app_url: str, page: Page) -> None:
    open_look_inside(page, app_url)
    page.get_by_role("tab", name="One window explained").click()
    wait_for_app(page, timeout=60_000)
    wait_for_figures(page, timeout=60_000)
    assert_no_exception(page)
    expect(page.get_by_text("Sum of the 9 products")).to_be_visible()
    expect(page.get_by_text("✓ the same as the layer's own output")).to_be_visible()

    # Moving the row reruns only the window's fragment: the explanation follows, the page stays.
    caption = page.get_by_text(re.compile(r"depends on a \d+×\d+ patch of the input"))
    before = caption.inner_text()
    row = page.get_by_test_id("stSlider").filter(has_text=re.compile(r"^Row")).get_by_role("slider")
    row.focus()
    page.keyboard.press("Home")  # row 0
    wait_for_app(page, timeout=60_000)
    expect(caption).not_to_have_text(before)
    expect(caption).to_contain_text("(rows 0–")
    assert_no_exception(page)
    expect(page.get_by_text("Sum of the 9 products")).to_be_visible()
    expect(page.get_by_test_id("stHeading").first).to_contain_text("Look inside")
