"""Serve the app from several processes behind nginx, sharing one room database: the workshop recipe.

Starts N ``streamlit run app.py`` servers on free loopback ports (each told the room database in
``LAYER_BY_LAYER_ROOM_DB``), waits until each answers ``/_stcore/health``, renders
``deploy/nginx.conf.template`` into a run folder, checks it with ``nginx -t`` and runs Debian's nginx
in the foreground in front of them. Prints the public address; Ctrl-C (or SIGTERM) stops nginx,
then the servers. Exits 2 if nginx is missing or the options are wrong, 1 if something fails.

    python scripts/serve.py --servers 2 --db postgresql+psycopg://lbl:secret@db.example/lbl
    python scripts/serve.py --servers 4 --listen 0.0.0.0:8080       # reachable from the room
    python scripts/serve.py --servers 0 --upstream 10.0.0.11:8501 --upstream 10.0.0.12:8501

Without ``--db`` (and without the variable) every server opens the default SQLite file in the
data folder: fine on one machine, never across machines (see docs/deploy.md).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deploy.nginx_conf import STREAMLIT_UPLOAD_MB  # noqa: E402
from deploy.stack import (  # noqa: E402
    DB_ENV,
    NGINX_MISSING,
    NginxMissing,
    Stack,
    StackError,
    nginx_binary,
    start_stack,
)


class Stopped(Exception):
    """Ctrl-C (SIGINT) or SIGTERM arrived."""


def _on_signal(signum: int, frame: object) -> None:
    raise Stopped(signal.Signals(signum).name)


def listen_address(text: str) -> tuple[str, int]:
    """``HOST:PORT``, ``:PORT`` or ``PORT`` (on 127.0.0.1)."""
    host, _, port = text.rpartition(":")
    if not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return (host or "127.0.0.1"), int(port)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=2, help="app servers to start (default 2)")
    parser.add_argument("--db", default=None, help=f"room database URL (default ${DB_ENV})")
    parser.add_argument(
        "--listen",
        type=listen_address,
        default=("127.0.0.1", 8080),
        metavar="HOST:PORT",
        help="nginx's address (default 127.0.0.1:8080; 0.0.0.0:8080 for the whole network)",
    )
    parser.add_argument(
        "--upstream",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="an app server started elsewhere (repeatable)",
    )
    parser.add_argument("--run-dir", type=Path, default=None, help="nginx's files and the logs")
    parser.add_argument(
        "--max-upload-mb",
        type=int,
        default=STREAMLIT_UPLOAD_MB,
        help="Streamlit's server.maxUploadSize and nginx's body limit",
    )
    parser.add_argument("--workers", type=int, default=0, help="nginx workers (0: one per core)")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per server to start")
    parser.add_argument(
        "--hide-upstream",
        action="store_true",
        help="no X-Upstream header (it names the server that answered)",
    )
    return parser.parse_args(argv)


SLOTS_ENV = "LAYER_BY_LAYER_TRAINING_SLOTS"  # ui/jobs.py: training jobs one server runs at once


def training_slots(n_servers: int, cores: int) -> int:
    """Jobs each server may train at once so that together they use about half the cores, as
    one server alone does (each server queues its own sessions' jobs).

    >>> training_slots(1, 8), training_slots(2, 8), training_slots(4, 8), training_slots(2, 2)
    (4, 2, 1, 1)
    """
    return max(1, cores // 2 // max(1, n_servers))


def _redacted(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL: the app will say so
        return "(a URL SQLAlchemy cannot read)"


def _announce(stack: Stack, db_url: str | None, slots: str) -> None:
    for server in stack.servers:
        print(f"  server {server.index}: {server.url} (pid {server.process.pid})", flush=True)
    for address in stack.remote:
        print(f"  remote server: http://{address}")
    where = _redacted(db_url) if db_url else "each server's default SQLite file (one machine only)"
    print(f"  rooms: {where}")
    print(f"  training: at most {slots} job(s) at once per server, each queueing its own")
    print(f"  logs and nginx's files: {stack.run_dir}")
    anywhere = "0.0.0.0:" in stack.public_url or "[::]:" in stack.public_url
    note = " on every address of this machine" if anywhere else ""
    print(f"\nLayer by Layer is at {stack.public_url}{note}  (Ctrl-C stops it)\n", flush=True)


def watch(stack: Stack) -> int:
    """Until a signal: returns 1 if nginx or every server stops by itself."""
    gone: set[int] = set()
    while True:
        if stack.nginx is not None and stack.nginx.poll() is not None:
            print(f"nginx exited with code {stack.nginx.returncode}; see {stack.error_log}")
            return 1
        for server in stack.servers:
            code = server.process.poll()
            if code is not None and server.index not in gone:
                gone.add(server.index)
                print(
                    f"server {server.index} exited with code {code} (log {server.log_path}); "
                    "nginx sends its browsers to the others",
                    flush=True,
                )
        if stack.servers and len(gone) == len(stack.servers) and not stack.remote:
            print("every server has stopped")
            return 1
        time.sleep(1.0)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if nginx_binary() is None:  # before anything is started or created
        print(f"serve.py: {NGINX_MISSING}", file=sys.stderr)
        return 2
    db_url = args.db or os.environ.get(DB_ENV) or None
    run_dir = args.run_dir or Path(tempfile.mkdtemp(prefix="lbl-serve-"))
    slots = os.environ.get(SLOTS_ENV) or str(training_slots(args.servers, os.cpu_count() or 2))
    for sig in (signal.SIGINT, signal.SIGTERM):  # SIGINT too: a shell's `&` may have ignored it
        signal.signal(sig, _on_signal)
    print(f"Starting {args.servers} app server(s) and nginx…", flush=True)
    stack, status = None, 0
    try:
        stack = start_stack(
            args.servers,
            db_url,
            run_dir=run_dir.resolve(),
            listen=args.listen,
            remote=args.upstream,
            max_upload_mb=args.max_upload_mb,
            workers=args.workers,
            timeout=args.timeout,
            upstream_header=not args.hide_upstream,
            env={SLOTS_ENV: slots},
        )
        _announce(stack, db_url, slots)
        status = watch(stack)
    except (ValueError, NginxMissing) as err:
        print(f"serve.py: {err}", file=sys.stderr)
        status = 2
    except StackError as err:
        print(f"serve.py: {err}", file=sys.stderr)
        status = 1
    except Stopped:
        status = 0 if stack is not None else 130
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut stopping short
            signal.signal(sig, signal.SIG_IGN)
        _finish(stack, run_dir if args.run_dir is None else None)
    return status


def _finish(stack: Stack | None, own_run_dir: Path | None) -> None:
    """Stops what runs (nginx, then the servers); a run folder of our own that stayed empty goes
    (one with logs stays: a failure's message points at them)."""
    if stack is not None:
        print("Stopping nginx, then the servers…", flush=True)
        stack.stop()
        print("Stopped.")
    elif own_run_dir is not None and not any(own_run_dir.iterdir()):
        own_run_dir.rmdir()


if __name__ == "__main__":
    sys.exit(main())
