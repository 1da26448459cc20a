"""An optional log of every script run's wall and CPU time, for the load benchmark.

With ``LAYER_BY_LAYER_RUN_LOG=/some/file`` set, each page run and fragment rerun appends one line
``<start, s since the epoch> <wall ms> <thread CPU ms> <page|fragment> <page name>`` (CPU is the
script thread's own; TensorFlow's pool threads are not in it). ``bench/load_workshop.py`` reads it
to split a click's latency into the server's part and the browser's. Unset, nothing is written.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import NamedTuple

ENV = "LAYER_BY_LAYER_RUN_LOG"


class Run(NamedTuple):
    """One script run as the log records it."""

    start: float
    wall_ms: float
    cpu_ms: float
    kind: str  # "page" or "fragment"
    page: str


class RunLog:
    """Appends runs to a file, one line each, from any thread.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "runs.log"
    >>> log = RunLog(path)
    >>> log.add(Run(1.5, 12.25, 10.0, "page", "build"))
    >>> read_runs(path)
    [Run(start=1.5, wall_ms=12.2, cpu_ms=10.0, kind='page', page='build')]
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def add(self, run: Run) -> None:
        line = f"{run.start:.3f} {run.wall_ms:.1f} {run.cpu_ms:.1f} {run.kind} {run.page or '-'}\n"
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line)


def from_env() -> RunLog | None:
    """The log ``$LAYER_BY_LAYER_RUN_LOG`` names, or None when it is unset."""
    text = os.environ.get(ENV, "").strip()
    return RunLog(Path(text)) if text else None


def read_runs(path: Path) -> list[Run]:
    """Every run in the file (lines that do not parse are skipped); [] when it does not exist."""
    if not path.exists():
        return []
    runs = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split(" ", 4)
        try:
            runs.append(Run(float(parts[0]), float(parts[1]), float(parts[2]), parts[3], parts[4]))
        except (IndexError, ValueError):
            continue
    return runs
