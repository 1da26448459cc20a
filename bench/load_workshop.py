"""A workshop: N browser sessions connected, K of them acting at once, some training.

Starts ONE ``streamlit run app.py`` (tests/browser_utils.start_app) on 127.0.0.1, one headless
Chromium, and N separate browser contexts (N users) driven concurrently with Playwright's async
API. With ``--through-nginx`` the same workshop then runs again through Debian's nginx in front of
``--servers`` servers (deploy.stack, sticky by a cookie), and the two latency tables are printed
side by side. With ``--taskset`` (the default on a machine with 2+ cores) the servers (and nginx)
are pinned to the first core(s) and this script, Playwright and Chromium to the last one; each
phase prints how busy the servers and every core were, so a saturated browser core shows.
Everything stops at a hard deadline per workshop; whatever was measured by then is reported.

Phases (the main coroutine moves the sessions through them together):

1. session 1 alone opens /build and clicks "Add layer" M times, visits Look inside (loading Keras),
   moves its slider and draws strokes: the quiet-server baselines.
2. the other N-1 sessions open /build, five at a time: all N connected; RSS per idle session.
3. K sessions act at once (the rest idle): Build clicks, Look inside slider moves, Draw strokes.
4. K other sessions open Train and start a quick run (2,000 images, 1 epoch): one trains, the
   rest queue.
5. while those train or wait, the first K act again, all three acts timed.
6. the training sessions wait for their results; every job must finish, in queue order.

Each session opens a link to the workshop CNN with its own Dense width (101, 111, ...): every page
checks that the sidebar card shows that session's parameter count, Build shows its Dense layer,
and Draw's caption shows its own stroke's crop size, so a leak between sessions is caught.

Latency (each timed inside the page, from the user's input event to the painted result): "Add
layer" -> the new shape in Build's table; a Row slider step on Look inside's "One window
explained" -> its run finished and painted; a pen stroke lifted on Draw -> the new guess painted.
Target: every p95 <= 1 s with N=30 connected and K=10 acting.

    python bench/load_workshop.py [--sessions 30] [--acting 10] [--deadline 900] [--clicks 5]
        [--through-nginx [--servers 2] [--db URL]]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.async_api import async_playwright  # noqa: E402

from bench.workshop import acts, steps  # noqa: E402
from bench.workshop.process import patched_env, pinned, run_log_path  # noqa: E402
from bench.workshop.report import Report, print_report, print_side_by_side  # noqa: E402
from bench.workshop.rss import Load, RssSampler  # noqa: E402
from bench.workshop.servers import nginx_stack  # noqa: E402
from bench.workshop.session import ACTION_TIMEOUT, EXPECTED, Session, console_text  # noqa: E402
from bench.workshop.wire import Wire  # noqa: E402
from core import run_log  # noqa: E402
from tests.browser_utils import CHROMIUM_ARGS, CHROMIUM_PATH, VIEWPORT, start_app, stop_app  # noqa: E402

# Sessions opening the app at the same moment (30 page loads at once swamp one browser core).
WAVE = 5


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
                if i < args.acting:  # their acts' server turnaround, from the websocket frames
                    s.wire = Wire()
                    await s.wire.attach(page)
                sessions.append(s)
                EXPECTED[s.name] = s.params
            await phases(sessions, args, rss, report)
        finally:
            await browser.close()


async def timed_phase(report: Report, load: Load, name: str, step, group, *step_args) -> None:
    """Runs ``step`` for ``group``, recording the phase's time, load, span, label and memory."""
    start = time.monotonic()
    print(f"[{time.strftime('%H:%M:%S')}] {name} ({len(group)} sessions)…", flush=True)
    load.start()
    began = time.time()
    await each(group, step, *step_args)
    report.phase_s[name] = time.monotonic() - start
    report.load[name] = load.share()
    report.spans[name] = (began, time.time())
    if step_args and isinstance(step_args[0], str):
        report.labels[name] = step_args[0]  # the acts' label: which latencies it timed
    await asyncio.sleep(2)  # let the server settle before reading its memory
    report.marks[name] = load.rss.read()


async def phases(
    sessions: list[Session], args: argparse.Namespace, rss: RssSampler, report: Report
) -> None:
    """Move every session through the phases of the module docstring, timing each one."""

    load = Load(rss)

    async def phase(name: str, step, group: list[Session], *step_args) -> None:
        await timed_phase(report, load, name, step, group, *step_args)

    report.marks["server started"] = rss.read()
    first, k = sessions[:1], args.acting
    acting, training = sessions[:k], sessions[k : 2 * k]
    await phase("first session opens /build", steps.open_build, first)
    await phase(
        "first session clicks alone", steps.build_clicks, first, "Build click · alone", args.clicks
    )
    await phase("first session visits Look inside (Keras loaded)", steps.warm_up, first)
    await phase(
        "first session moves a slider alone",
        acts.slider_moves,
        first,
        "Look inside slider · alone",
        args.clicks,
    )
    await phase(
        "first session draws alone", acts.draw_strokes, first, "Draw stroke → guess · alone", 3
    )
    for start in range(1, len(sessions), WAVE):  # people arrive a few at a time, not in one ms
        wave = sessions[start : start + WAVE]
        await phase(f"sessions {start + 1}-{start + len(wave)} open /build", steps.open_build, wave)
    report.marks["other sessions open /build (idle)"] = rss.read()
    await each(sessions, steps.note_route)
    await phase(
        f"{k} act at once, no training",
        act,
        acting,
        f"{len(sessions)} connected, {k} acting",
        args.clicks,
    )
    train_start = time.monotonic()
    await phase(f"{len(training)} start training", steps.start_training, training)
    await phase(
        f"{k} act at once, while training",
        act,
        acting,
        f"{k} acting + {len(training)} jobs",
        args.clicks,
    )
    report.marks["peak while training"] = rss.peak_since(train_start)
    await phase("wait for results", steps.wait_result, training)


