"""Look inside's experiments in Chromium: switch filters off, then click a dot to see its digit."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser_utils import assert_no_exception, wait_for_app, wait_for_figures
from tests.test_browser_inside import CHARTS, open_look_inside


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_for_app(page, timeout=120_000)
    wait_for_figures(page, timeout=60_000)
    assert_no_exception(page)


def test_switch_filters_off_then_pick_a_digit_from_the_groups(app_url: str, page: Page) -> None:
    open_look_inside(page, app_url)
    open_tab(page, "Switch filters off")
    expect(page.get_by_text("Pick some filters and press")).to_be_visible()

    # Keep only filters 0 and 1 of the first Conv2D (30 of 32 off), and press Switch off.
    page.get_by_text("Keep only these").click()
    picker = page.get_by_test_id("stMultiSelect")
    for name in ("0", "1"):
        picker.locator("input").click()
        page.get_by_role("option", name=name, exact=True).click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Switch off").click()
    wait_for_app(page, timeout=120_000)
    wait_for_figures(page, timeout=60_000)
    assert_no_exception(page)
    expect(page.get_by_text(re.compile(r"30 of 32 filters are off \(2, 3, 4"))).to_be_visible()
    metrics = page.get_by_test_id("stMetric")
    expect(metrics).to_have_count(2)
    expect(metrics.nth(1)).to_contain_text("With 30 of 32 filters off")
    expect(metrics.nth(1).get_by_test_id("stMetricDelta")).to_contain_text("points")
    expect(
        page.locator(f"{CHARTS} .gtitle", has_text="Share of each digit read right")
    ).to_be_visible()

    # How it groups digits: 2,000 dots; clicking one shows that test digit beside the chart.
    open_tab(page, "How it groups digits")
    scatter = page.locator(CHARTS).filter(has_text="2,000 test digits by")
    expect(scatter).to_have_count(1)
    dots = scatter.locator(".scatterlayer .trace .points path")
    assert dots.count() >= 2_000
    box = page.get_by_role("spinbutton", name="Test digit shown")
    before = box.input_value()
    dot = dots.nth(777)
    dot.scroll_into_view_if_needed()
    place = dot.bounding_box()
    page.mouse.click(place["x"] + place["width"] / 2, place["y"] + place["height"] / 2)
    wait_for_app(page, timeout=60_000)
    wait_for_figures(page, timeout=60_000)
    assert_no_exception(page)
    expect(box).not_to_have_value(before)
    chosen = int(box.input_value())
    expect(page.locator(f"{CHARTS} .gtitle", has_text=f"Test digit #{chosen:,}")).to_be_visible()
    expect(page.get_by_text(re.compile(r"True digit \*?\d"))).to_be_visible()
