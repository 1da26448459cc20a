"""Real MNIST digits, drawn stroke by stroke at a person's pace, all reach the server whole.

Each digit is a training digit thinned to pen strokes (``tests/strokes.py``). A person draws a
stroke in 0.2-0.5 s, lifts the pen for 0.1-0.2 s, draws the next, looks at the guess, clears the
canvas with its toolbar's bin and starts the next digit at once. The canvas sends its drawing
~200 ms after each mouse-up, so the page reruns while the next stroke is being drawn.

What the server received is read off the page: the "Placed by centre of mass" tile shows the
28x28 image the model was given (4 screen pixels per MNIST pixel). It is compared with the same
strokes rendered offline and run through the same ``core.digits`` preprocessing: every stroke's
own pixels must be inked, the two images' ink must overlap, and the guess must be the digit.

Clearing must not replace the canvas component: a new widget key (the old "Clear" button bumped
it) makes Streamlit unmount the canvas one rerun later, and whatever is drawn on it until then is
lost.
"""

from __future__ import annotations

import io
import random
import time

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from core.data import load_mnist
from tests import strokes
from tests.browser_utils import assert_no_exception, goto_page, wait_for_app

CANVAS = "[data-testid=stBidiComponentIsolated] canvas.upper-canvas"
BIN = "Reset canvas & history"  # the canvas toolbar's bin: clears in place, in the browser
PLACED = "[data-testid=stImage]:has-text('Placed by centre of mass') img"
GUESS = ".draw-guess"
STEP = 0.02  # seconds between mouse moves within a stroke
STROKE_SECONDS = (0.2, 0.5)
PAUSE_SECONDS = (0.1, 0.2)
DEADLINE = 30.0  # seconds for the last stroke's rerun to land on a slow, shared machine


def paced_stroke(
    page: Page, origin: tuple[float, float], points: strokes.Stroke, seconds: float
) -> None:
    """Press, move through ``points`` with one move every ``STEP`` s for ``seconds``, release."""
    x0, y0 = origin
    page.mouse.move(x0 + points[0][0], y0 + points[0][1])
    page.mouse.down()
    start = time.perf_counter()
    for i, (x, y) in enumerate(points[1:], 1):
        wait = start + seconds * i / (len(points) - 1) - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        page.mouse.move(x0 + x, y0 + y)
    page.mouse.up()


def draw_digit(page: Page, pen: list[strokes.Stroke], rng: random.Random) -> list[strokes.Stroke]:
    """Draw the strokes at a person's pace; return the mouse paths as drawn (canvas pixels)."""
    box = page.locator(CANVAS).bounding_box()
    assert box is not None, "the canvas is not on the page"
    drawn = []
    for k, stroke in enumerate(pen):
        if k:
            time.sleep(rng.uniform(*PAUSE_SECONDS))
        seconds = rng.uniform(*STROKE_SECONDS)
        path = strokes.resample(stroke, max(2, round(seconds / STEP)))
        paced_stroke(page, (box["x"], box["y"]), path, seconds)
        drawn.append(path)
    return drawn


def received_image(page: Page) -> np.ndarray | None:
    """The 28x28 the page shows as placed for the model (None while it shows none)."""
    tile = page.locator(PLACED)
    if tile.count() != 1:
        return None
    response = page.request.get(tile.get_attribute("src"))
    if not response.ok:
        return None  # replaced by a newer run meanwhile
    grey = np.asarray(Image.open(io.BytesIO(response.body())).convert("L"), np.float64)
    side = grey.shape[0] // strokes.FIELD
    return grey.reshape(strokes.FIELD, side, strokes.FIELD, side).mean(axis=(1, 3))


def assert_whole_digit(page: Page, drawn: list[strokes.Stroke], label: int) -> None:
    """The server's image holds every stroke and the guess is ``label`` (polled: a rerun may come)."""
    seen = "no 28x28 image shown: nothing arrived"
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        wait_for_app(page, timeout=60_000, run_start=500)
        got = received_image(page)
        if got is not None:
            lost = strokes.lost(got, drawn)
            guess = page.locator(GUESS).first.inner_text() if page.locator(GUESS).count() else ""
            seen = f"{lost or 'all strokes arrived'}; the guess is {guess!r}"
            if lost is None and guess == str(label):
                score = strokes.overlap(got, strokes.prepared(drawn).image)
                print(f"{label}: {len(drawn)} strokes arrived, overlap {score:.2f}, guess {guess}")
                return
        page.wait_for_timeout(300)
    pytest.fail(f"a {label} drawn in {len(drawn)} strokes: after {DEADLINE:.0f} s, {seen}")


def clear_in_place(page: Page) -> None:
    page.locator(CANVAS).hover(position={"x": 140, "y": 140})  # the toolbar shows on hover
    page.get_by_role("button", name=BIN).click()


def test_mnist_digits_drawn_at_a_persons_pace_all_arrive(app_url, page):
    mnist = load_mnist()
    rng = random.Random(10)
    goto_page(page, app_url, "draw", timeout=60_000)
    page.locator(CANVAS).wait_for(timeout=30_000)
    box = page.locator(CANVAS).bounding_box()
    assert (box["width"], box["height"]) == (strokes.CANVAS, strokes.CANVAS)
    expect(page.get_by_role("button", name="Clear", exact=True)).to_have_count(0)
    page.evaluate(
        "s => { window.__canvas = document.querySelector(s.split(' ')[0]).shadowRoot"
        ".querySelector('canvas.upper-canvas'); }",
        CANVAS,
    )
    for n, index in enumerate(strokes.REPLAY):
        if n:
            clear_in_place(page)  # and the next digit starts at once, no waiting for the rerun
        drawn = draw_digit(page, strokes.trace(mnist.x_train[index]), rng)
        assert_whole_digit(page, drawn, int(mnist.y_train[index]))
    same = page.evaluate(
        "s => window.__canvas === document.querySelector(s.split(' ')[0]).shadowRoot"
        ".querySelector('canvas.upper-canvas')",
        CANVAS,
    )
    assert same, "clearing replaced the canvas component (its key changed)"
    assert_no_exception(page)
