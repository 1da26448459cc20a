"""deploy.gzip_static: Streamlit's frontend files gzipped once per process, everything else untouched.

The middleware wraps a real Starlette ``StaticFiles`` app on a temporary folder (Streamlit's own
static handler is one), driven through ASGI directly; one test asks the real server.
"""

from __future__ import annotations

import asyncio
import gzip
import urllib.request
from pathlib import Path

import pytest
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.staticfiles import StaticFiles

from deploy.gzip_static import GzipStatic, accepts_gzip
from tests.browser_utils import run_async, start_app, stop_app
from tests.nginx_stack import nginx_stack

SCRIPT = b"function f(){return 1};\n" * 400  # 9.6 kB of JavaScript


class Counted:
    """An ASGI app that counts the requests it answers."""

    def __init__(self, app) -> None:
        self.app, self.calls = app, 0

    async def __call__(self, scope, receive, send) -> None:
        self.calls += 1
        await self.app(scope, receive, send)


@pytest.fixture
def served(tmp_path: Path) -> tuple[GzipStatic, Counted]:
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "app.js").write_bytes(SCRIPT)
    (folder / "tiny.js").write_bytes(b"x=1")
    (folder / "font.woff2").write_bytes(b"\0" * 4096)
    # as in Starlette's stack: a missing file's HTTPException becomes a 404 inside our middleware
    inner = Counted(ExceptionMiddleware(StaticFiles(directory=tmp_path)))
    return GzipStatic(inner), inner


async def _get(app, path: str, method: str = "GET", **headers: str) -> tuple[int, dict, bytes]:
    scope = {
        "type": "http", "method": method, "path": path, "raw_path": path.encode(),
        "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
        "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1234),
        "headers": [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()],
    }  # fmt: skip  # an ASGI scope, a few keys per line
    answer: dict = {"body": b""}

    requested = False

    async def receive() -> dict:  # the request once; then, as a real server, wait for the end
        nonlocal requested
        if requested:
            await asyncio.Event().wait()
        requested = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
        else:
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["headers"], answer["body"]


def get(app, path: str, method: str = "GET", **headers: str) -> tuple[int, dict, bytes]:
    return run_async(_get(app, path, method, **headers))


def test_a_script_is_gzipped_once_and_then_served_from_memory(served) -> None:
    app, inner = served

    async def many() -> list:
        return await asyncio.gather(
            *(_get(app, "/static/app.js", accept_encoding="gzip") for _ in range(5))
        )

    answers = run_async(many())
    for status, headers, body in answers:
        assert status == 200 and headers["content-encoding"] == "gzip"
        assert gzip.decompress(body) == SCRIPT
        assert int(headers["content-length"]) == len(body) < len(SCRIPT) / 5
        assert headers["vary"] == "Accept-Encoding" and "javascript" in headers["content-type"]
    assert inner.calls == 1, "five browsers at once: one read, one compression"
    get(app, "/static/app.js", accept_encoding="gzip, br")
    assert inner.calls == 1


def test_a_revalidation_gets_a_304_from_memory(served) -> None:
    app, inner = served
    _, headers, _ = get(app, "/static/app.js", accept_encoding="gzip")
    status, again, body = get(
        app, "/static/app.js", accept_encoding="gzip", if_none_match=headers["etag"]
    )
    assert (status, body) == (304, b"") and again["etag"] == headers["etag"]
    status, _, body = get(app, "/static/app.js", accept_encoding="gzip", if_none_match='"other"')
    assert status == 200 and gzip.decompress(body) == SCRIPT
    assert inner.calls == 1


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/static/app.js", {}),  # the browser does not accept gzip
        ("/static/app.js", {"accept_encoding": "gzip;q=0"}),
        ("/static/app.js", {"accept_encoding": "gzip", "range": "bytes=0-99"}),
        ("/static/font.woff2", {"accept_encoding": "gzip"}),  # already compressed
        ("/static/tiny.js", {"accept_encoding": "gzip"}),  # too small to gain
        ("/static/missing.js", {"accept_encoding": "gzip"}),
        ("/app.js", {"accept_encoding": "gzip"}),  # not under /static/
    ],
)
def test_everything_else_is_answered_as_the_inner_app_answers_it(served, path, headers) -> None:
    app, inner = served
    direct = get(inner.app, path, **headers)
    through = get(app, path, **headers)
    assert through[0] == direct[0] and through[2] == direct[2]
    assert "content-encoding" not in through[1]
    assert not app.cache


def test_made_up_paths_and_other_spellings_leave_nothing_behind(served) -> None:
    app, _ = served
    for i in range(50):
        assert get(app, f"/static/nope{i}.js", accept_encoding="gzip")[0] == 404
    for odd in ("/static//app.js", "/static/./app.js", "/static/x/../app.js", "/static/%61pp.js"):
        assert "content-encoding" not in get(app, odd, accept_encoding="gzip")[1]
    assert not app.cache and not app._locks


def test_head_gets_the_gzipped_headers_without_a_body(served) -> None:
    app, _ = served
    _, full, _ = get(app, "/static/app.js", accept_encoding="gzip")
    status, headers, body = get(app, "/static/app.js", "HEAD", accept_encoding="gzip")
    assert status == 200 and body == b"" and headers["content-length"] == full["content-length"]


def _plotly_chunk() -> Path:
    import streamlit

    return next(
        (Path(streamlit.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*")
    )


def _fetch(url: str, **headers: str) -> tuple[str | None, bytes]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
        return answer.headers["Content-Encoding"], answer.read()


@pytest.mark.slow  # a real server start, no browser
def test_the_real_server_sends_plotly_gzipped() -> None:
    chunk = _plotly_chunk()
    server = start_app("app.py")
    try:
        url = f"{server.url}/static/js/{chunk.name}"
        encoding, body = _fetch(url, **{"Accept-Encoding": "gzip"})
        assert encoding == "gzip" and gzip.decompress(body) == chunk.read_bytes()
        assert len(body) < chunk.stat().st_size / 2
        assert _fetch(url) == (None, chunk.read_bytes())  # no Accept-Encoding: as it is
    finally:
        stop_app(server)


@pytest.mark.slow  # nginx and a server
def test_nginx_passes_the_servers_gzip_on() -> None:
    chunk = _plotly_chunk()
    with nginx_stack(1) as stack:
        encoding, body = _fetch(
            f"{stack.public_url}/static/js/{chunk.name}", **{"Accept-Encoding": "gzip"}
        )
    assert encoding == "gzip" and gzip.decompress(body) == chunk.read_bytes()


@pytest.mark.parametrize(
    ("value", "ok"),
    [("gzip, deflate, br", True), ("br", False), ("gzip;q=0", False), ("GZIP;q=0.5", True),
     ("*", True), ("identity, *;q=0.5", True), ("*;q=0", False), ("gzip;q=x", False), ("", False)],
)  # fmt: skip  # pairs, several per line
def test_accept_encoding_is_read_with_its_weights(value: str, ok: bool) -> None:
    assert accepts_gzip(value) is ok
