"""Where the workshop's processes run (cores) and what they are told (environment, run log)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def run_log_path(name: str) -> Path:
    """A new, empty file for the servers' run log."""
    return Path(tempfile.mkdtemp(prefix="lbl-runs-")) / f"{name}.log"


@contextlib.contextmanager
def patched_env(values: dict[str, str]):
    """``os.environ`` with ``values`` for the block (start_app passes it on to the server)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def pinned(cores: str, browser_core: int | None):
    """Processes started in the block run on ``cores`` (nginx too); this script and the Chromium it
    launches afterwards on ``browser_core``. Nothing is pinned when ``cores`` is empty."""
    if cores:
        os.sched_setaffinity(0, {int(c) for c in cores.split(",")})
    try:
        yield
    finally:
        if cores and browser_core is not None:
            os.sched_setaffinity(0, {browser_core})
