"""Drive the real app: start and stop a Streamlit server, launch Chromium, wait for runs.

Used by the pytest fixtures in ``tests/conftest.py`` and by ``scripts/screenshots.py``.
Selectors and waiting follow Streamlit's own e2e tests (``e2e_playwright/conftest.py``,
``wait_for_app_run``): after any action, wait for
``[data-testid='stApp'][data-test-script-state='notRunning']``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import urlencode

from playwright.sync_api import Browser, Page, Playwright, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from deploy.servers import stop_process

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_MISSING = "Debian's chromium is not installed: apt-get install -y chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 800}

APP = "[data-testid='stApp']"
NOT_RUNNING = f"{APP}[data-test-script-state='notRunning']"
NOT_IDLE = f"{APP}:not([data-test-script-state='notRunning'])"
CONNECTED = f"{APP}[data-test-connection-state='CONNECTED']"


@dataclass
class AppServer:
    """A ``streamlit run`` process in its own process group, logging to a file."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    _log_file: IO[bytes] | None = field(default=None, repr=False)

    def log_tail(self, lines: int = 40) -> str:
        """Return the last ``lines`` lines the server printed."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def streamlit_command(script: str, port: int) -> list[str]:
    """``streamlit run script``, headless on 127.0.0.1:``port``, without usage stats or file watcher."""
    # `# fmt: skip`: one option and its value per line reads better than one item per line.
    return [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        # Others edit the tree while tests run; a file watcher would rerun pages mid-test.
        "--server.fileWatcherType", "none",
    ]  # fmt: skip


def _health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` on a thread of its own: once a test has used Playwright's sync
    API, its event loop runs on the main thread, and ``asyncio.run`` refuses to start inside it."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def start_app(
    script: str = "app.py",
    *,
    cwd: Path = REPO_ROOT,
    timeout: float = 90.0,
    prefix: Sequence[str] = (),
) -> AppServer:
    """Start ``streamlit run script`` on a free port and wait until it answers health checks.

    Args:
        script: the entry file, relative to ``cwd``.
        cwd: where to run; ``.streamlit/config.toml`` there applies.
        timeout: seconds to wait for ``/_stcore/health`` to answer ``ok``.
        prefix: a command to run it under, e.g. ``("taskset", "-c", "0")`` to pin it to a core.

    Returns:
        The running server; pass it to ``stop_app`` when done.

    Raises:
        RuntimeError: if the server exits or is not healthy in time; carries the log tail.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = Path(tempfile.mkstemp(prefix="streamlit-", suffix=".log")[1])
    log_file = log_path.open("wb")
    command = [*prefix, *streamlit_command(script, port)]
    env = {**os.environ, "NO_COLOR": "1"}  # plain server log for failure messages
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = AppServer(url, port, process, log_path, log_file)
    deadline = time.monotonic() + timeout
    while not _health_ok(url):
        if process.poll() is not None:
            stop_app(server)
            raise RuntimeError(
                f"streamlit exited with code {process.returncode} before answering "
                f"{url}/_stcore/health. Log {log_path}:\n{server.log_tail()}"
            )
        if time.monotonic() > deadline:
            stop_app(server)
            raise RuntimeError(
                f"{url}/_stcore/health did not answer 'ok' within {timeout:.0f} s. "
                f"Log {log_path}:\n{server.log_tail()}"
            )
        time.sleep(0.25)
    return server


def stop_app(server: AppServer, grace: float = 10.0) -> None:
    """Stop the server's whole process group: SIGTERM, then SIGKILL after ``grace`` s."""
    stop_process(server.process, signal.SIGTERM, grace)
    if server._log_file is not None:
        server._log_file.close()


def chromium_available() -> bool:
    """True if Debian's chromium is where ``launch_browser`` looks for it."""
    return Path(CHROMIUM_PATH).exists()


def launch_browser(playwright: Playwright) -> Browser:
    """Launch Debian's headless chromium (Playwright's own download does not work here)."""
    return playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)


