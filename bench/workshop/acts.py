"""Timed acts of one participant: a Look inside slider move and a Draw stroke, each until painted.

Each act is timed inside the page: from the user's input event (the key press on the slider, the
pen lifted off the canvas) until the app's script run that it started has finished and the next
frame is painted (``performance.now()``, a MutationObserver on the app's run state, then
``requestAnimationFrame``), as ``tests.browser_utils.CLICK_TO_TABLE_TEXT`` times a Build click.
A fragment's rerun counts the same as a whole page's: Streamlit marks both on the same element.
"""

from __future__ import annotations

import contextlib
import re

from playwright.async_api import TimeoutError as PlaywrightTimeout

from bench.workshop.session import (
    ACTION_TIMEOUT,
    Session,
    check_page,
    nav,
    note_turnaround,
    wait_for_app,
    wire_mark,
)

CANVAS = "[data-testid=stBidiComponentIsolated] canvas.upper-canvas"
WINDOW_TAB = "One window explained"

# Arms a timer: starts at the next `event` on the document (capture phase, so a component's own
# handler cannot hide it), stops when the app is "notRunning" again after a run it started, one
# painted frame later. A run is seen either as the app's "running" state (also when it came and
# went inside one batch of mutations: the records' old values keep it) or, because React may
# render a quick run's start and end in one frame, as a change of the text of the `watch`
# elements (selector, words they contain), which only the server's reply changes.
# Resolves to milliseconds; -2 when no run showed within 20 s of the event (the input never
# reached the app); -1 after 120 s.
ARM_JS = """
([event, watch]) => {
  const app = document.querySelector("[data-testid='stApp']");
  const text = () => watch && [...document.querySelectorAll(watch[0])]
    .map((el) => el.innerText).filter((t) => t.includes(watch[1])).join("\\n");
  const before = text();
  window.__act = new Promise((resolve) => {
    let start = null, ran = false;
    document.addEventListener(event, () => {
      start = performance.now();
      setTimeout(() => { if (!ran) { observer.disconnect(); resolve(-2); } }, 20000);
    }, {capture: true, once: true});
    const observer = new MutationObserver((records) => {
      if (start === null) return;
      const state = app.getAttribute("data-test-script-state");
      if (state === "running" || records.some((r) => r.oldValue === "running")) ran = true;
      if (!ran && watch && text() !== before) ran = true;
      if (ran && state === "notRunning") {
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - start));
      }
    });
    observer.observe(app, {attributes: true, attributeFilter: ["data-test-script-state"],
                           attributeOldValue: true});
    if (watch) observer.observe(app, {childList: true, subtree: true, characterData: true});
    setTimeout(() => { observer.disconnect(); resolve(-1); }, 120000);
  });
}
"""
# What only the server changes when the slider's run is done: the explained window's caption.
SLIDER_WATCH = ["[data-testid='stCaptionContainer']", "depends on a"]
# ... and Draw's: the preprocessing caption ("Cropped 221×24 → ..."), new with every stroke.
DRAW_WATCH = ["[data-testid='stCaptionContainer']", "Cropped"]


async def _timed(s: Session, kind: str, since: int) -> float | None:
    """The armed act's milliseconds, recorded under ``kind``; None if the input started no run.
    The server's turnaround of it (websocket frames from ``since`` on) is recorded too.

    Raises:
        RuntimeError: if the run started but did not finish within 120 s.
    """
    ms = await s.page.evaluate("() => window.__act")
    if ms == -2:
        s.problems.append(f"{kind}: the input started no run within 20 s")
        return None
    if ms < 0:
        raise RuntimeError(f"{kind}: the app did not finish the run within 120 s")
    s.latencies.setdefault(kind, []).append(ms)
    await note_turnaround(s, kind, since)
    return ms


async def slider_moves(s: Session, kind: str, moves: int) -> None:
    """On Look inside's "One window explained", move the Row slider ``moves`` times, one step each."""
    await nav(s, "Look inside", "inside")
    page = s.page
    await page.get_by_role("tab", name=WINDOW_TAB).click()
    await wait_for_app(page)
    thumb = page.get_by_role("slider", name="Row")
    await thumb.wait_for(timeout=ACTION_TIMEOUT)
    caption = page.get_by_text(re.compile(r"depends on a \d+×\d+ patch"))
    for k in range(moves):
        before = await caption.first.inner_text()
        # Streamlit 1.67's slider is react-aria's: a hidden <input type=range> with its value
        # and max (no aria-valuenow). A key that cannot move it starts no run: step back from the end.
        value = await thumb.input_value()
        at_end = value == await thumb.get_attribute("max")
        key = "ArrowLeft" if at_end or k % 2 else "ArrowRight"
        since = wire_mark(s)
        # Under load a bare focus() is sometimes lost: press again until the slider moves.
        for _ in range(3):
            await thumb.focus()
            await page.evaluate(ARM_JS, ["keydown", SLIDER_WATCH])
            await page.keyboard.press(key)
            with contextlib.suppress(PlaywrightTimeout):
                await page.wait_for_function(
                    "([el, v]) => el.value !== v",
                    arg=[await thumb.element_handle(), value],
                    timeout=3_000,
                )
                break
        await _timed(s, kind, since)
        await wait_for_app(page, run_start=0)
        if await caption.first.inner_text() == before:
            s.problems.append(
                f"Look inside: slider move {k + 1} did not change the explained window"
            )
    await check_page(s, "Look inside, slider moves")


async def draw_strokes(s: Session, kind: str, strokes: int) -> None:
    """On Draw, ``strokes`` pen strokes (each lifted, then timed until the guess is painted)."""
    await nav(s, "Draw", "draw")
    page = s.page
    canvas = page.locator(CANVAS)
    await canvas.wait_for(timeout=ACTION_TIMEOUT)
    box = await canvas.bounding_box()
    for k in range(strokes):
        # A vertical stroke of this session's own length, then short bars across it.
        x0 = box["x"] + 140 + (0 if k == 0 else 25 * (k % 2) - 12)
        y0 = box["y"] + 140 - (s.stroke / 2 if k == 0 else 40 - 20 * k)
        dx, dy = (0, s.stroke) if k == 0 else (40, 0)
        await page.mouse.move(x0 - dx / 2 if k else x0, y0)
        await page.mouse.down()
        for i in range(1, 16):
            await page.mouse.move((x0 - dx / 2 if k else x0) + dx * i / 15, y0 + dy * i / 15)
            await page.wait_for_timeout(15)  # a person's pace: ~0.25 s per stroke
        await page.evaluate(ARM_JS, ["mouseup", DRAW_WATCH])
        since = wire_mark(s)
        await page.mouse.up()
        await _timed(s, kind, since)
        await wait_for_app(page, run_start=0)
        if not await page.locator(".draw-guess").count():
            s.problems.append(f"Draw: no guess shown after stroke {k + 1}")
    await check_page(s, "Draw, strokes")
