"""Start the app, open pages in Chromium at 1280x800, and save full-page PNGs of them.

Usage (from anywhere; needs Debian's chromium, ``apt-get install -y chromium``)::

    python scripts/screenshots.py                     # data and build -> docs/screenshots/
    python scripts/screenshots.py build train --out /tmp/shots
    python scripts/screenshots.py "build?arch=..."    # a page with a query string

Each page is saved as ``<out>/<url_path>.png``. The server is started and stopped with the
same code as the browser tests (``tests/browser_utils.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser_utils import (  # noqa: E402
    CHROMIUM_MISSING,
    VIEWPORT,
    assert_no_exception,
    chromium_available,
    goto_page,
    launch_browser,
    screenshot,
    start_app,
    stop_app,
    wait_for_figures,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", default=["data", "build"], help="url paths")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshots")
    parser.add_argument("--settle", type=float, default=0.5, help="extra seconds per page")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not chromium_available():
        print(CHROMIUM_MISSING, file=sys.stderr)
        return 1
    server = start_app("app.py")
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            for target in args.pages:
                url_path, _, query = target.partition("?")
                goto_page(page, server.url, url_path, query, timeout=120_000)
                wait_for_figures(page)
                time.sleep(args.settle)
                assert_no_exception(page)
                name = url_path.strip("/").replace("/", "_") or "index"
                print(screenshot(page, args.out / f"{name}.png"))
            browser.close()
    finally:
        stop_app(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
