"""The servers' memory and CPU, and each core's load, sampled from /proc while the workshop runs."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterable
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def core_busy() -> dict[int, tuple[float, float]]:
    """Each core's (busy, total) seconds since boot, from /proc/stat (busy = all but idle + iowait)."""
    cores = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *fields = line.split()
        if name.startswith("cpu") and name != "cpu":
            ticks = [int(f) for f in fields]
            idle = ticks[3] + ticks[4]
            cores[int(name[3:])] = ((sum(ticks) - idle) / TICK, sum(ticks) / TICK)
    return cores


class RssSampler(threading.Thread):
    """Samples the servers' summed VmRSS (from /proc; psutil is not installed) every ``every`` s."""

    def __init__(self, pids: int | Iterable[int], every: float = 0.25) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.pids = [pids] if isinstance(pids, int) else list(pids)
        self.every = every
        self.peak = 0
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()

    def _proc(self, name: str) -> list[str]:
        """``/proc/<pid>/<name>`` of each server still there."""
        texts = []
        for pid in self.pids:
            try:
                texts.append(Path(f"/proc/{pid}/{name}").read_text())
            except OSError:
                continue
        return texts

    def read(self) -> int:
        """The servers' resident set size in bytes now, summed (a server that has gone counts 0)."""
        found = (re.search(r"^VmRSS:\s+(\d+) kB", text, re.M) for text in self._proc("status"))
        return sum(int(f.group(1)) * 1024 for f in found if f)

    def cpu_seconds(self) -> float:
        """CPU seconds (user + system, all threads) the servers have used since they started."""
        total = 0.0
        for stat in self._proc("stat"):
            fields = stat.rsplit(")", 1)[1].split()  # the name in brackets may hold spaces
            total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
        return total

    def run(self) -> None:
        while not self._stop.wait(self.every):
            rss = self.read()
            self.peak = max(self.peak, rss)
            self.samples.append((time.monotonic(), rss))

    def peak_since(self, since: float) -> int:
        return max((r for t, r in self.samples if t >= since), default=0)

    def stop(self) -> None:
        self._stop.set()


class Load:
    """How busy the servers and each core were between ``start()`` and ``share()``."""

    def __init__(self, rss: RssSampler) -> None:
        self.rss = rss
        self.start()

    def start(self) -> None:
        self._wall, self._cpu, self._cores = time.monotonic(), self.rss.cpu_seconds(), core_busy()

    def share(self) -> tuple[float, dict[int, float]]:
        """(the servers' CPU seconds per wall second, each core's busy share) since ``start()``."""
        wall = max(time.monotonic() - self._wall, 1e-9)
        cores = {}
        for core, (busy, total) in core_busy().items():
            busy0, total0 = self._cores.get(core, (busy, total))
            cores[core] = (busy - busy0) / max(total - total0, 1e-9)
        return (self.rss.cpu_seconds() - self._cpu) / wall, cores


def mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"
