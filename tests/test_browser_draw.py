"""The Draw page in Chromium: mouse strokes on the real canvas, the prediction read off the page.

The canvas (streamlit-drawable-canvas 0.13, a components-v2 component) renders in an open shadow
root, not an iframe, so Playwright's CSS selectors reach it directly.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser_utils import assert_no_exception, goto_page, wait_for_app

CANVAS = "[data-testid=stBidiComponentIsolated] canvas.upper-canvas"
GUESS = ".draw-guess"


def stroke(page: Page, points: list[tuple[float, float]], steps: int = 10) -> None:
    """One pen stroke through ``points`` (canvas pixels, 0..280), then wait for the rerun."""
    box = page.locator(CANVAS).bounding_box()
    assert box is not None, "the canvas is not visible"
    x0, y0 = box["x"], box["y"]
    page.mouse.move(x0 + points[0][0], y0 + points[0][1])
    page.mouse.down()
    for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
        for i in range(1, steps + 1):
            page.mouse.move(x0 + ax + (bx - ax) * i / steps, y0 + ay + (by - ay) * i / steps)
    page.mouse.up()
    wait_for_app(page, timeout=60_000, run_start=3_000)  # the canvas sends ~200 ms after mouse-up


def open_draw(page: Page, app_url: str) -> None:
    goto_page(page, app_url, "draw", timeout=60_000)
    page.locator(CANVAS).wait_for(timeout=30_000)
    expect(page.get_by_text("Nothing drawn yet: draw a digit.")).to_be_visible()
    expect(page.locator(GUESS)).to_have_count(0)


@pytest.mark.parametrize(
    ("digit", "strokes"),
    [
        ("1", [[(140, 40), (136, 240)]]),
        ("7", [[(70, 60), (210, 60), (120, 240)]]),
    ],
)
def test_drawn_digit_is_recognised(app_url, page, digit, strokes):
    open_draw(page, app_url)
    for points in strokes:
        stroke(page, points)
    expect(page.locator(GUESS)).to_have_text(digit, timeout=30_000)
    assert_no_exception(page)
    expect(page.get_by_text("From your drawing to MNIST's format")).to_be_visible()


def test_undo_brings_back_the_hint(app_url, page):
    open_draw(page, app_url)
    stroke(page, [(140, 40), (136, 240)])
    expect(page.locator(GUESS)).to_have_count(1)
    page.locator(CANVAS).hover()  # the toolbar shows on hover
    page.get_by_role("button", name="Undo").click()
    wait_for_app(page, timeout=60_000, run_start=3_000)
    expect(page.get_by_text("Nothing drawn yet: draw a digit.")).to_be_visible()
    expect(page.locator(GUESS)).to_have_count(0)
