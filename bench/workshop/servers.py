"""Several app servers behind nginx for the load test, and what nginx itself costs, measured.

``nginx_stack(n_servers, db_url)`` is what ``bench/load_workshop.py --through-nginx --servers N``
drives: N ``streamlit run app.py`` servers on loopback and Debian's nginx in front of them
(``deploy.stack``), yielding ``(public_url, server pids, server log paths)``; nginx's own
``access.log`` and ``error.log`` sit in the same folder as the server logs.

Run alone, it prints the stack's own figures, each beside a baseline measured in the same run:
health requests and a first page in Chromium straight to a server and through nginx, page changes
over one websocket both ways, how evenly new browsers spread, and how long a browser on a server
that stops takes to be served again by another::

    python bench/workshop/servers.py [--servers 2] [--requests 300] [--pages 5]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import statistics
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.workshop.rss import RssSampler, mb  # noqa: E402
from deploy.stack import running_stack  # noqa: E402


@contextlib.contextmanager
def nginx_stack(
    n_servers: int,
    db_url: str | None,
    *,
    prefix: Sequence[str] = (),
    env: dict[str, str] | None = None,
) -> Iterator[tuple[str, list[int], list[Path]]]:
    """N app servers and nginx on loopback, all stopped on the way out.

    Args:
        n_servers: app servers to start.
        db_url: the room database they share (None: the environment's ``LAYER_BY_LAYER_ROOM_DB``).
        prefix: a command each server runs under, e.g. ``("taskset", "-c", "0")``.
        env: more environment variables for the servers.

    Yields:
        nginx's public URL, the servers' pids (for RSS sampling), the servers' log paths.

    Raises:
        deploy.stack.StackError: nginx is missing or a server did not start (with its log).
    """
    folder = Path(tempfile.mkdtemp(prefix="lbl-bench-nginx-"))
    with running_stack(n_servers, db_url, run_dir=folder, prefix=prefix, env=env, timeout=180) as s:
        yield s.public_url, [x.process.pid for x in s.servers], [x.log_path for x in s.servers]


def _upstream(headers) -> str:
    return (headers.get("x-upstream") or "-").split(",")[-1].strip()


def _timings(base: str, path: str, n: int, keepalive: bool) -> list[float]:
    """ms per GET of ``path``: each on a new connection (urllib), or all on one kept-alive one."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    times = []
    for _ in range(n + 1):  # the first one warms the path up and is not counted
        start = time.perf_counter()
        if keepalive:
            connection.request("GET", path)
            connection.getresponse().read()
        else:
            with urllib.request.urlopen(base + path, timeout=10) as response:
                response.read()
        times.append((time.perf_counter() - start) * 1000)
    connection.close()
    return times[1:]


def _p95(values: list[float]) -> float:
    return sorted(values)[round(0.95 * (len(values) - 1))]


def _header(title: str) -> None:
    print(f"\n{title:<46} direct: median    p95  nginx: median    p95   ratio")


def _row(what: str, direct: list[float], proxied: list[float]) -> None:
    d, p = statistics.median(direct), statistics.median(proxied)
    print(
        f"  {what:<44} {d:14.1f} {_p95(direct):6.1f} {p:14.1f} {_p95(proxied):6.1f} {p / d:6.2f}×"
    )


def http_figures(public: str, direct: str, n: int) -> None:
    """Sequential GETs to one server and through nginx, on new and on kept-alive connections."""
    _header(f"{n} sequential GETs (ms)")
    for path in ("/_stcore/health", "/"):
        for keepalive in (False, True):
            what = f"{path}, {'one kept-alive connection' if keepalive else 'new connections'}"
            _row(what, *(_timings(url, path, n, keepalive) for url in (direct, public)))


def spread(public: str, n: int = 60) -> Counter[str]:
    """Which server n new browsers (no cookie) land on."""
    counts: Counter[str] = Counter()
    for _ in range(n):
        with urllib.request.urlopen(f"{public}/_stcore/health", timeout=10) as response:
            counts[_upstream(response.headers)] += 1
    return counts


def browser_figures(browser, public: str, direct: str, pages: int) -> None:
    """First page painted, then page changes over one websocket, straight and through nginx."""
    from tests.browser_utils import VIEWPORT, goto_page, wait_for_app

    first: dict[str, list[float]] = {direct: [], public: []}
    change: dict[str, list[float]] = {direct: [], public: []}
    for _ in range(pages):
        for base in (direct, public):
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            start = time.perf_counter()
            goto_page(page, base, timeout=120_000)
            first[base].append((time.perf_counter() - start) * 1000)
            for name in ("Lesson", "MNIST at a glance"):
                start = time.perf_counter()
                page.get_by_test_id("stSidebarNav").get_by_text(name, exact=True).click()
                wait_for_app(page, timeout=120_000)
                change[base].append((time.perf_counter() - start) * 1000)
            context.close()
    _header(f"Chromium, {pages} new browsers each way (ms)")
    _row("first page painted", first[direct], first[public])
    _row("page change (a rerun on the socket)", change[direct], change[public])


def failover(browser, stack) -> float:
    """Seconds from SIGTERM to the last server until its browser has reconnected to another one
    (that server's own connect counter, asked directly, has gone up) and says it is connected."""
    from tests.browser_utils import CONNECTED, VIEWPORT, goto_page, wait_for_app
    from tests.nginx_stack import sessions

    last, other = stack.servers[-1], stack.servers[0]
    for _ in range(40):
        context = browser.new_context(viewport=VIEWPORT)
        probe = context.request.get(f"{stack.public_url}/_stcore/health")
        if _upstream(probe.headers) == last.address:
            break
        context.close()
    else:
        raise RuntimeError(f"40 new browsers never reached {last.address}")
    page = context.new_page()
    goto_page(page, stack.public_url, timeout=120_000)
    connects = sessions(other.url)["connect"]
    start = time.perf_counter()
    stack.stop_server(last.index)
    while sessions(other.url)["connect"] == connects:
        time.sleep(0.05)
    page.locator(CONNECTED).wait_for(state="attached", timeout=120_000)
    wait_for_app(page, timeout=120_000, run_start=0)
    seconds = time.perf_counter() - start
    context.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300, help="GETs per path and route")
    parser.add_argument("--pages", type=int, default=5, help="new browsers per route")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from deploy.stack import start_stack
    from tests.browser_utils import launch_browser

    began = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="lbl-bench-nginx-"))
    stack = start_stack(args.servers, None, run_dir=folder, env={"LAYER_BY_LAYER_WARMUP": "0"})
    try:
        print(f"{args.servers} servers and nginx answering in {time.perf_counter() - began:.1f} s")
        direct, public = stack.servers[0].url, stack.public_url
        http_figures(public, direct, args.requests)
        counts = spread(public)
        print(
            f"\n60 requests without a cookie spread over the servers: {dict(sorted(counts.items()))}"
        )
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            browser_figures(browser, public, direct, args.pages)
            rss = [RssSampler(s.process.pid).read() for s in stack.servers]
            print(f"\nServer RSS after that (TensorFlow not loaded): {', '.join(map(mb, rss))}")
            if len(stack.servers) > 1:
                seconds = failover(browser, stack)
                print(
                    f"\nSIGTERM to a server -> its browser reconnected to another: {seconds:.1f} s"
                )
            browser.close()
    finally:
        stack.stop()
    print(f"(logs in {folder})")


if __name__ == "__main__":
    main()
