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
import re
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from playwright.async_api import Page, async_playwright  # noqa: E402
from playwright.async_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from core.architecture import LayerSpec  # noqa: E402
from core.presets import WORKSHOP_CNN  # noqa: E402
from core.shapes import trace  # noqa: E402
from tests.browser_utils import (  # noqa: E402
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    CLICK_TO_TABLE_TEXT,
    CONNECTED,
    NOT_IDLE,
    NOT_RUNNING,
    VIEWPORT,
    start_app,
    stop_app,
)

ACTION_TIMEOUT = 120_000  # ms for one page action or run; a loaded 2-core machine is slow
TRAIN_WAIT = 600_000  # ms; bounded by the overall deadline anyway
TABLE = "[data-testid='stTable']"
EXPECTED: dict[
    str, int
] = {}  # session name -> its model's parameter count, for telling leaks apart
CANVAS = "[data-testid=stBidiComponentIsolated] canvas.upper-canvas"
QUEUED = "Waiting for a free training slot"


# --- server memory -------------------------------------------------------------------------------


class RssSampler(threading.Thread):
    """Samples the server's VmRSS (from /proc; psutil is not installed here) every ``every`` s."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.pid, self.every = pid, every
        self.peak = 0
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()

    def read(self) -> int:
        """The server's resident set size in bytes now (0 once it has gone)."""
        try:
            text = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return 0
        found = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
        return int(found.group(1)) * 1024 if found else 0

    def run(self) -> None:
        while not self._stop.wait(self.every):
            rss = self.read()
            self.peak = max(self.peak, rss)
            self.samples.append((time.monotonic(), rss))

    def peak_since(self, since: float) -> int:
        return max((r for t, r in self.samples if t >= since), default=0)

    def stop(self) -> None:
        self._stop.set()


def mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


# --- one user ------------------------------------------------------------------------------------


