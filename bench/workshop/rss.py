"""The server's memory, sampled from /proc while the workshop runs."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path


class RssSampler(threading.Thread):
    """Samples the server's VmRSS (from /proc; psutil is not installed here) every ``every`` s."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.pid, self.every = pid, every
        self.peak = 0
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()

    def read(self) -> int:
        """The server's resident set size in bytes now (0 once it has gone)."""
        try:
            text = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return 0
        found = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
        return int(found.group(1)) * 1024 if found else 0

    def run(self) -> None:
        while not self._stop.wait(self.every):
            rss = self.read()
            self.peak = max(self.peak, rss)
            self.samples.append((time.monotonic(), rss))

    def peak_since(self, since: float) -> int:
        return max((r for t, r in self.samples if t >= since), default=0)

    def stop(self) -> None:
        self._stop.set()


def mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"
