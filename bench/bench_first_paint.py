"""Benchmark the wait for the first page: `streamlit run app.py` to MNIST at a glance painted, against `import keras`.

    python bench/bench_first_paint.py [--repeats 3] [--app DIR] [--before DIR]

``--app`` times another copy of the app (e.g. ``git archive <commit> | tar -x -C DIR``) with
this venv instead of this repository; ``--before DIR`` times such a copy as well, in the same
runs (interleaved), for a before/after comparison on the same machine state.

Both are measured in the same run, on the same machine state, so the ratio is what the issue's
target reads ("first paint <= 0.5x import keras"):

* ``import keras``: wall time of ``python -c "import keras"`` in a fresh process (the venv's
  Python, ``TF_CPP_MIN_LOG_LEVEL=2``), ``--repeats`` times, median.
* first paint: from starting ``python -m streamlit run app.py`` (headless, 127.0.0.1, a free
  port) until headless Chromium (already running; its start is not counted) shows the page's
  "MNIST at a glance" heading and Streamlit marks the script run finished
  (``[data-testid='stApp'][data-test-script-state='notRunning']``). The page is opened as soon as
  ``/_stcore/health`` answers, as a first visitor right after a restart would. Playwright sees
  the page only when the page's main thread is free (after Plotly's JavaScript has run), so the
  page's own clock is printed too: when the DOM had both, when the browser had painted the
  frame showing them (a timeout queued in the next animation frame), and when all the page's
  Plotly charts were drawn.
* the first visit's transfer: the bytes of every response the page received until its charts were
  drawn, as sent (``encodedDataLength``: gzipped where the server gzipped).
* Keras warm: from process start until the server logs that the background import (``ui.warmup``)
  finished.
* Streamlit alone: the same first paint for a one-line app that shows only that heading (in a
  temporary folder), i.e. what no change to this app can go below.

Prints the medians and the ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, sync_playwright  # noqa: E402

from tests.browser_utils import (  # noqa: E402
    NOT_RUNNING,
    chromium_available,
    free_port,
    launch_browser,
    streamlit_command,
)

TARGET = 0.5  # the issue: first paint within half of `import keras`
HEADING = "MNIST at a glance"
CHARTS = 5  # Plotly charts on the first page: grid, one digit, counts, one-hot, pixel histograms
WARM_LINE = "TensorFlow and Keras imported in the background"  # ui.warmup's log line
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "NO_COLOR": "1"}
FLOOR_APP = f'import streamlit as st\n\nst.title("{HEADING}")\n'


# In the page, wall-clock times: the DOM first shows the heading with the run finished; that frame
# is painted; all charts are drawn.
FIRST_PAINT_JS = """
new MutationObserver((_, observer) => {
  const app = document.querySelector("[data-testid='stApp']");
  const done = app && app.getAttribute("data-test-script-state") === "notRunning";
  const heading = [...document.querySelectorAll("h1")].some((h) => h.textContent.includes(HEADING));
  if (done && heading && !window.__firstPaint) {
    window.__firstPaint = Date.now() / 1000;
    // the frame that shows it: a timeout queued in the next animation frame runs after its paint
    requestAnimationFrame(() => setTimeout(() => { window.__painted = Date.now() / 1000; }));
  }
  const charts = document.querySelectorAll("[data-testid='stPlotlyChart']");
  const drawn = [...charts].filter((c) => c.querySelector(".main-svg")).length;
  if (window.__painted && charts.length === CHARTS && drawn === CHARTS) {
    window.__charts = Date.now() / 1000; observer.disconnect();
  }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
""".replace("HEADING", json.dumps(HEADING)).replace("CHARTS", str(CHARTS))


@dataclass
class Start:
    """One server start, seconds from process start: health, first paint, the DOM's, Keras warm."""

    health: float
    paint: float  # Playwright saw the heading and the finished run
    dom: float | None  # the page's own clock: the DOM had both
    frame: float | None  # ... and the browser had painted the frame showing them
    charts: float | None  # ... and all CHARTS Plotly charts were drawn
    warm: float | None
    wire_mb: float = 0.0  # what the first visit transferred (compressed sizes, all responses)


def import_keras_s() -> float:
    """Wall seconds of ``python -c "import keras"`` in a fresh process."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import keras"], env=ENV, check=True, capture_output=True)
    return time.perf_counter() - began


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def _wait_for_line(log: Path, text: str, began: float, timeout: float) -> float | None:
    """Seconds from ``began`` until ``text`` shows up in the log file (None after ``timeout``)."""
    deadline = began + timeout
    while time.perf_counter() < deadline:
        if text in log.read_text(errors="replace"):
            return time.perf_counter() - began
        time.sleep(0.05)
    return None


@contextlib.contextmanager
def serving(cwd: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``streamlit run app.py`` in ``cwd`` on a free port, logging to ``log``; stopped on exit."""
    port = free_port()
    command = streamlit_command("app.py", port)
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, cwd=cwd, env=ENV, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip  # the Popen arguments on two lines, not one per line
        try:
            yield f"http://127.0.0.1:{port}", server
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def one_start(
    browser: Browser, timeout: float, cwd: Path = ROOT, warm_timeout: float = 0, charts: bool = True
) -> Start:
    """Start ``cwd/app.py``, open its first page, time it (charts, Keras warm: if asked), stop it."""
    log = Path(tempfile.mkstemp(prefix="first-paint-", suffix=".log")[1])
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(FIRST_PAINT_JS)
    page = context.new_page()
    network = context.new_cdp_session(page)
    network.send("Network.enable")
    wire = [0]
    network.on(
        "Network.loadingFinished", lambda e: wire.__setitem__(0, wire[0] + e["encodedDataLength"])
    )
    try:
        began, wall = time.perf_counter(), time.time()
        with serving(cwd, log) as (url, server):
            while not _healthy(url):
                if server.poll() is not None or time.perf_counter() - began > timeout:
                    raise RuntimeError(f"the server did not start; log {log}")
                time.sleep(0.02)
            health = time.perf_counter() - began
            page.goto(url, wait_until="commit")
            page.get_by_role("heading", name=HEADING).wait_for(timeout=timeout * 1000)
            page.locator(NOT_RUNNING).wait_for(state="attached", timeout=timeout * 1000)
            paint = time.perf_counter() - began
            if charts:
                page.wait_for_function("window.__charts", timeout=timeout * 1000)
            dom, frame, charts = page.evaluate(
                "[window.__firstPaint, window.__painted, window.__charts]"
            )
            warm = _wait_for_line(log, WARM_LINE, began, warm_timeout)
    finally:
        context.close()
    log.unlink()
    since = lambda t: t - wall if t else None  # noqa: E731 - the page's clock to ours
    return Start(health, paint, since(dom), since(frame), since(charts), warm, wire[0] / 1e6)


def main() -> None:
    """Measure, interleaved: ``import keras``, then one server start of each, ``--repeats`` times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per start")
    parser.add_argument("--app", type=Path, default=ROOT, help="folder holding app.py")
    parser.add_argument("--before", type=Path, help="another copy, timed in the same runs")
    args = parser.parse_args()
    apps = {"app": args.app.resolve()}
    if args.before:
        apps["before"] = args.before.resolve()
    if not chromium_available():
        sys.exit("Debian's chromium is not installed: apt-get install -y chromium")
    imports: list[float] = []
    starts: dict[str, list[Start]] = {name: [] for name in [*apps, "floor"]}
    with tempfile.TemporaryDirectory() as floor_dir, sync_playwright() as playwright:
        (Path(floor_dir) / "app.py").write_text(FLOOR_APP)
        browser = launch_browser(playwright)
        try:
            for i in range(args.repeats):
                imports.append(import_keras_s())
                line = [f"  run {i + 1}: import keras {imports[-1]:.2f} s"]
                for name, folder in apps.items():
                    warm = args.timeout if (folder / "ui" / "warmup.py").exists() else 0
                    starts[name].append(one_start(browser, args.timeout, folder, warm))
                    line.append(f"{name}: {_line(starts[name][-1])}")
                starts["floor"].append(
                    one_start(browser, args.timeout, Path(floor_dir), charts=False)
                )
                line.append(f"Streamlit alone: first paint {starts['floor'][-1].paint:.2f} s")
                print(" | ".join(line))
        finally:
            browser.close()
    keras_s = statistics.median(imports)
    print(f"\nmedians over {len(imports)} runs (seconds from process start)")
    print(f"  python -c 'import keras'                    {keras_s:6.2f} s")
    for name, folder in apps.items():
        print(f"  {name} ({folder}):")
        report(keras_s, starts[name])
    floor_s = statistics.median(s.paint for s in starts["floor"])
    print(f"  Streamlit alone (one-line app) first paint  {floor_s:6.2f} s")
    print(f"  ratio Streamlit alone / import keras        {floor_s / keras_s:6.2f}")


def _s(seconds: float | None) -> str:
    return "?" if seconds is None else f"{seconds:.2f} s"


def _line(s: Start) -> str:
    warm = _s(s.warm) if s.warm is not None else "never"
    return (
        f"health {s.health:.2f} s, first paint {s.paint:.2f} s (DOM {_s(s.dom)}, frame "
        f"{_s(s.frame)}, charts {_s(s.charts)}), {s.wire_mb:.1f} MB, Keras warm {warm}"
    )


def report(keras_s: float, starts: list[Start]) -> None:
    """Print one app's medians and their ratios against ``import keras``."""
    paint_s = statistics.median(s.paint for s in starts)
    print(f"  streamlit run app.py -> first paint         {paint_s:6.2f} s")
    print(
        f"  ratio first paint / import keras            {paint_s / keras_s:6.2f}   (target <= {TARGET})"
    )
    for label, values in (
        ("... the DOM had it (in-page clock)", [s.dom for s in starts]),
        ("... the browser had painted that frame", [s.frame for s in starts]),
        (f"... and drawn all {CHARTS} charts", [s.charts for s in starts]),
    ):
        known = [v for v in values if v is not None]
        if known:
            med = statistics.median(known)
            print(f"  {label:<42}{med:6.2f} s   ratio {med / keras_s:.2f}")
    wire = statistics.median(s.wire_mb for s in starts)
    print(f"  the first visit's transfer (all responses)  {wire:6.2f} MB")
    warms = [s.warm for s in starts if s.warm is not None]
    if warms:
        print(f"  Keras warm in the background                {statistics.median(warms):6.2f} s")
    else:
        print("  Keras warm in the background                 never (see the server log)")


if __name__ == "__main__":
    main()
