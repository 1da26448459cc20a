"""Test helpers for several app servers behind nginx: the stack, and what nginx and each server saw.

``nginx_stack(n, db_url)`` starts N ``streamlit run app.py`` servers and nginx on loopback
(``deploy.stack``, with the configuration ``deploy/nginx_conf.py`` renders) and stops them all at
the end. Where nginx is not installed it skips with that reason. Routing is read three ways: the
``X-Upstream`` header nginx adds to every response, nginx's access log (``upstream=...``), and
each server's own session counters at ``/_stcore/metrics``, asked of the server directly.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from deploy.nginx_conf import STREAMLIT_UPLOAD_MB
from deploy.stack import NGINX_MISSING, Stack, StackError, nginx_binary, start_stack
from tests.browser_utils import VIEWPORT

QUIET = {"LAYER_BY_LAYER_WARMUP": "0"}  # no TensorFlow import in the background: 2 cores


def need_nginx() -> str:
    """Debian's nginx, or skip the test with the reason."""
    found = nginx_binary()
    if found is None:
        pytest.skip(NGINX_MISSING)
    return found


@contextlib.contextmanager
def nginx_stack(
    n_servers: int = 2,
    db_url: str | None = None,
    *,
    env: Mapping[str, str] = QUIET,
    max_upload_mb: int = STREAMLIT_UPLOAD_MB,
) -> Iterator[Stack]:
    """N app servers and nginx on loopback; all stopped, and their folder removed, at the end.

    The folder (nginx's files, every log) is a new one under the system's temporary directory,
    not pytest's: as root nginx's workers run as nobody and must be able to enter it.
    """
    need_nginx()
    folder = Path(tempfile.mkdtemp(prefix="lbl-nginx-"))
    try:
        stack = start_stack(
            n_servers, db_url, run_dir=folder, env=env, max_upload_mb=max_upload_mb, workers=1
        )
    except StackError as err:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(str(err), pytrace=False)
    try:
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(folder, ignore_errors=True)


def last_upstream(header: str | None) -> str | None:
    """The server that answered, from ``X-Upstream`` ("a, b" when nginx had to try a second one).

    >>> last_upstream("127.0.0.1:1, 127.0.0.1:2")
    '127.0.0.1:2'
    """
    return header.split(",")[-1].strip() if header else None


def get(url: str, headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """GET ``url``: status, headers (lower-case names) and body text."""
    request = urllib.request.Request(url, headers=dict(headers or {}))
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read().decode(errors="replace")
        return response.status, {k.lower(): v for k, v in response.headers.items()}, body


_EVENT = r'^session_events_total\{{type="{}"\}} (\d+)'
COUNTERS = {
    "active": r"^active_sessions (\d+)",
    **{kind: _EVENT.format(kind) for kind in ("connect", "reconnect", "disconnect")},
}


def sessions(server_url: str) -> dict[str, int]:
    """A server's own session counters (asked directly, not through nginx).

    Keys: ``active``, ``connect``, ``reconnect``, ``disconnect`` (Streamlit's ``/_stcore/metrics``).
    """
    _, _, text = get(f"{server_url}/_stcore/metrics")
    found = {key: re.search(pattern, text, re.M) for key, pattern in COUNTERS.items()}
    missing = [key for key, match in found.items() if match is None]
    assert not missing, f"{server_url}/_stcore/metrics no longer reports {missing}:\n{text[:500]}"
    return {key: int(match.group(1)) for key, match in found.items()}


def wait_for_connect(server_url: str, before: int, timeout: float = 60.0) -> None:
    """Waits until the server has seen more websocket connections than ``before``."""
    deadline = time.monotonic() + timeout
    while sessions(server_url)["connect"] <= before:
        assert time.monotonic() < deadline, f"no new session on {server_url} in {timeout:.0f} s"
        time.sleep(0.2)


def raw(public_url: str, request: bytes) -> bytes:
    """Sends ``request`` bytes as they are to nginx; returns its answer's first line."""
    host, port = public_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        with contextlib.suppress(OSError):  # nginx may answer and close before reading it all
            sock.sendall(request)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def access_lines(stack: Stack, path_part: str, timeout: float = 10.0) -> list[str]:
    """nginx's access-log lines whose request mentions ``path_part``, waiting up to ``timeout`` s
    for one (nginx writes a line when it has finished with the connection's request)."""
    deadline = time.monotonic() + timeout
    while True:
        text = stack.access_log.read_text(errors="replace") if stack.access_log.exists() else ""
        lines = [line for line in text.splitlines() if path_part in line]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def upload(stack: Stack, size: int, chunked: bool) -> tuple[int, str]:
    """PUTs ``size`` bytes to Streamlit's upload route through nginx: (status, X-Upstream)."""
    body = b"x" * size
    data = iter([body]) if chunked else body
    request = urllib.request.Request(
        f"{stack.public_url}/_stcore/upload_file/no-session/no-file", data=data, method="PUT"
    )
    if not chunked:
        request.add_header("Content-Length", str(size))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("X-Upstream", "")
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("X-Upstream", "")
    except (urllib.error.URLError, ConnectionError) as err:  # nginx answered and closed early
        found = re.search(r"\b([45]\d\d)\b", str(err))
        return (int(found.group(1)) if found else -1), ""


def context_on(browser: Browser, stack: Stack, index: int) -> BrowserContext:
    """A new browser context whose route cookie sends it to server ``index`` (tries up to 24)."""
    wanted = stack.servers[index - 1].address
    for _ in range(24):
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(30_000)
        probe = context.request.get(f"{stack.public_url}/_stcore/health")
        if last_upstream(probe.headers.get("x-upstream")) == wanted:
            return context
        context.close()
    pytest.fail(f"24 new route cookies never reached {wanted}")


def upstreams_seen(page: Page) -> list[tuple[float, str]]:
    """Starts recording (when the request started, ms since the epoch; X-Upstream) of every
    response the page receives."""
    seen: list[tuple[float, str]] = []

    def record(response) -> None:
        upstream = last_upstream(response.headers.get("x-upstream")) or "-"
        seen.append((response.request.timing["startTime"], upstream))

    page.on("response", record)
    return seen


def since(seen: list[tuple[float, str]], start_ms: float = 0.0) -> set[str]:
    """The servers that answered the requests started after ``start_ms``."""
    return {upstream for started, upstream in seen if started >= start_ms}