def wait_for_app(page: Page, timeout: float = 30_000, *, run_start: float = 1_000) -> None:
    """Wait until the app has connected and its script run has finished.

    After a click the attribute may still say ``notRunning`` from the previous run, so
    first give a new run up to ``run_start`` ms to begin (a fast run may begin and end
    inside that window, which is fine). Pass ``run_start=0`` when nothing was triggered.

    Args:
        page: the Playwright page.
        timeout: ms to wait for the connection and for the run to finish.
        run_start: ms to wait for a run to start before waiting for it to end.
    """
    if run_start > 0:
        with contextlib.suppress(PlaywrightTimeoutError):  # the run was quick, or none began
            page.locator(NOT_IDLE).wait_for(state="attached", timeout=run_start)
    page.locator(CONNECTED).wait_for(state="attached", timeout=timeout)
    page.locator(NOT_RUNNING).wait_for(state="attached", timeout=timeout)
    page.wait_for_timeout(100)  # let the last deltas render, as Streamlit's e2e tests do


def goto_page(
    page: Page,
    base_url: str,
    url_path: str = "",
    query: str | Mapping[str, str] = "",
    timeout: float = 30_000,
) -> None:
    """Open ``base_url/url_path?query`` and wait for its script run to finish.

    Args:
        page: the Playwright page.
        base_url: e.g. the ``app_url`` fixture, ``http://127.0.0.1:PORT``.
        url_path: the ``st.Page`` url_path, e.g. ``"build"``; ``""`` for the default page.
        query: a query string (with or without ``?``) or a mapping of parameters.
        timeout: ms, passed to ``wait_for_app``.
    """
    if isinstance(query, Mapping):
        query = urlencode(query)
    query = query.lstrip("?")
    url = f"{base_url.rstrip('/')}/{url_path.strip('/')}" + (f"?{query}" if query else "")
    page.goto(url)
    wait_for_app(page, timeout=timeout)


def assert_no_exception(page: Page) -> None:
    """Fail if the page shows a Streamlit exception box or any traceback text."""
    expect(page.get_by_test_id("stException")).to_have_count(0)
    body = page.locator("body").inner_text()
    assert "Traceback" not in body, f"the page shows a traceback:\n{body[-2000:]}"


def wait_for_figures(page: Page, timeout: float = 30_000) -> None:
    """Wait until every Plotly chart has drawn its SVG and every image has loaded."""
    page.wait_for_function(
        """() => {
            const charts = document.querySelectorAll("[data-testid='stPlotlyChart']");
            const drawn = Array.from(charts).every(c => c.querySelector('svg.main-svg'));
            const images = Array.from(document.images).every(i => i.complete);
            return drawn && images;
        }""",
        timeout=timeout,
    )


def screenshot(page: Page, path: str | Path) -> Path:
    """Save a PNG of the whole app, not just the viewport, and return its path.

    Streamlit scrolls inside its main container rather than the document, so a plain
    ``full_page`` shot stops at the viewport; grow the viewport to the content first.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or VIEWPORT
    height = page.evaluate(
        """() => Math.max(...["stMain", "stSidebarContent", "stAppViewContainer"]
            .map(id => document.querySelector(`[data-testid='${id}']`))
            .filter(Boolean).map(el => el.scrollHeight), document.body.scrollHeight)"""
    )
    try:
        if height > size["height"]:
            page.set_viewport_size({"width": size["width"], "height": int(height)})
            page.wait_for_timeout(300)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


# Click the first visible element matching a selector; resolve, after the next animation frame,
# with the milliseconds until the page's table shows ``target`` (-1 after 120 s: never hang).
CLICK_TO_TABLE_TEXT = """
async ([selector, target]) => {
  const button = [...document.querySelectorAll(selector)].find(b => b.offsetParent !== null);
  const shows = () => (document.querySelector("[data-testid='stTable']")?.innerText ?? "").includes(target);
  return await new Promise((resolve) => {
    const start = performance.now();
    const done = () => requestAnimationFrame(() => resolve(performance.now() - start));
    const observer = new MutationObserver(() => { if (shows()) { observer.disconnect(); done(); } });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    setTimeout(() => { observer.disconnect(); resolve(-1); }, 120000);
    button.click();
  });
}
"""
