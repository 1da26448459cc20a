"""Two app servers behind a real nginx on loopback: health, sticky routing, websockets in Chromium,
requests nginx refuses itself, and a server stopped mid-session.

Routing is checked three ways: nginx's ``X-Upstream`` header, its access log, and each server's own
session counters (``/_stcore/metrics``, asked of the server directly). The tests share one stack;
``test_stopping_a_server_moves_its_browsers_to_the_other`` stops server 2, so it is the last of
them. Then ``scripts/serve.py`` is run as a user would, with stacks of its own.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

import deploy.stack
from deploy.servers import free_port
from deploy.stack import Stack
from tests.browser_utils import assert_no_exception, goto_page, wait_for_app
from tests.nginx_stack import (
    access_lines,
    context_on,
    get,
    last_upstream,
    need_nginx,
    nginx_stack,
    raw,
    sessions,
    since,
    upload,
    upstreams_seen,
    wait_for_connect,
)

UPLOAD_MB = 1  # Streamlit's server.maxUploadSize in this stack, and so nginx's body limit
ROUTE = re.compile(r"lbl_route=([0-9a-f]{32});")
SIDEBAR_ROOM = re.compile(r"Room [2-9A-Z]{6} · presenter")


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """Two servers sharing one room database (a SQLite file: both are on this machine)."""
    with tempfile.TemporaryDirectory(prefix="lbl-rooms-") as folder:
        url = f"sqlite:///{Path(folder) / 'rooms.sqlite3'}"
        with nginx_stack(2, url, max_upload_mb=UPLOAD_MB) as running:
            yield running


def addresses(stack: Stack) -> list[str]:
    return [s.address for s in stack.servers]


def test_health_answers_through_nginx_from_either_server(stack: Stack):
    seen = set()
    for _ in range(24):  # no cookie: each request gets a new route, so both servers answer
        status, headers, body = get(f"{stack.public_url}/_stcore/health")
        assert (status, body.strip()) == (200, "ok")
        assert headers["server"] == "nginx"  # server_tokens off: no version
        seen.add(last_upstream(headers["x-upstream"]))
    assert seen == set(addresses(stack))


def test_a_route_cookie_keeps_a_client_on_one_server(stack: Stack):
    _, headers, _ = get(f"{stack.public_url}/_stcore/health")
    cookie = ROUTE.search(headers["set-cookie"]).group(1)
    first = last_upstream(headers["x-upstream"])
    for _ in range(10):
        _, again, _ = get(f"{stack.public_url}/", {"Cookie": f"lbl_route={cookie}"})
        assert last_upstream(again["x-upstream"]) == first
        assert "lbl_route=" not in again.get("set-cookie", "")  # a valid cookie is kept
    _, forged, _ = get(f"{stack.public_url}/", {"Cookie": "lbl_route=<script>"})
    assert ROUTE.search(forged["set-cookie"])  # a malformed one is replaced


# name: (the bytes sent, the statuses nginx may answer, what its access log shows of the request)
BAD_REQUESTS = {
    "malformed request line": (b"GARBAGE-lbl-probe\r\n\r\n", {b"400"}, "GARBAGE-lbl-probe"),
    "header line without a colon": (
        b"GET /lbl-probe-colon HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
        {b"400"},
        "/lbl-probe-colon",
    ),
    "64 KB header": (
        b"GET /lbl-probe-64k HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n",
        {b"400", b"494"},
        "/lbl-probe-64k",
    ),
    "GET with a body": (
        b"GET /lbl-probe-body HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        {b"400"},
        "/lbl-probe-body",
    ),
    "POST to a page": (
        b"POST /lbl-probe-post HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        {b"403"},
        "/lbl-probe-post",
    ),
    "16 KB request line": (
        b"GET /lbl-probe-long" + b"a" * 16384 + b" HTTP/1.1\r\n\r\n",
        {b"414"},
        "/lbl-probe-long",
    ),
}


@pytest.mark.parametrize("name", BAD_REQUESTS)
def test_malformed_or_oversized_requests_stop_at_nginx(stack: Stack, name: str):
    request, statuses, logged = BAD_REQUESTS[name]
    first_line = raw(stack.public_url, request)
    assert first_line.split(b" ")[1] in statuses, first_line
    lines = access_lines(stack, logged)
    assert len(lines) == 1 and "upstream=- " in lines[0], lines  # answered by nginx alone


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_upload_above_streamlits_limit_gets_413_from_nginx(stack: Stack, chunked: bool):
    status, upstream = upload(stack, (UPLOAD_MB + 1) * 2**20, chunked)
    assert (status, upstream) == (413, "")
    small, upstream = upload(stack, 50_000, chunked)  # below the limit: Streamlit answers
    assert small != 413 and last_upstream(upstream) in addresses(stack)


def test_uploads_streamlit_refuses_never_take_a_server_out(stack: Stack):
    """Streamlit refuses an upload without a session before reading it and resets the connection;
    nginx must not count that against the server, or a few such requests would leave no server."""
    for _ in range(30):
        status, _ = upload(stack, 900_000, chunked=False)
        assert status in {400, 403, 404, 502}, status  # Streamlit's refusal, or its reset
    assert "temporarily disabled" not in stack.error_log.read_text(errors="replace")
    seen = set()
    for _ in range(24):
        status, headers, _ = get(f"{stack.public_url}/_stcore/health")
        assert status == 200
        seen.add(last_upstream(headers["x-upstream"]))
    assert seen == set(addresses(stack))


def test_the_app_runs_through_nginx_and_its_session_stays_on_one_server(
    stack: Stack, browser: Browser
):
    context = context_on(browser, stack, 1)
    try:
        page = context.new_page()
        seen = upstreams_seen(page)
        before = [sessions(s.url) for s in stack.servers]
        goto_page(page, stack.public_url)  # the websocket through nginx: the first page renders
        expect(page.get_by_test_id("stHeading").first).to_contain_text("MNIST at a glance")
        for name in ("Lesson", "Build", "MNIST at a glance"):  # reruns on the same websocket
            page.get_by_test_id("stSidebarNav").get_by_text(name, exact=True).click()
            wait_for_app(page)
            expect(page.get_by_test_id("stHeading").first).to_contain_text(name)
        assert_no_exception(page)
        after = [sessions(s.url) for s in stack.servers]
        assert since(seen) == {stack.servers[0].address}, seen
        assert after[0]["connect"] - before[0]["connect"] == 1  # one session, never reconnected
        assert after[1]["connect"] == before[1]["connect"]
    finally:
        context.close()


def start_room(page: Page, url: str) -> None:
    goto_page(page, url, "room")
    page.get_by_role("button", name="Start a room").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text(SIDEBAR_ROOM)


def test_stopping_a_server_moves_its_browsers_to_the_other(stack: Stack, browser: Browser):
    one, two = context_on(browser, stack, 1), context_on(browser, stack, 2)
    try:
        stays, moves = one.new_page(), two.new_page()
        seen = upstreams_seen(moves)
        start_room(stays, stack.public_url)  # a session on each server, both presenting a room
        start_room(moves, stack.public_url)
        assert since(seen) == {stack.servers[1].address}
        connects = sessions(stack.servers[0].url)["connect"]

        stack.stop_server(2)  # returns once the process has exited
        stopped_ms = time.time() * 1000
        # The browser reconnects through nginx to server 1, by itself; Streamlit's page keeps
        # showing what it showed until the next action, which runs in a new session there.
        wait_for_connect(stack.servers[0].url, connects)
        moves.get_by_test_id("stSidebarNav").get_by_text("Build", exact=True).click()
        wait_for_app(moves)
        expect(moves.get_by_test_id("stSidebar")).not_to_contain_text(SIDEBAR_ROOM)
        assert since(seen, stopped_ms) == {stack.servers[0].address}, seen

        stays.get_by_test_id("stSidebarNav").get_by_text("Build", exact=True).click()
        wait_for_app(stays)  # the session on server 1 kept its state
        expect(stays.get_by_test_id("stSidebar")).to_contain_text(SIDEBAR_ROOM)
        assert_no_exception(stays)
        assert_no_exception(moves)
    finally:
        one.close()
        two.close()


SERVE = Path(__file__).resolve().parent.parent / "scripts" / "serve.py"
SLOTS = "LAYER_BY_LAYER_TRAINING_SLOTS"


def serve(*args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LAYER_BY_LAYER_WARMUP": "0"}
    command = [sys.executable, str(SERVE), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


def environment_of(pid: int) -> dict[str, str]:
    entries = Path(f"/proc/{pid}/environ").read_text().split("\0")
    return dict(e.split("=", 1) for e in entries if "=" in e)


def test_serve_runs_the_stack_and_ctrl_c_stops_all_of_it():
    need_nginx()
    run = Path(tempfile.mkdtemp(prefix="lbl-serve-"))  # nginx's workers (nobody) must enter it
    port = free_port()
    db = f"sqlite:///{run / 'rooms.sqlite3'}"
    command = [sys.executable, str(SERVE), "--servers", "1", "--listen", f"127.0.0.1:{port}"]
    command += ["--db", db]
    env = {**os.environ, "LAYER_BY_LAYER_WARMUP": "0"}
    process = subprocess.Popen(
        [*command, "--run-dir", str(run)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        lines = []
        while not lines or "is at" not in lines[-1]:
            lines.append(process.stdout.readline())
            assert lines[-1], "".join(lines)  # serve.py ended before printing its address
        assert f"is at http://127.0.0.1:{port}" in lines[-1]
        assert get(f"http://127.0.0.1:{port}/_stcore/health")[2] == "ok"
        pids = [int(p) for p in re.findall(r"\(pid (\d+)\)", "".join(lines))]
        told = environment_of(pids[0])
        assert told["LAYER_BY_LAYER_ROOM_DB"] == db
        alone = max(1, (os.cpu_count() or 2) // 2)  # one server trains as the app alone does
        assert told["LAYER_BY_LAYER_TRAINING_SLOTS"] == os.environ.get(SLOTS, str(alone))
        pids.append(int((run / "nginx.pid").read_text()))
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        assert "Stopped." in process.stdout.read()
        for pid in pids:  # the server and nginx's master are gone (serve.py reaped them)
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
    finally:
        if process.poll() is None:  # a failure above: serve.py still stops what it started
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        shutil.rmtree(run, ignore_errors=True)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--servers", "0"), 2, "at least one server"),
        (("--listen", "localhost:8080"), 2, "IP address"),
        (("--servers", "1", "--timeout", "0"), 1, "was not healthy within 0 s"),
    ],
    ids=["no servers", "listen on a name", "a server too slow"],
)
def test_serve_says_why_it_cannot_start(args: tuple[str, ...], code: int, message: str):
    need_nginx()
    listen = () if "--listen" in args else ("--listen", f"127.0.0.1:{free_port()}")
    with tempfile.TemporaryDirectory(prefix="lbl-serve-") as run:
        done = serve(*args, *listen, "--run-dir", run)
    assert done.returncode == code, done.stderr
    assert message in done.stderr


def test_serve_without_nginx_exits_2_and_says_how_to_install_it(
    monkeypatch, tmp_path: Path, capsys
):
    monkeypatch.setattr(deploy.stack, "DEBIAN_NGINX", tmp_path / "no-nginx")
    monkeypatch.setenv("PATH", str(tmp_path))
    spec = importlib.util.spec_from_file_location("serve_script", SERVE)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main(["--servers", "1", "--run-dir", str(tmp_path / "run")]) == 2
    assert "apt-get install -y nginx" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()  # nothing was started or created
