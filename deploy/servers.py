"""The app servers of a stack: ``streamlit run app.py`` processes on loopback ports, health, stopping.

Each process runs in a process group of its own (``start_new_session``), so a Ctrl-C in a terminal
reaches only the caller, which then stops them itself, in order.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from deploy.nginx_conf import STREAMLIT_UPLOAD_MB

REPO_ROOT = Path(__file__).resolve().parent.parent


class StackError(RuntimeError):
    """A server or nginx did not start; the message says which and why (with its log's tail)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a log file ("(no log)" if it cannot be read)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class Server:
    """One ``streamlit run`` process (``index`` counts from 1) and its log file."""

    index: int
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def log_tail(self, lines: int = 30) -> str:
        return tail(self.log_path, lines)


def streamlit_command(port: int, max_upload_mb: int, script: str = "app.py") -> list[str]:
    """``streamlit run`` headless on 127.0.0.1:``port``, its upload limit nginx's body limit."""
    # `# fmt: skip`: one option and its value per line reads better than one item per line.
    return [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.maxUploadSize", str(max_upload_mb),
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


def start_server(
    index: int,
    log_dir: Path,
    *,
    env: Mapping[str, str],
    max_upload_mb: int = STREAMLIT_UPLOAD_MB,
    prefix: Sequence[str] = (),
) -> Server:
    """Starts server ``index`` on a free port (not waiting for it); its output goes to a log file."""
    port = free_port()
    log_path = log_dir / f"server-{index}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*prefix, *streamlit_command(port, max_upload_mb)],
            cwd=REPO_ROOT,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Server(index, port, process, log_path)


def health_ok(url: str, timeout: float = 2.0) -> bool:
    """True if ``url``/_stcore/health answers ``ok``."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_healthy(servers: Sequence[Server], timeout: float) -> None:
    """Waits until every server answers its health check; StackError if one exits or is late."""
    deadline = time.monotonic() + timeout
    waiting = list(servers)
    while waiting:
        waiting = [s for s in waiting if not health_ok(s.url)]
        for server in waiting:
            code = server.process.poll()
            if code is not None:
                raise StackError(
                    f"server {server.index} (port {server.port}) exited with code {code} before "
                    f"answering its health check. {server.log_path}:\n{server.log_tail()}"
                )
        if waiting and time.monotonic() > deadline:
            late = waiting[0]
            raise StackError(
                f"server {late.index} ({late.url}/_stcore/health) was not healthy within "
                f"{timeout:.0f} s. {late.log_path}:\n{late.log_tail()}"
            )
        if waiting:
            time.sleep(0.25)


def stop_process(process: subprocess.Popen[bytes], sig: int, grace: float) -> None:
    """Sends ``sig`` to the process's group, then SIGKILL after ``grace`` seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)
    except ProcessLookupError:
        pass
