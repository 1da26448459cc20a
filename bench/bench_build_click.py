"""How fast the Build page answers: click "Add layer" -> new output shape on screen; server start -> first paint.

Starts its own ``streamlit run app.py`` (tests/browser_utils.start_app), opens it in Debian's
Chromium at 1280x800 and prints:

* start-up: from launching ``streamlit run`` to the first page painted (its title visible and the
  script run finished), then the same for /build opened next (the first visit imports the page's
  modules);
* click: over REPS repetitions, from the click on "Add layer" (ZeroPadding2D, so every click makes
  a new shape, ``(None, 30, 30, 1)``, ``(None, 32, 32, 1)``, ...) to the frame in which the shape
  table shows it, timed inside the page (``performance.now()`` around the click, a MutationObserver,
  then one ``requestAnimationFrame`` for the paint).

Targets: click median <= 300 ms, first paint <= 5 s. Prints figures only; asserts nothing.

    python bench/bench_build_click.py [--reps 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.browser_utils import (  # noqa: E402
    CLICK_TO_TABLE_TEXT,
    NOT_RUNNING,
    VIEWPORT,
    goto_page,
    launch_browser,
    start_app,
    stop_app,
    wait_for_app,
)

TABLE = "[data-testid='stTable']"


def first_paint(page: Page, url: str, heading: str) -> float:
    """Seconds from page.goto to the heading visible and the run finished."""
    start = time.perf_counter()
    page.goto(url)
    page.get_by_test_id("stHeading").filter(has_text=heading).first.wait_for(timeout=120_000)
    page.locator(NOT_RUNNING).wait_for(state="attached", timeout=120_000)
    return time.perf_counter() - start


def choose_padding(page: Page) -> None:
    page.locator(".st-key-add-kind input").click()
    page.keyboard.type("Zero padding")
    page.get_by_role("option", name="Zero padding").first.click()
    wait_for_app(page)
    page.locator(".st-key-add-button button:visible").wait_for()


def clicks(page: Page, base: str, reps: int) -> list[float]:
    """Milliseconds from "Add layer" to the new shape painted, one per repetition."""
    goto_page(page, base, "build", {"arch": "norm"})
    page.locator(TABLE).wait_for()
    choose_padding(page)
    times = []
    for k in range(1, reps + 1):
        side = 28 + 2 * k
        target = f"(None, {side}, {side}, 1)"
        ms = page.evaluate(CLICK_TO_TABLE_TEXT, [".st-key-add-button button", target])
        if ms < 0:
            raise RuntimeError(f"'Add layer': {target} did not appear within 120 s")
        times.append(ms)
        wait_for_app(page, run_start=0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    launched = time.perf_counter()
    server = start_app("app.py")
    healthy = time.perf_counter() - launched
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            page = browser.new_context(viewport=VIEWPORT).new_page()
            home = first_paint(page, server.url, "MNIST at a glance")
            total = time.perf_counter() - launched
            build = first_paint(page, f"{server.url}/build", "Build")
            times = clicks(page, server.url, args.reps)
            browser.close()
    finally:
        stop_app(server)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"start-up: server healthy {healthy:.2f} s; first page painted {total:.2f} s after `streamlit run` "
        f"(page itself {home:.2f} s; target <= 5 s)"
    )
    print(f"/build opened next: painted in {build:.2f} s")
    print(
        f"click 'Add layer' -> new shape painted, {len(times)} reps: median {statistics.median(times):.0f} ms, "
        f"p95 {p95:.0f} ms, min {ordered[0]:.0f} ms, max {ordered[-1]:.0f} ms (target median <= 300 ms)"
    )


if __name__ == "__main__":
    main()
