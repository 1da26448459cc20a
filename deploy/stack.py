"""N app servers on loopback and Debian's nginx in front of them, started and stopped together.

Shared by ``scripts/serve.py`` (the workshop recipe), ``tests/nginx_stack.py`` and
``bench/workshop/servers.py``::

    with running_stack(2, "postgresql+psycopg://...", run_dir=Path("/tmp/lbl")) as stack:
        print(stack.public_url)

Order: the servers start (in parallel), ``nginx -t`` checks the rendered file while they boot,
every server answers ``/_stcore/health``, then nginx starts. ``Stack.stop`` reverses it: nginx
quits first (no new requests), then the servers. Streamlit keeps sessions in memory, so stopping
a server ends the sessions it held; their browsers reconnect through nginx to another server.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from deploy.nginx_conf import STREAMLIT_UPLOAD_MB, NginxConf, render, upstream_address
from deploy.servers import (
    Server,
    StackError,
    free_port,
    health_ok,
    start_server,
    stop_process,
    tail,
    wait_healthy,
)

DEBIAN_NGINX = Path("/usr/sbin/nginx")
NGINX_MISSING = "nginx is not installed (Debian: apt-get install -y nginx)"
DB_ENV = "LAYER_BY_LAYER_ROOM_DB"

__all__ = ["NGINX_MISSING", "NginxMissing", "Server", "Stack", "StackError", "nginx_binary"]
__all__ += ["running_stack", "start_stack"]


class NginxMissing(StackError):
    """Neither Debian's nginx nor one on PATH."""


def nginx_binary() -> str | None:
    """Debian's nginx, else the one on PATH, else None."""
    return str(DEBIAN_NGINX) if DEBIAN_NGINX.exists() else shutil.which("nginx")


def _reachable_by_workers(folder: Path) -> None:
    """As root, nginx's workers run as nobody: they must be able to enter the run folder."""
    folder.chmod(0o755)
    for parent in [folder, *folder.parents]:
        if not parent.stat().st_mode & stat.S_IXOTH:
            raise StackError(
                f"nginx's workers run as nobody and cannot enter {parent}: choose a run folder "
                "whose parents others may enter, e.g. under /tmp or /srv"
            )


def write_config(conf: NginxConf) -> Path:
    """Creates the run folder (and its ``tmp/``), writes ``nginx.conf`` there, returns its path."""
    text = render(conf)  # first: a bad value writes nothing
    (conf.run_dir / "tmp").mkdir(parents=True, exist_ok=True)
    if conf.as_root:
        _reachable_by_workers(conf.run_dir)
    path = conf.run_dir / "nginx.conf"
    path.write_text(text, encoding="utf-8")
    return path


