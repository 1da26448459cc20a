"""Strokes drawn at a person's pace, and right after clearing, all reach the server.

A person draws a digit in 2-3 strokes of 0.2-0.5 s with 0.1-0.2 s between them, looks at the guess,
clears, and starts the next digit at once. The canvas sends its drawing ~200 ms after each
mouse-up, so the page reruns while the next stroke is drawn. Each check reads the crop size the
page prints ("Cropped H×W"), which is the ink's bounding box of what the server received: a stroke
that never arrived changes it.

Clearing must not replace the canvas component: a new widget key (the old "Clear" button bumped
it) makes Streamlit unmount the canvas one rerun later, and whatever is drawn on it until then is
lost (the new canvas also appears 288 px lower for a frame).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser_utils import assert_no_exception, goto_page, wait_for_app

CANVAS = "[data-testid=stBidiComponentIsolated] canvas.upper-canvas"
BIN = "Reset canvas & history"  # the canvas toolbar's bin: clears in place, in the browser
CROP = re.compile(r"Cropped (\d+)×(\d+)")
BRUSH = 20

# A "4" in two strokes and an "H"-like 4 in three, in canvas pixels (0..280).
FOUR = [[(95, 40), (65, 170), (205, 170)], [(170, 55), (168, 250)]]
OPEN_FOUR = [[(85, 45), (75, 160)], [(75, 160), (200, 160)], [(175, 45), (175, 250)]]


def paced_stroke(page: Page, points: list[tuple[float, float]], seconds: float) -> None:
    """One stroke through ``points`` taking about ``seconds`` (a mouse move every ~16 ms)."""
    box = page.locator(CANVAS).bounding_box()
    assert box is not None, "the canvas is not on the page"
    x0, y0 = box["x"], box["y"]
    path = [points[0]]
    for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
        n = max(2, int(seconds / 0.016 / (len(points) - 1)))
        path += [(ax + (bx - ax) * i / n, ay + (by - ay) * i / n) for i in range(1, n + 1)]
    page.mouse.move(x0 + path[0][0], y0 + path[0][1])
    page.mouse.down()
    start = time.perf_counter()
    for i, (x, y) in enumerate(path[1:], 1):
        wait = start + seconds * i / (len(path) - 1) - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        page.mouse.move(x0 + x, y0 + y)
    page.mouse.up()


def draw_digit(page: Page, strokes: list[list[tuple[float, float]]]) -> None:
    """The strokes at a person's pace: 0.3 s each, 0.15 s apart; no waiting for the app."""
    for k, points in enumerate(strokes):
        if k:
            time.sleep(0.15)
        paced_stroke(page, points, 0.3)


def expected_crop(strokes: list[list[tuple[float, float]]]) -> tuple[int, int]:
    """Rows × columns of the ink: the strokes' extent plus the brush's radius on each side."""
    xs = [x for s in strokes for x, _ in s]
    ys = [y for s in strokes for _, y in s]
    return round(max(ys) - min(ys) + BRUSH), round(max(xs) - min(xs) + BRUSH)


def assert_whole_digit(page: Page, strokes: list[list[tuple[float, float]]]) -> None:
    """The page's crop matches all the strokes (polled: a later stroke's rerun may still come)."""
    want_rows, want_cols = expected_crop(strokes)
    seen = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        wait_for_app(page, timeout=60_000, run_start=500)
        caption = page.get_by_text(CROP)
        if caption.count() == 1:
            seen = tuple(map(int, CROP.search(caption.inner_text()).groups()))
            if abs(seen[0] - want_rows) <= 8 and abs(seen[1] - want_cols) <= 8:
                return
        page.wait_for_timeout(300)
    pytest.fail(
        f"the server's drawing is {seen[0]}×{seen[1]} (rows×columns), the strokes span "
        f"{want_rows}×{want_cols}: a stroke was lost"
        if seen
        else "no crop shown: nothing arrived"
    )


def clear_in_place(page: Page) -> None:
    page.locator(CANVAS).hover(position={"x": 140, "y": 140})  # the toolbar shows on hover
    page.get_by_role("button", name=BIN).click()


def test_strokes_at_a_persons_pace_and_right_after_clearing_all_arrive(app_url, page):
    goto_page(page, app_url, "draw", timeout=60_000)
    page.locator(CANVAS).wait_for(timeout=30_000)
    expect(page.get_by_role("button", name="Clear", exact=True)).to_have_count(0)
    page.evaluate(
        "s => { window.__canvas = document.querySelector(s.split(' ')[0]).shadowRoot"
        ".querySelector('canvas.upper-canvas'); }",
        CANVAS,
    )
    for strokes in (FOUR, OPEN_FOUR, FOUR):
        draw_digit(page, strokes)  # drawn while the previous stroke's rerun runs
        assert_whole_digit(page, strokes)
        clear_in_place(page)  # and the next digit starts at once, no waiting for the rerun
    draw_digit(page, OPEN_FOUR)
    assert_whole_digit(page, OPEN_FOUR)
    same = page.evaluate(
        "s => window.__canvas === document.querySelector(s.split(' ')[0]).shadowRoot"
        ".querySelector('canvas.upper-canvas')",
        CANVAS,
    )
    assert same, "clearing replaced the canvas component (its key changed)"
    guess = page.locator(".draw-guess").first.inner_text()
    assert guess.startswith("4"), f"the whole 4 arrived but the guess is {guess!r}"
    assert_no_exception(page)