async def act(s: Session, label: str, clicks: int) -> None:
    """One acting participant: Build clicks, then Look inside slider moves, then Draw strokes."""
    await steps.clicks_on_build(s, f"Build click · {label}", clicks)
    await acts.slider_moves(s, f"Look inside slider · {label}", clicks)
    await acts.draw_strokes(s, f"Draw stroke → guess · {label}", 3)


def workshop(
    args: argparse.Namespace, url: str, pids: list[int], logs: list[Path], title: str, runs: Path
):
    """One whole workshop against ``url`` (a server, or nginx in front of several), then its report.

    ``runs`` is the servers' ``LAYER_BY_LAYER_RUN_LOG``: each script run's server time.

    Returns:
        The sessions, with what each measured, and the report (for the side-by-side table).
    """
    began = time.monotonic()
    rss = RssSampler(pids)
    rss.start()
    report = Report(args.sessions, title=title, taskset=args.taskset, run_log=runs)
    sessions: list[Session] = []
    loop = asyncio.new_event_loop()
    try:
        left = args.deadline - (time.monotonic() - began)
        loop.run_until_complete(asyncio.wait_for(drive(url, args, rss, report, sessions), left))
    except TimeoutError:
        report.timed_out = f" — STOPPED AT THE {args.deadline:.0f} s DEADLINE"
    finally:
        loop.close()
        rss.stop()
        print_report(report, sessions, rss, logs, time.monotonic() - began)
    return sessions, report


def one_server(args: argparse.Namespace, cores: str, browser_core: int | None):
    """The workshop against one ``streamlit run app.py``, pinned to ``cores``."""
    runs = run_log_path("one-server")
    with pinned(cores, browser_core), patched_env({run_log.ENV: str(runs)}):
        server = start_app("app.py", timeout=120.0)
    try:
        pids, logs = [server.process.pid], [server.log_path]
        return workshop(args, server.url, pids, logs, "one server", runs)
    finally:
        stop_app(server)


def behind_nginx(args: argparse.Namespace, cores: str, browser_core: int | None):
    """The workshop through nginx in front of ``args.servers`` servers sharing one room database."""
    title = f"{args.servers} servers behind nginx"
    runs = run_log_path("nginx")
    with contextlib.ExitStack() as stack:
        with pinned(cores, browser_core):
            started = nginx_stack(args.servers, args.db, env={run_log.ENV: str(runs)})
            url, pids, logs = stack.enter_context(started)
        return workshop(args, url, pids, [*logs, logs[0].parent / "error.log"], title, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--acting", type=int, default=10, help="sessions acting at once")
    parser.add_argument("--deadline", type=float, default=900.0, help="hard limit per workshop, s")
    parser.add_argument(
        "--taskset",
        action=argparse.BooleanOptionalAction,
        default=len(os.sched_getaffinity(0)) >= 2,
        help="servers on the first core(s), this script and Chromium on the last one",
    )
    parser.add_argument(
        "--clicks", type=int, default=5, help="'Add layer' clicks per session and phase"
    )
    parser.add_argument(
        "--through-nginx",
        action="store_true",
        help="after the one-server workshop, the same through nginx in front of --servers servers",
    )
    parser.add_argument("--servers", type=int, default=2, help="app servers behind nginx")
    parser.add_argument(
        "--db", default=None, help="their room database URL (default: $LAYER_BY_LAYER_ROOM_DB)"
    )
    args = parser.parse_args()
    args.acting = max(1, min(args.acting, args.sessions))
    cpus = sorted(os.sched_getaffinity(0))
    # Servers on the first core(s), Playwright's driver and Chromium on the last one.
    browser_core = cpus[-1] if args.taskset else None
    one_core = str(cpus[0]) if args.taskset else ""
    some = ",".join(map(str, cpus[: max(1, min(args.servers, len(cpus) - 1))]))
    runs = {}
    try:
        runs["one server"] = one_server(args, one_core, browser_core)
        if args.through_nginx:
            title = f"{args.servers} servers behind nginx"
            runs[title] = behind_nginx(args, some if args.taskset else "", browser_core)
    except KeyboardInterrupt:
        print("interrupted")
    if len(runs) > 1:
        print_side_by_side(runs)


if __name__ == "__main__":
    main()
