"""What each simulated user does on the pages: Build clicks, Train, Look inside, Draw, the result."""

from __future__ import annotations

import re
import time

from playwright.async_api import Page

from bench.workshop.session import (
    ACTION_TIMEOUT,
    Session,
    check_page,
    nav,
    note_status,
    note_turnaround,
    sidebar_text,
    wait_for_app,
    wire_mark,
)
from tests.browser_utils import CLICK_TO_TABLE_TEXT

TRAIN_WAIT = 600_000  # ms; bounded by the overall deadline anyway
TABLE = "[data-testid='stTable']"
CANVAS = "[data-testid=stBidiComponentIsolated] canvas.upper-canvas"


async def open_build(s: Session) -> None:
    """Opens /build with a link to this session's architecture (a new Streamlit session)."""
    await s.page.goto(f"{s.base}/build?arch={s.arch.to_url()}", timeout=ACTION_TIMEOUT)
    await wait_for_app(s.page)
    await s.page.locator(TABLE).wait_for(timeout=ACTION_TIMEOUT)
    await check_build(s, "open /build")


async def note_route(s: Session) -> None:
    """Which server nginx routes this browser to (its ``X-Upstream`` header; "" when direct).

    The request goes through the browser context, with its cookies, so it takes the same sticky
    route as the page's own websocket."""
    response = await s.page.context.request.get(f"{s.base}/_stcore/health")
    s.route = (response.headers.get("x-upstream") or "").split(",")[-1].strip()


async def check_build(s: Session, where: str) -> None:
    """``check_page``, and the Build table must show this session's own Dense layer."""
    await check_page(s, where)
    table = await s.page.locator(TABLE).inner_text()
    if f"Dense({s.units}, relu)" not in table:
        found = re.findall(r"Dense\((\d+), relu\)", table)
        s.problems.append(f"{where}: Build shows Dense{found}, expected Dense({s.units}, relu)")


async def choose_padding_at_start(page: Page) -> None:
    """Pick "Zero padding" in the Build page's add-layer box."""
    await page.locator(".st-key-add-kind input").click()
    await page.keyboard.type("Zero padding")
    await page.get_by_role("option", name="Zero padding").first.click()
    await wait_for_app(page)
    await page.locator(".st-key-add-button button:visible").wait_for(timeout=ACTION_TIMEOUT)


async def build_clicks(s: Session, phase: str, clicks: int) -> None:
    """``clicks`` x "Add layer" (ZeroPadding2D at the start), each timed in the page; then Undo them."""
    page = s.page
    await choose_padding_at_start(page)
    times = s.latencies.setdefault(phase, [])
    for k in range(1, clicks + 1):
        await page.locator(".st-key-add-where").get_by_text("at the start").click()
        side = 28 + 2 * k
        since = wire_mark(s)
        ms = await page.evaluate(
            CLICK_TO_TABLE_TEXT, [".st-key-add-button button", f"(None, {side}, {side}, 1)"]
        )
        if ms < 0:
            raise RuntimeError(f"'Add layer' click {k}: the new shape did not appear within 120 s")
        times.append(ms)
        await note_turnaround(s, phase, since)
        await wait_for_app(page, run_start=0)
    # One Undo at a time: two quick clicks on a button can merge into one.
    for k in range(clicks, 0, -1):
        gone = f"(None, {28 + 2 * k}, {28 + 2 * k}, 1)"
        await page.locator(".st-key-undo button:visible").first.click()
        await page.wait_for_function(
            "t => !(document.querySelector(\"[data-testid='stTable']\")?.innerText ?? '').includes(t)",
            arg=gone,
            timeout=ACTION_TIMEOUT,
        )
        await wait_for_app(page, run_start=0)
    await check_build(s, f"Build after {phase} clicks and undo")


async def clicks_on_build(s: Session, phase: str, clicks: int) -> None:
    """Back to Build by the sidebar link, then ``build_clicks``."""
    await nav(s, "Build", "build")
    await s.page.locator(TABLE).wait_for(timeout=ACTION_TIMEOUT)
    await build_clicks(s, phase, clicks)


async def warm_up(s: Session) -> None:
    """Look inside and back: loads Keras, TensorFlow, MNIST and the pretrained model into the server."""
    await visit_inside(s)
    await nav(s, "Build", "build")
    await check_build(s, "Build after Look inside")


async def start_training(s: Session) -> None:
    """Open Train, choose the quick recipe on 2,000 images for 1 epoch, and press Train."""
    await nav(s, "Train", "train")
    await check_page(s, "open Train")
    page = s.page
    await page.get_by_role("button", name="Quick recipe").click()
    await wait_for_app(page)
    await page.get_by_test_id("stSelectbox").filter(has_text="Training images").click()
    await page.get_by_role("option", name="2,000 (quick)", exact=True).click()
    await wait_for_app(page)
    epochs = page.get_by_role("spinbutton", name="Epochs")
    await epochs.fill("1")
    await epochs.press("Enter")
    await wait_for_app(page)
    await page.get_by_role("button", name="Train", exact=True).click()
    await wait_for_app(page)
    await page.wait_for_timeout(1_500)  # the sidebar card's first poll
    note_status(s, await page.locator("body").inner_text())
    await check_page(s, "Train started")


async def visit_inside(s: Session) -> None:
    """Open Look inside and wait for its heading."""
    await nav(s, "Look inside", "inside")
    await (
        s.page.get_by_test_id("stHeading")
        .filter(has_text="Look inside")
        .first.wait_for(timeout=ACTION_TIMEOUT)
    )
    await check_page(s, "Look inside")


async def visit_draw(s: Session) -> None:
    """One vertical stroke of this session's own length; the page's crop caption must match it."""
    await nav(s, "Draw", "draw")
    page = s.page
    canvas = page.locator(CANVAS)
    await canvas.wait_for(timeout=ACTION_TIMEOUT)
    box = await canvas.bounding_box()
    x, top = box["x"] + 140, box["y"] + 140 - s.stroke / 2
    await page.mouse.move(x, top)
    await page.mouse.down()
    for i in range(1, 21):
        await page.mouse.move(x, top + s.stroke * i / 20)
    await page.mouse.up()
    await wait_for_app(page, run_start=3_000)
    caption = page.get_by_text(re.compile(r"Cropped \d+×\d+"))
    await caption.first.wait_for(timeout=ACTION_TIMEOUT)
    body = await check_page(s, "Draw")
    found = re.search(r"Cropped (\d+)×(\d+)", body)
    height = int(found.group(1)) if found else -1
    if abs(height - (s.stroke + 20)) > 6:  # brush 20 px: the stroke plus two half-brushes
        s.problems.append(
            f"Draw: crop height {height}, expected about {s.stroke + 20} (this session's stroke)"
        )


async def wait_result(s: Session) -> None:
    """Back on Train, wait for this session's result and read its test accuracy."""
    await nav(s, "Train", "train")
    main = s.page.get_by_test_id("stMain")
    deadline = time.monotonic() + TRAIN_WAIT / 1000
    while time.monotonic() < deadline:
        note_status(s, await sidebar_text(s))
        if await main.get_by_text("Your trained model (run #1)").count():
            break
        await s.page.wait_for_timeout(1_000)
    await wait_for_app(s.page)
    body = await check_page(s, "Train result")
    if "belong to the previous architecture" in body:
        s.problems.append("Train result: the trained model is not this session's architecture")
    found = re.search(r"Test accuracy\s*([\d.]+%)", body)
    s.result = found.group(1) if found else "(no result)"
    if found:
        s.statuses.add("finished")