def check_config(nginx: str, conf_path: Path) -> None:
    """``nginx -t`` on the file; StackError with nginx's own words if it refuses it."""
    done = subprocess.run(
        [nginx, "-t", "-q", "-c", str(conf_path), "-p", str(conf_path.parent)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if done.returncode != 0:
        raise StackError(f"nginx -t refused {conf_path}:\n{(done.stderr or done.stdout).strip()}")


def start_nginx(
    nginx: str, conf_path: Path, listen: tuple[str, int], timeout: float = 15.0
) -> subprocess.Popen[bytes]:
    """Runs nginx in the foreground (``daemon off`` is in the file) until it accepts connections."""
    out = conf_path.parent / "nginx.out"
    with out.open("wb") as log:
        process = subprocess.Popen(
            [nginx, "-c", str(conf_path), "-p", str(conf_path.parent)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError), socket.create_connection(listen, timeout=1):
            return process
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process, signal.SIGTERM, 5)
            said = f"{tail(out, 10)}\n{tail(conf_path.parent / 'error.log', 10)}"
            raise StackError(f"nginx did not start on {listen[0]}:{listen[1]}:\n{said.strip()}")
        time.sleep(0.1)


@dataclass
class Stack:
    """Running servers and nginx; ``public_url`` is nginx's address."""

    public_url: str
    run_dir: Path
    servers: list[Server] = field(default_factory=list)
    remote: tuple[str, ...] = ()  # "host:port" of servers this stack did not start
    nginx: subprocess.Popen[bytes] | None = None

    @property
    def access_log(self) -> Path:
        return self.run_dir / "access.log"

    @property
    def error_log(self) -> Path:
        return self.run_dir / "error.log"

    def stop_server(self, index: int, grace: float = 10.0) -> None:
        """Stops server ``index`` (counting from 1) with SIGTERM: its sessions end."""
        stop_process(self.servers[index - 1].process, signal.SIGTERM, grace)

    def stop(self, grace: float = 10.0) -> None:
        """nginx quits (open websockets are cut after 5 s), then every server stops."""
        if self.nginx is not None:
            stop_process(self.nginx, signal.SIGQUIT, grace)
        for server in self.servers:
            stop_process(server.process, signal.SIGTERM, grace)


def server_env(db_url: str | None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The servers' environment: ours, plain logs, and the room database when one is given."""
    env = {**os.environ, "NO_COLOR": "1", **(extra or {})}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if db_url:
        env[DB_ENV] = db_url
    return env


def _wait_remote(addresses: Sequence[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for address in addresses:
        while not health_ok(f"http://{address}"):
            if time.monotonic() > deadline:
                raise StackError(f"http://{address}/_stcore/health did not answer 'ok'")
            time.sleep(0.5)


def start_stack(
    n_servers: int,
    db_url: str | None,
    *,
    run_dir: Path,
    listen: tuple[str, int] = ("127.0.0.1", 0),
    remote: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    max_upload_mb: int = STREAMLIT_UPLOAD_MB,
    workers: int = 0,
    prefix: Sequence[str] = (),
    timeout: float = 120.0,
    upstream_header: bool = True,
) -> Stack:
    """Starts ``n_servers`` app servers and nginx in front of them (and of ``remote`` ones).

    Args:
        n_servers: ``streamlit run app.py`` processes to start on free loopback ports.
        db_url: the servers' room database (``LAYER_BY_LAYER_ROOM_DB``; None: the environment's).
        run_dir: nginx's folder (config, pid, logs, temporary files) and the servers' logs.
        listen: nginx's address and port (0: a free one).
        remote: ``"host:port"`` of servers started elsewhere, added to nginx's pool.
        env: more environment variables for the servers.
        max_upload_mb: Streamlit's ``server.maxUploadSize``, and so nginx's body limit.
        workers: nginx worker processes (0: one per core).
        prefix: a command to run each server under (e.g. ``taskset -c 0``).
        timeout: seconds each server may take to answer its health check.
        upstream_header: nginx adds ``X-Upstream`` (which server answered) to its responses.

    Raises:
        NginxMissing: nginx is not installed (StackError: nginx or a server would not start).
        ValueError: a bad address, port or folder.
    """
    nginx = nginx_binary()
    if nginx is None:
        raise NginxMissing(NGINX_MISSING)
    remote = tuple(upstream_address(r) for r in remote)
    if n_servers < 0 or n_servers + len(remote) == 0:
        raise ValueError("nginx needs at least one server: start some or name remote ones")
    host, port = listen[0], listen[1] or free_port()
    conf = NginxConf(
        upstreams=(*range(1, n_servers + 1), *remote),  # stand-ins until the servers have ports
        run_dir=run_dir,
        listen_host=host,
        listen_port=port,
        max_body_mb=max_upload_mb,
        workers=workers,
        as_root=os.geteuid() == 0,
        upstream_header=upstream_header,
    )
    render(conf)  # a bad address, port or folder fails here, before any process starts
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    stack = Stack(f"http://{shown}:{port}", run_dir, remote=remote)
    run_dir.mkdir(parents=True, exist_ok=True)
    try:
        _launch(stack, nginx, conf, n_servers, server_env(db_url, env), prefix, timeout)
    except BaseException:
        stack.stop()
        raise
    return stack


def _launch(
    stack: Stack,
    nginx: str,
    conf: NginxConf,
    n_servers: int,
    env: Mapping[str, str],
    prefix: Sequence[str],
    timeout: float,
) -> None:
    """The servers, then the checked configuration for their ports, then nginx, into ``stack``."""
    for i in range(1, n_servers + 1):
        server = start_server(
            i, conf.run_dir, env=env, max_upload_mb=conf.max_body_mb, prefix=prefix
        )
        stack.servers.append(server)
    ports = tuple(s.port for s in stack.servers)
    conf_path = write_config(dataclasses.replace(conf, upstreams=(*ports, *stack.remote)))
    check_config(nginx, conf_path)  # while the servers boot
    wait_healthy(stack.servers, timeout)
    _wait_remote(stack.remote, timeout)
    stack.nginx = start_nginx(nginx, conf_path, (conf.listen_host.strip("[]"), conf.listen_port))
    if not health_ok(stack.public_url, timeout=10):
        raise StackError(f"{stack.public_url}/_stcore/health does not answer through nginx")


@contextlib.contextmanager
def running_stack(n_servers: int, db_url: str | None, **options) -> Iterator[Stack]:
    """``start_stack`` as a context manager: everything is stopped on the way out."""
    stack = start_stack(n_servers, db_url, **options)
    try:
        yield stack
    finally:
        stack.stop()
