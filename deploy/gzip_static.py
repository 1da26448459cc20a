"""Streamlit's JavaScript and CSS sent gzipped, each file compressed once per server process.

Streamlit serves its frontend files (``/static/...``) uncompressed and leaves compression to a
proxy: compressing on every request would cost the server CPU each time. A first visit to this
app transfers 9.1 MB, nearly all of it those files (Plotly's chunk alone is 4.7 MB; measured by
``bench/bench_first_paint.py``), so 30 participants joining on workshop Wi-Fi would pull some
270 MB through it. This ASGI middleware (``app.py`` hands it to
``st.App``) compresses each such file the first time a browser asks for it, in a worker thread
and once even when many ask at the same time, keeps the gzipped bytes (about 30% of the size),
and answers every later request from memory: a room costs one compression per file.

Only GET and HEAD of ``/static/`` paths from browsers that accept gzip, without a Range header,
are touched; Streamlit's own handler still answers them first (its file lookup, path checks and
cache headers stand), and anything that is not a 200 of a text type passes through as it came.
The compressed variant has its own ETag, so a browser's revalidation gets a 304 from memory.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import anyio.to_thread

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PREFIX = "/static/"
LEVEL = 6  # 4.7 MB of Plotly -> 1.42 MB in about 0.12 s; level 9 saves 0.2% more for 35% more time
MIN_BYTES = 1024  # smaller files gain less than the header costs
MAX_CACHED_BYTES = 64 * 2**20  # all of Streamlit's frontend gzipped is about 7 MB
TEXT_TYPES = re.compile(rb"^(text/|application/(javascript|json|manifest\+json)|image/svg)")
SUFFIXES = (".js", ".css", ".json", ".svg", ".html", ".txt", ".map")  # the files it may touch
# One spelling per file (Streamlit's are hashed plain names): "//", "./", "%2e" and the like pass
# through, so no one can fill the cache with copies of one file under other names.
PLAIN_PATH = re.compile(r"^(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$")


@dataclass(frozen=True)
class Compressed:
    """One file's gzipped answer: the headers to send (content length and encoding set) and body."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


def accepts_gzip(value: str) -> bool:
    """True if an Accept-Encoding header value allows gzip (``gzip;q=0`` refuses it).

    >>> accepts_gzip("gzip, deflate, br"), accepts_gzip("br"), accepts_gzip("gzip;q=0")
    (True, False, False)
    >>> accepts_gzip("*"), accepts_gzip("identity, *;q=0.5")
    (True, True)
    """
    allowed = {}
    for part in value.lower().split(","):
        name, _, params = part.strip().partition(";")
        weight = re.search(r"q=([^;\s]*)", params)
        try:  # no weight means 1; a weight that is not a number means no
            allowed[name.strip()] = float(weight.group(1)) if weight else 1.0
        except ValueError:
            allowed[name.strip()] = 0.0
    return allowed.get("gzip", allowed.get("*", 0.0)) > 0


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


class GzipStatic:
    """ASGI middleware: ``/static/`` text files gzipped once, then served from memory."""

    def __init__(self, app: ASGIApp, prefix: str = PREFIX, level: int = LEVEL) -> None:
        self.app = app
        self.prefix = prefix
        self.level = level
        self.cache: dict[str, Compressed] = {}
        self.cached_bytes = 0
        self._locks: dict[str, asyncio.Lock] = {}

    def _eligible(self, scope: Scope) -> bool:
        path = str(scope.get("path", ""))
        return (
            scope["type"] == "http"
            and scope.get("method") in ("GET", "HEAD")
            and path.startswith(self.prefix)
            and path.endswith(SUFFIXES)
            and PLAIN_PATH.match(path) is not None  # no "..", "." or empty segment either
            and not _header(scope, b"range")
            and accepts_gzip(_header(scope, b"accept-encoding"))
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._eligible(scope):
            await self.app(scope, receive, send)
            return
        path = str(scope["path"])
        found = self.cache.get(path)
        if found is None:
            lock = self._locks.setdefault(path, asyncio.Lock())  # those asking at once wait here
            try:
                async with lock:
                    found = self.cache.get(path)
                    if found is None:
                        found = await self._fetch(path, scope, receive, send)
            finally:  # only paths being fetched keep a lock: made-up ones leave nothing behind
                if self._locks.get(path) is lock and not lock.locked():
                    del self._locks[path]
            if found is None:  # passed through as it came
                return
        await self._answer(found, scope, send)

    async def _fetch(
        self, path: str, scope: Scope, receive: Receive, send: Send
    ) -> Compressed | None:
        """Ask Streamlit's handler; gzip and cache a 200 of a text type, else pass it on."""
        conditional = (b"if-none-match", b"if-modified-since")  # we want the file, not a 304
        inner = dict(
            scope, headers=[(k, v) for k, v in scope["headers"] if k.lower() not in conditional]
        )
        start: Message = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(inner, receive, keep)
        body = b"".join(chunks)
        headers = [(k.lower(), v) for k, v in start.get("headers", [])]
        kinds = dict(headers)
        if (
            start.get("status") != 200
            or b"content-encoding" in kinds
            or not TEXT_TYPES.match(kinds.get(b"content-type", b""))
            or len(body) < MIN_BYTES
            or scope["method"] == "HEAD"
            or self.cached_bytes > MAX_CACHED_BYTES
        ):  # as Streamlit answered it (a 200 even if the browser's copy was still good)
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return None
        packed = await anyio.to_thread.run_sync(self._compress, body)
        etag = b'"' + hashlib.sha1(body).hexdigest()[:20].encode() + b'-gzip"'
        keep_headers = [(k, v) for k, v in headers if k not in (b"content-length", b"etag")]
        found = Compressed(
            headers=[
                *keep_headers,
                (b"content-encoding", b"gzip"),
                (b"content-length", str(len(packed)).encode()),
                (b"etag", etag),
                (b"vary", b"Accept-Encoding"),
            ],
            body=packed,
            etag=etag,
        )
        self.cache[path] = found
        self.cached_bytes += len(packed)
        return found

    def _compress(self, body: bytes) -> bytes:
        return gzip.compress(body, compresslevel=self.level, mtime=0)

    async def _answer(self, found: Compressed, scope: Scope, send: Send) -> None:
        if found.etag in _header(scope, b"if-none-match").encode("latin-1"):
            headers = [(k, v) for k, v in found.headers if k not in (b"content-length",)]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": found.headers})
        body = b"" if scope["method"] == "HEAD" else found.body
        await send({"type": "http.response.body", "body": body})
