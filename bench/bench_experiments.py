"""Run the experiment benchmarks in bench/experiments/ and print their figures as one table.

    python bench/bench_experiments.py            # every module in bench/experiments/
    python bench/bench_experiments.py transform  # only some, by module name

Each module of ``bench/experiments/`` has ``run() -> list[tuple[str, str, str]]``: rows of
(what was measured, the figure, the target or baseline it is read against). A new module is
picked up as it is; this driver never needs changing. A module that fails prints its error in
the table and the others still run.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench.experiments as experiments  # noqa: E402
from core.text import short_error  # noqa: E402

Row = tuple[str, str, str, str]  # module, what, figure, target


def available() -> list[str]:
    """The module names in bench/experiments/, sorted."""
    return sorted(info.name for info in pkgutil.iter_modules(experiments.__path__))


def run_module(name: str) -> list[Row]:
    """One module's rows, or one row saying why it failed."""
    start = time.perf_counter()
    try:
        module = importlib.import_module(f"{experiments.__name__}.{name}")
        rows = [(name, *map(str, row)) for row in module.run()]
    except Exception as err:  # noqa: BLE001 - one broken benchmark must not hide the others
        return [(name, "FAILED", short_error(err, 120), "")]
    return rows + [
        (name, "(benchmark's own wall time)", f"{time.perf_counter() - start:.1f} s", "")
    ]


def table(rows: list[Row]) -> str:
    """The rows as a fixed-width text table with a header."""
    header: Row = ("experiment", "what", "figure", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"modules to run (default: all of {available()})")
    names = parser.parse_args().names or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        parser.error(f"no such experiment benchmark: {', '.join(unknown)}; have {available()}")
    rows = [row for name in names for row in run_module(name)]
    print(table(rows))


if __name__ == "__main__":
    main()