@dataclass
class Session:
    """One simulated workshop participant and everything measured for it."""

    index: int
    page: Page
    base: str
    units: int
    stroke: int
    latencies: dict[str, list[float]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # page errors and isolation failures
    console: list[str] = field(default_factory=list)
    statuses: set[str] = field(default_factory=set)  # "queued", "running", "finished" as seen
    queue_positions: set[int] = field(default_factory=set)
    result: str = ""
    failed: str = ""  # the exception that ended this session's script early

    @property
    def name(self) -> str:
        return f"s{self.index + 1}"

    @property
    def arch(self):
        layers = list(WORKSHOP_CNN.layers)
        layers[-2] = LayerSpec.make("Dense", units=self.units, activation="relu")
        return WORKSHOP_CNN.__class__(tuple(layers))

    @property
    def params(self) -> int:
        return trace(self.arch).total_params


def console_text(message) -> str:
    """A console error with the address it concerns (a failed resource names none in its text)."""
    url = (message.location or {}).get("url", "")
    return f"{message.text[:160]}" + (f" [{url[:80]}]" if url else "")


async def wait_for_app(page: Page, run_start: float = 1_000) -> None:
    """As tests/browser_utils.wait_for_app: let a run start, then wait for it to finish."""
    if run_start > 0:
        with contextlib.suppress(PlaywrightTimeout):
            await page.locator(NOT_IDLE).wait_for(state="attached", timeout=run_start)
    await page.locator(CONNECTED).wait_for(state="attached", timeout=ACTION_TIMEOUT)
    await page.locator(NOT_RUNNING).wait_for(state="attached", timeout=ACTION_TIMEOUT)
    await page.wait_for_timeout(100)


async def check_page(s: Session, where: str) -> str:
    """Records an exception box, traceback text or another session's model; returns the body text."""
    if await s.page.get_by_test_id("stException").count():
        s.problems.append(f"{where}: an exception box (stException) is shown")
    body = await s.page.locator("body").inner_text()
    if "Traceback" in body:
        s.problems.append(f"{where}: the page shows a traceback")
    card = await sidebar_text(s)
    expected = f"{s.params:,} parameters"
    if expected not in card:
        found = re.findall(r"([\d,]+) parameters", card)
        shown = int(found[0].replace(",", "")) if found else None
        owner = next((o for o, p in EXPECTED.items() if p == shown and o != s.name), None)
        kind = f"LEAK: that is {owner}'s model" if owner else "not any other session's model"
        s.problems.append(
            f"{where}: sidebar shows {found or card[:80]!r}, expected {expected!r} ({kind})"
        )
    note_status(s, card)
    return body


async def sidebar_text(s: Session) -> str:
    try:
        return await s.page.get_by_test_id("stSidebar").inner_text(timeout=10_000)
    except PlaywrightTimeout:
        return ""


def note_status(s: Session, text: str) -> None:
    if QUEUED in text:
        s.statuses.add("queued")
        s.queue_positions.update(int(p) for p in re.findall(r"position (\d+) in the queue", text))
    if "Preparing the model" in text or re.search(r"Epoch \d+/\d+", text):
        s.statuses.add("running")
    if "test accuracy (run #1)" in text:
        s.statuses.add("finished")


async def nav(s: Session, title: str, path: str) -> None:
    """Switch page with the sidebar link (a page.goto would open a new Streamlit session)."""
    await s.page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    await s.page.wait_for_url(re.compile(rf"/{path}(\?|$)"), timeout=ACTION_TIMEOUT)
    await wait_for_app(s.page)


async def open_build(s: Session) -> None:
    """Opens /build with a link to this session's architecture (a new Streamlit session)."""
    await s.page.goto(f"{s.base}/build?arch={s.arch.to_url()}", timeout=ACTION_TIMEOUT)
    await wait_for_app(s.page)
    await s.page.locator(TABLE).wait_for(timeout=ACTION_TIMEOUT)
    await check_build(s, "open /build")


async def check_build(s: Session, where: str) -> None:
    await check_page(s, where)
    table = await s.page.locator(TABLE).inner_text()
    if f"Dense({s.units}, relu)" not in table:
        found = re.findall(r"Dense\((\d+), relu\)", table)
        s.problems.append(f"{where}: Build shows Dense{found}, expected Dense({s.units}, relu)")


async def choose_padding_at_start(page: Page) -> None:
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
        ms = await page.evaluate(
            CLICK_TO_TABLE_TEXT, [".st-key-add-button button", f"(None, {side}, {side}, 1)"]
        )
        if ms < 0:
            raise RuntimeError(f"'Add layer' click {k}: the new shape did not appear within 120 s")
        times.append(ms)
        await wait_for_app(page, run_start=0)
    for k in range(
        clicks, 0, -1
    ):  # one Undo at a time: two quick clicks on a button can merge into one
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
    if (
        abs(height - (s.stroke + 20)) > 6
    ):  # brush 20 px: the ink is the stroke plus two half-brushes
        s.problems.append(
            f"Draw: crop height {height}, expected about {s.stroke + 20} (this session's stroke)"
        )


async def wait_result(s: Session) -> None:
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


# --- orchestration -------------------------------------------------------------------------------


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


@dataclass
class Report:
    n: int
    marks: dict[str, int] = field(default_factory=dict)  # RSS at phase boundaries
    phase_s: dict[str, float] = field(default_factory=dict)
    timed_out: str = ""


async def drive(server_url: str, args: argparse.Namespace, rss: RssSampler, report: Report,
                sessions: list[Session]) -> None:  # fmt: skip
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
    async def phase(name: str, step, group: list[Session], *step_args) -> None:
        start = time.monotonic()
        print(f"[{time.strftime('%H:%M:%S')}] {name} ({len(group)} sessions)…", flush=True)
        await each(group, step, *step_args)
        report.phase_s[name] = time.monotonic() - start
        await asyncio.sleep(2)  # let the server settle before reading its memory
        report.marks[name] = rss.read()

    report.marks["server started"] = rss.read()
    await phase("first session opens /build", open_build, sessions[:1])
    await phase("first session clicks alone", build_clicks, sessions[:1], "alone", args.clicks)
    await phase("first session visits Look inside (Keras loaded)", warm_up, sessions[:1])
    await phase("other sessions open /build (idle)", open_build, sessions[1:])
    await phase(
        "all click at once, no training", build_clicks, sessions, "all, no training", args.clicks
    )
    train_start = time.monotonic()
    await phase("all start training", start_training, sessions)
    await phase("clicks during training", clicks_on_build, sessions, "during training", args.clicks)
    await phase("Look inside", visit_inside, sessions)
    await phase("Draw", visit_draw, sessions)
    report.marks["peak while training"] = rss.peak_since(train_start)
    await phase("wait for results", wait_result, sessions)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def print_report(
    report: Report, sessions: list[Session], rss: RssSampler, server, wall: float
) -> None:
    n = report.n
    print(f"\n=== workshop load: {n} sessions, one server, {wall:.0f} s{report.timed_out} ===")
    for name, seconds in report.phase_s.items():
        print(f"  phase {name}: {seconds:.1f} s")
    print("\nBuild page, click 'Add layer' -> new shape painted (ms):")
    for phase in ("alone", "all, no training", "during training"):
        values = [v for s in sessions for v in s.latencies.get(phase, [])]
        if values:
            print(f"  {phase:>18}: n={len(values):3d}  p50 {percentile(values, 0.5):7.0f}  "
                  f"p95 {percentile(values, 0.95):7.0f}  max {max(values):7.0f}")  # fmt: skip
    statuses = Counter(st for s in sessions for st in s.statuses)
    started = sum(1 for s in sessions if s.statuses)
    print(f"\nTraining: {started} jobs started; {statuses['finished']} finished with a result; "
          f"{statuses['queued']} were seen waiting in the queue (max position seen "
          f"{max((p for s in sessions for p in s.queue_positions), default=0)}); "
          f"{sum(1 for s in sessions if s.statuses and 'finished' not in s.statuses)} without a result")  # fmt: skip
    m = report.marks
    print(f"\nServer RSS: peak {mb(rss.peak)}; started {mb(m.get('server started', 0))}")
    base, idle = (
        m.get("first session visits Look inside (Keras loaded)"),
        m.get("other sessions open /build (idle)"),
    )
    print(
        f"  first session on /build {mb(m.get('first session opens /build', 0))}; "
        f"after it visited Look inside (Keras, TensorFlow, MNIST, pretrained model loaded) {mb(base or 0)}"
    )
    if base and idle and n > 1:
        print(f"  {n} sessions open, the others idle on /build: {mb(idle)}: "
              f"{mb((idle - base) / (n - 1))} per additional idle session")  # fmt: skip
    peak_train, submitted = m.get("peak while training"), m.get("all start training")
    after_clicks = m.get("all click at once, no training")
    if after_clicks and submitted and started:
        print(f"  all {started} jobs submitted (one training, the rest queued with their built models): "
              f"{mb(submitted)}, {mb((submitted - after_clicks) / started)} per training session")  # fmt: skip
    if peak_train:
        print(f"  peak from the first Train click to the Draw visits: {mb(peak_train)}")
    for name in ("all start training", "wait for results"):
        if name in m:
            print(f"  after '{name}': {mb(m[name])}")
    print("\nPer session:")
    for s in sessions:
        lat = s.latencies.get("during training", [])
        print(f"  {s.name}: Dense({s.units}) {s.params:,} params, result {s.result or '-'}, "
              f"seen {sorted(s.statuses) or '-'}, clicks under training "
              f"{statistics.median(lat) if lat else float('nan'):.0f} ms median"
              + (f", STOPPED EARLY: {s.failed}" if s.failed else ""))  # fmt: skip
    problems = [(s.name, p) for s in sessions for p in s.problems]
    print(f"\nPage errors and isolation failures: {len(problems)}")
    for name, p in problems[:40]:
        print(f"  {name}: {p}")
    console = Counter(c for s in sessions for c in s.console)
    print(f"Browser console errors: {sum(console.values())}")
    for text, count in console.most_common(10):
        print(f"  {count}x {text}")
    log = server.log_path.read_text(errors="replace") if server.log_path.exists() else ""
    bad = [
        line for line in log.splitlines() if re.search(r"Traceback|Error|Exception|WARNING", line)
    ]
    print(f"Server log {server.log_path}: {len(bad)} lines mentioning errors/warnings")
    for line in bad[:15]:
        print(f"  {line[:200]}")


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
