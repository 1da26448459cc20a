"""A throwaway PostgreSQL cluster for tests and benchmarks: Debian's binaries, a temporary folder.

``initdb`` refuses to run as root, so as root the cluster belongs to an unprivileged user
(``nobody``): its data and socket folders live in a fresh folder under the system's temporary
directory owned by that user. The server listens on a free loopback port with trust
authentication (nothing else can reach it) and is stopped with ``pg_ctl stop -m fast``::

    server = postgres_server.start()   # or skip with postgres_server.MISSING
    try:
        url = server.url_for("rooms")  # postgresql+psycopg://postgres@127.0.0.1:PORT/rooms
    finally:
        server.stop()

``restart()`` (fast: open connections are cut), ``halt()`` and ``resume()`` keep the data and
the port, for tests of a database that goes away mid-post.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

DEBIAN_ROOT = Path("/usr/lib/postgresql")  # Debian: one folder per major version
DEBIAN_BIN = DEBIAN_ROOT / "15" / "bin"
MISSING = (
    "PostgreSQL's initdb and pg_ctl are not installed (Debian package postgresql; "
    f"looked in {DEBIAN_ROOT}/*/bin and on PATH)"
)
RUN_AS = "nobody"
FAST = ("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")


def bin_dir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (Debian's 15 first, then any other Debian
    version, then PATH), or None where PostgreSQL is not installed."""
    debian = sorted(DEBIAN_ROOT.glob("*/bin"), key=lambda p: _major(p.parent.name))
    for folder in (DEBIAN_BIN, *reversed(debian)):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    return None


def _major(name: str) -> int:
    return int(name) if name.isdigit() else -1


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running cluster: its folder, port and the user it runs as (None: this process's)."""

    root: Path
    port: int
    bin: Path
    user: str | None
    created: list[str] = field(default_factory=list)
    options: str = ""  # the postgres command line options it was started with

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url_for(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Creates database ``name`` (letters, digits, underscores) and returns its URL."""
        import psycopg

        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a plain database name: {name!r}")
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.url_for(name)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Runs one of the cluster's programs as its user."""
        return _run(self.bin, self.user, self.root, args, check=check)

    def stop(self) -> None:
        """Stops the server (fast shutdown) and deletes its folder."""
        try:
            self.halt(check=False)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _pg_ctl(self, action: str, *args: str, check: bool = True) -> None:
        # -l: the server's output goes to its log, never to our pipes (which would never close)
        log = str(self.root / "server.log")
        self.run("pg_ctl", "-D", str(self.data), "-l", log, "-w", "-t", "60", *args, action,
                 check=check)  # fmt: skip  # one command line

    def restart(self) -> None:
        """Restarts the server (fast shutdown: open connections are cut), keeping its data."""
        self._pg_ctl("restart", "-m", "fast", "-o", self.options)

    def halt(self, check: bool = True) -> None:
        """Stops the server (fast shutdown), keeping its folder and data for ``resume``."""
        self._pg_ctl("stop", "-m", "fast", check=check)

    def resume(self) -> None:
        """Starts a halted server again, on the same port with the same data."""
        self._pg_ctl("start", "-o", self.options)


def _run(bin: Path, user: str | None, cwd: Path, args: tuple[str, ...], check: bool = True):
    program, *rest = args
    env = {"PATH": f"{bin}:/usr/bin:/bin", "HOME": str(cwd), "LC_ALL": "C", "LANG": "C"}
    switch = {"user": user, "group": _group_of(user), "extra_groups": []} if user else {}
    done = subprocess.run(
        [str(bin / program), *rest], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=120, **switch,
    )  # fmt: skip  # one call, its options together
    if check and done.returncode != 0:
        raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    return done


def _group_of(user: str) -> int:
    return pwd.getpwnam(user).pw_gid


def start(durable: bool = False) -> PostgresServer:
    """Starts a fresh cluster (as ``nobody`` when this process is root).

    Args:
        durable: keep fsync on (benchmarks); tests run with fsync off, which is faster.

    Raises:
        RuntimeError: PostgreSQL is missing (``MISSING``) or failed to start (its log says why).
    """
    found = bin_dir()
    if found is None:
        raise RuntimeError(MISSING)
    user = RUN_AS if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="lbl-postgres-"))
    (root / "sock").mkdir()
    if user:
        uid, gid = pwd.getpwnam(user).pw_uid, _group_of(user)
        for path in (root, root / "sock"):
            os.chown(path, uid, gid)
    server = PostgresServer(root, free_port(), found, user)
    try:
        server.run("initdb", "-D", str(server.data), "-U", "postgres", "--auth=trust",
                   "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip  # one command line
        options = [
            f"-h 127.0.0.1 -p {server.port} -c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={root / 'sock'} -c max_connections=200",
            *([] if durable else [" ".join(FAST)]),
        ]
        server.options = " ".join(options)
        server.resume()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as err:
        log = root / "server.log"
        tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
        server.stop()
        raise RuntimeError(f"PostgreSQL did not start: {err} {tail}") from None
    return server
