"""A workshop on one server: N browser sessions build, train, look inside and draw at the same time.

Starts ONE ``streamlit run app.py`` (tests/browser_utils.start_app) on 127.0.0.1, one headless
Chromium, and N separate browser contexts (N users) driven concurrently with Playwright's async
API. Everything stops at a hard overall deadline; whatever was measured by then is reported.

Phases (the main coroutine moves all sessions through them together):

1. session 1 alone opens /build: RSS baseline; then it alone clicks "Add layer" M times (latency
   on a quiet server).
2. the other N-1 sessions open /build: RSS per additional idle session.
3. every session clicks "Add layer" M times at once (no training yet), then Undo.
4. every session opens Train (sidebar link, same session), picks 2,000 images and 1 epoch of the
   quick recipe and starts training; queued/running is read off the sidebar card.
5. while the jobs train or wait: Build clicks again (latency under training load), Look inside,
   Draw (one pen stroke of a length unique to the session), then back to Train until its result.

Each session opens a link to the workshop CNN with its own Dense width (101, 111, ...): every page
checks that the sidebar card shows that session's parameter count, Build shows its Dense layer,
and Draw's caption shows its own stroke's crop size, so a leak between sessions is caught.

Latency: "Add layer" (ZeroPadding2D at the start, so each click makes a new shape
``(None, 30, 30, 1)``, ``(None, 32, 32, 1)``, ...) -> the frame in which the shape table shows it,
timed inside the page (performance.now, MutationObserver, requestAnimationFrame), as in
bench/bench_build_click.py.

    python bench/load_workshop.py [--sessions 10] [--deadline 480] [--clicks 5]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.async_api import async_playwright  # noqa: E402

from bench.workshop import steps  # noqa: E402
from bench.workshop.report import Report, print_report  # noqa: E402
from bench.workshop.rss import RssSampler  # noqa: E402
from bench.workshop.session import ACTION_TIMEOUT, EXPECTED, Session, console_text  # noqa: E402
from tests.browser_utils import CHROMIUM_ARGS, CHROMIUM_PATH, VIEWPORT, start_app, stop_app  # noqa: E402


async def each(sessions: list[Session], step, *args) -> None:
    """Runs ``step(session, *args)`` for every live session at once; a failure ends that session only."""

    async def guarded(s: Session) -> None:
        if s.failed:
            return
        try:
            await step(s, *args)
        except Exception as err:  # noqa: BLE001 - report it, keep the other sessions going
            s.failed = f"{step.__name__}: {type(err).__name__}: {str(err).splitlines()[0][:200]}"

    await asyncio.gather(*(guarded(s) for s in sessions))


async def drive(
    server_url: str,
    args: argparse.Namespace,
    rss: RssSampler,
    report: Report,
    sessions: list[Session],
) -> None:
    """One Chromium, one browser context per session (filled into ``sessions``), then the phases."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            for i in range(args.sessions):
                context = await browser.new_context(viewport=VIEWPORT)
                context.set_default_timeout(ACTION_TIMEOUT)
                page = await context.new_page()
                s = Session(i, page, server_url, units=101 + 10 * i, stroke=60 + 15 * (i % 10))
                page.on(
                    "console",
                    lambda m, s=s: m.type == "error" and s.console.append(console_text(m)),
                )
                page.on("pageerror", lambda e, s=s: s.console.append(f"pageerror: {str(e)[:200]}"))
                sessions.append(s)
                EXPECTED[s.name] = s.params
            await phases(sessions, args, rss, report)
        finally:
            await browser.close()


async def phases(
    sessions: list[Session], args: argparse.Namespace, rss: RssSampler, report: Report
) -> None:
    """Move every session through the phases of the module docstring, timing each one."""

    async def phase(name: str, step, group: list[Session], *step_args) -> None:
        start = time.monotonic()
        print(f"[{time.strftime('%H:%M:%S')}] {name} ({len(group)} sessions)…", flush=True)
        await each(group, step, *step_args)
        report.phase_s[name] = time.monotonic() - start
        await asyncio.sleep(2)  # let the server settle before reading its memory
        report.marks[name] = rss.read()

    report.marks["server started"] = rss.read()
    await phase("first session opens /build", steps.open_build, sessions[:1])
    await phase(
        "first session clicks alone", steps.build_clicks, sessions[:1], "alone", args.clicks
    )
    await phase("first session visits Look inside (Keras loaded)", steps.warm_up, sessions[:1])
    await phase("other sessions open /build (idle)", steps.open_build, sessions[1:])
    await phase(
        "all click at once, no training",
        steps.build_clicks,
        sessions,
        "all, no training",
        args.clicks,
    )
    train_start = time.monotonic()
    await phase("all start training", steps.start_training, sessions)
    await phase(
        "clicks during training", steps.clicks_on_build, sessions, "during training", args.clicks
    )
    await phase("Look inside", steps.visit_inside, sessions)
    await phase("Draw", steps.visit_draw, sessions)
    report.marks["peak while training"] = rss.peak_since(train_start)
    await phase("wait for results", steps.wait_result, sessions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--deadline", type=float, default=480.0, help="hard overall limit, seconds")
    parser.add_argument(
        "--clicks", type=int, default=5, help="'Add layer' clicks per session and phase"
    )
    args = parser.parse_args()
    began = time.monotonic()
    server = start_app("app.py", timeout=120.0)
    rss = RssSampler(server.process.pid)
    rss.start()
    report, sessions = Report(args.sessions), []
    loop = asyncio.new_event_loop()
    try:
        left = args.deadline - (time.monotonic() - began)
        loop.run_until_complete(
            asyncio.wait_for(drive(server.url, args, rss, report, sessions), left)
        )
    except TimeoutError:
        report.timed_out = f" — STOPPED AT THE {args.deadline:.0f} s DEADLINE"
    except KeyboardInterrupt:
        report.timed_out = " — interrupted"
    finally:
        loop.close()
        rss.stop()
        wall = time.monotonic() - began
        print_report(report, sessions, rss, server, wall)
        stop_app(server)


if __name__ == "__main__":
    main()
