"""One simulated workshop participant: what it measured, and the checks every page visit makes."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeout

from bench.workshop.wire import Wire
from core.architecture import Architecture, LayerSpec
from core.presets import WORKSHOP_CNN
from core.shapes import trace
from tests.browser_utils import CONNECTED, NOT_IDLE, NOT_RUNNING

ACTION_TIMEOUT = 120_000  # ms for one page action or run; a loaded 2-core machine is slow
QUEUED = "Waiting for a free training slot"
# Session name -> its model's parameter count, for telling leaks between sessions apart.
EXPECTED: dict[str, int] = {}


@dataclass
class Session:
    """One simulated workshop participant and everything measured for it."""

    index: int
    page: Page
    base: str
    units: int
    stroke: int
    latencies: dict[str, list[float]] = field(default_factory=dict)  # in the page
    # the server's turnaround of the same acts, from the websocket frames (bench.workshop.wire)
    turnarounds: dict[str, list[float]] = field(default_factory=dict)
    wire: Wire | None = None  # attached for the sessions that act
    problems: list[str] = field(default_factory=list)  # page errors and isolation failures
    console: list[str] = field(default_factory=list)
    statuses: set[str] = field(default_factory=set)  # "queued", "running", "finished" as seen
    queue_positions: set[int] = field(default_factory=set)
    result: str = ""
    failed: str = ""  # the exception that ended this session's script early
    route: str = ""  # the server nginx sent this browser to ("" when it talks to one directly)

    @property
    def name(self) -> str:
        return f"s{self.index + 1}"

    @property
    def arch(self) -> Architecture:
        """The workshop CNN with this session's own Dense width, so its model is recognisable."""
        layers = list(WORKSHOP_CNN.layers)
        layers[-2] = LayerSpec.make("Dense", units=self.units, activation="relu")
        return Architecture(tuple(layers))

    @property
    def params(self) -> int:
        return trace(self.arch).total_params


def wire_mark(s: Session) -> int:
    """Where this act's websocket frames start (0 when the session is not listening)."""
    return s.wire.mark() if s.wire else 0


async def note_turnaround(s: Session, kind: str, since: int) -> None:
    """Records the server's turnaround of the act whose frames start at ``since``, if seen."""
    if s.wire is None:
        return
    ms = await s.wire.turnaround(since)
    if ms is not None:
        s.turnarounds.setdefault(kind, []).append(ms)


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
    """The sidebar's text (the model card and the job's status), or "" if it does not show."""
    try:
        return await s.page.get_by_test_id("stSidebar").inner_text(timeout=10_000)
    except PlaywrightTimeout:
        return ""


def note_status(s: Session, text: str) -> None:
    """Record the job states (queued, running, finished) that ``text`` shows."""
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
