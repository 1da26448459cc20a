"""Draw's "Move it, turn it, thicken it" in Chromium: draw a 1, move a slider, see the guess follow."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser_utils import assert_no_exception, wait_for_app
from tests.test_browser_draw import GUESS, open_draw, stroke

MOVED = ".draw-moved-guess"


def test_thinning_a_drawn_one_away_updates_its_guess(app_url, page):
    open_draw(page, app_url)
    stroke(page, [(140, 40), (136, 240)])
    expect(page.locator(GUESS)).to_have_text("1", timeout=30_000)
    page.get_by_text("Move it, turn it, thicken it").click()  # the section opens, then computes
    wait_for_app(page, timeout=60_000, run_start=3_000)
    expect(page.locator(MOVED)).to_have_text("1")  # unmoved, the same guess
    tile = page.get_by_test_id("stImage").filter(has_text="What the models see now")
    before = tile.locator("img").get_attribute("src")

    thickness = page.get_by_test_id("stSlider").filter(has_text="Thin (−) or thicken (+)")
    thickness.get_by_role("slider").focus()
    page.keyboard.press("Home")  # the slider's minimum: 2 px thinner, more than this stroke has
    wait_for_app(page, timeout=60_000, run_start=3_000)

    expect(thickness).to_contain_text("-2")
    expect(page.get_by_text("Nothing is left of the digit")).to_be_visible()
    expect(page.locator(MOVED)).to_contain_text("?", timeout=30_000)  # low confidence
    assert tile.locator("img").get_attribute("src") != before
    expect(page.locator(GUESS)).to_have_text("1")  # the page's own guess is untouched
    assert_no_exception(page)
