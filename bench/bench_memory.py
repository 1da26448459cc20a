"""Memory of a room: per idle session, per preset built, per trained notebook CNN, and 30 sessions.

    python bench/bench_memory.py                      # every part, each in a fresh process (~5 min)
    python bench/bench_memory.py --part trained       # one part: sessions, presets, trained, room, tight
    python bench/bench_memory.py --part tight --sessions 30 --tight 250MB

sessions  resident memory (RSS, /proc/self/status) per idle AppTest session: the first page, and
          Look inside with the pretrained model (its per-session figure and output caches).
presets   per session with each preset built: an untrained model plus Look inside's sub-models
          (what ``ui.models.untrained`` holds), against the budget's figure for it.
trained   per trained notebook CNN (a few batches: its weights, optimizer slots, traced step),
          with the notebook's SGD and with Adam; the measured overhead beside MODEL_OVERHEAD.
room      30 sessions each holding a trained notebook CNN, registered with a ModelBudget at the
          default budget: all fit, and the budget's figure follows RSS.
tight     the same room with a tight budget: the least recently used sessions are put to sleep
          (their weights kept as arrays, which still count), the total stays within the budget
          and RSS follows it; a sleeping one is rebuilt from its weights on its next visit.

Every step runs ``gc.collect()``, waits a moment and trims the C heap (``malloc_trim``, so that
freed pages are not counted, nor reused unseen) before reading RSS. The baseline is this
process after importing Keras and loading MNIST, measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from core import data  # noqa: E402
from core.activations import Inspector  # noqa: E402
from core.architecture import ArchitectureError  # noqa: E402
from core.held_model import HeldModel, keras_bytes  # noqa: E402
from core.keras_model import build_model  # noqa: E402
from core.model_budget import DEFAULT_BUDGET, MODEL_OVERHEAD, ModelBudget, parse_budget  # noqa: E402
from core.presets import NOTEBOOK_CNN, PRESETS, VGG16  # noqa: E402
from core.shapes import trace  # noqa: E402
from core.training import NOTEBOOK, QUICK, TrainSettings  # noqa: E402

MB = 2**20
PARTS = ("sessions", "presets", "trained", "room", "tight")


def rss_mb() -> float:
    """This process's resident memory in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _malloc_trim() -> None:
    """Hands the C heap's free pages back to the system (glibc), so RSS shows what is in use."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: RSS counts free pages too
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def settled_rss() -> float:
    """RSS after a full collection, a short settle and a heap trim."""
    gc.collect()
    time.sleep(0.3)
    gc.collect()
    _malloc_trim()
    return rss_mb()


def _look_inside(page: str) -> None:  # an AppTest script: the Look inside page, a fresh session
    import runpy

    runpy.run_path(page, run_name="__main__")


def part_sessions(n: int = 5) -> None:
    from streamlit import logger
    from streamlit.testing.v1 import AppTest

    logger.set_log_level("error")  # no "missing ScriptRunContext" line per session

    print(f"\n[sessions] RSS per idle AppTest session (mean of {n}; its state and element tree)")
    for name, make in (
        ("first page (app.py)", lambda: AppTest.from_file(str(ROOT / "app.py"))),
        (
            "Look inside, pretrained",
            lambda: AppTest.from_function(_look_inside, args=(str(ROOT / "pages" / "inside.py"),)),
        ),
    ):
        make().run(timeout=300)  # warm: caches, imports, the pretrained model
        before = settled_rss()
        held = []
        for _ in range(n):
            at = make()
            at.run(timeout=300)
            assert not at.exception, at.exception
            held.append(at)
        print(f"  {name:<26} {(settled_rss() - before) / n:7.1f} MB per session")
        del held


def part_presets(n: int = 6) -> None:
    print(f"\n[presets] per session with each preset built (mean of {n}), untrained + sub-models")
    print(f"  {'preset':<36} {'params':>11} {'weights MB':>10} {'RSS MB':>8} {'budget MB':>9}")
    image = np.zeros((28, 28), np.uint8)
    for name, (arch, _) in PRESETS.items():
        try:
            build_model(arch, seed=0)
        except ArchitectureError as err:
            print(f"  {name:<36} not built: {err}")
            continue
        before = settled_rss()
        held = [build_model(arch, seed=i) for i in range(n)]
        for built in held:
            Inspector(built.model, arch).layer_outputs(image)
        per = (settled_rss() - before) / n
        params = held[0].model.count_params()
        budget = keras_bytes(held[0].model) / MB
        print(f"  {name:<36} {params:>11,} {params * 4 / MB:>10.1f} {per:>8.1f} {budget:>9.1f}")
        del held
    vgg = trace(VGG16)
    print(f"  {'VGG16 (comparison only)':<36} {vgg.total_params:>11,} never built: traced only")


def train_few(settings: TrainSettings, seed: int, x: np.ndarray, y: np.ndarray):
    """The notebook CNN after a few batches of training with ``settings``'s optimizer."""
    built = build_model(NOTEBOOK_CNN, seed=seed)
    built.model.compile(optimizer=settings.make_optimizer(), loss="sparse_categorical_crossentropy")
    built.model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    return built


def part_trained(x: np.ndarray, y: np.ndarray, n: int = 5) -> None:
    print(f"\n[trained] per trained notebook CNN ({len(x) // 32} batches of 32, mean of {n})")
    for label, settings in (("SGD (notebook)", NOTEBOOK), ("Adam (quick)", QUICK)):
        train_few(settings, 99, x, y)  # warm: the first trace of a train step
        before = settled_rss()
        held = [train_few(settings, i, x, y) for i in range(n)]
        per = (settled_rss() - before) / n
        model = held[0].model
        weights = model.count_params() * 4 / MB
        slots = sum(int(np.prod(v.shape)) for v in model.optimizer.variables) * 4 / MB
        budget = keras_bytes(model) / MB
        print(
            f"  {label:<15} RSS {per:6.1f} MB = weights {weights:.1f} + slots {slots:.1f} + "
            f"overhead {per - weights - slots:.1f}; budget counts {budget:.1f} "
            f"(MODEL_OVERHEAD {MODEL_OVERHEAD / MB:.0f}); measured/budget {per / budget:.2f}"
        )
        del held, model


def room(limit: int, sessions: int, x: np.ndarray, y: np.ndarray) -> list[HeldModel]:
    """``sessions`` holders of a trained notebook CNN registered one by one with one budget."""
    budget = ModelBudget(limit)
    train_few(NOTEBOOK, 99, x, y)  # warm: the one-time cost of the first trained model
    start = settled_rss()
    print(f"  budget {limit / MB:,.0f} MB; RSS at the start {start:,.0f} MB")
    print(
        f"  {'sessions':>8} {'RSS +MB':>8} {'budget MB':>9} {'awake':>6} {'asleep':>6} {'of which arrays MB':>18}"
    )
    holders = []
    for i in range(sessions):
        built = train_few(NOTEBOOK, i, x, y)
        holders.append(HeldModel(built, session=f"s{i}").register(budget))
        del built
        if (i + 1) % 5 == 0 or i + 1 == sessions:
            s, rise = budget.stats(), settled_rss() - start
            print(
                f"  {i + 1:>8} {rise:>8.0f} {s.held / MB:>9.0f} {s.models:>6} {s.asleep:>6} "
                f"{s.kept / MB:>18.0f}"
            )
    assert budget.stats().held <= limit, "the budget was exceeded"
    return holders


def part_room(sessions: int, x: np.ndarray, y: np.ndarray) -> None:
    print(
        f"\n[room] {sessions} sessions, each holding a trained notebook CNN (SGD), default budget"
    )
    room(DEFAULT_BUDGET, sessions, x, y)


def part_tight(sessions: int, tight: int, x: np.ndarray, y: np.ndarray) -> None:
    print("\n[tight] the same room with a tight budget: the least recently used go to sleep")
    holders = room(tight, sessions, x, y)
    probe = np.asarray(data.load_mnist().x_test[:64], np.float32)[..., np.newaxis]
    print("  ... then every session comes back twice, oldest first (a sleeping one is rebuilt)")
    print(f"  {'visits':>8} {'RSS +MB':>8} {'budget MB':>9} {'awake':>6} {'asleep':>6} rebuild ms")
    start, took, visits = settled_rss(), [], 0
    for _ in range(2):
        for holder in holders:
            was_asleep = holder.asleep
            t0 = time.perf_counter()
            holder.model(probe, training=False)
            if was_asleep:
                took.append(time.perf_counter() - t0)
            visits += 1
            if visits % 10 == 0:
                s, rise = holder_stats(holders), settled_rss() - start
                ms = 1000 * float(np.median(took)) if took else float("nan")
                print(f"  {visits:>8} {rise:>8.0f} {s[0]:>9.0f} {s[1]:>6} {s[2]:>6} {ms:10.0f}")


def holder_stats(holders: list[HeldModel]) -> tuple[float, int, int]:
    """(MB the holders account for, awake, asleep): what the budget sees of them."""
    awake = [h for h in holders if not h.asleep]
    held = sum(h.nbytes() for h in awake) + sum(h.kept_bytes() for h in holders)
    return held / MB, len(awake), len(holders) - len(awake)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", action="append", choices=PARTS)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--tight", default="250MB", help="the tight room's budget (e.g. 250MB)")
    parser.add_argument("--batches", type=int, default=3, help="training batches per model")
    args = parser.parse_args()
    if not args.part:  # each part in a fresh process: freed memory of one is not reused by the next
        for part in PARTS:
            rest = ["--sessions", str(args.sessions), "--tight", args.tight]
            rest += ["--batches", str(args.batches)]
            subprocess.run([sys.executable, __file__, "--part", part, *rest], check=True)
        return
    parts = args.part
    mnist = data.load_mnist()
    x = mnist.x_train[: 32 * args.batches].astype(np.float32)[..., np.newaxis]
    y = mnist.y_train[: 32 * args.batches]
    print(f"baseline: RSS {settled_rss():,.0f} MB with Keras and MNIST loaded")
    if "sessions" in parts:
        part_sessions()
    if "presets" in parts:
        part_presets()
    if "trained" in parts:
        part_trained(x, y)
    if "room" in parts:
        part_room(args.sessions, x, y)
    if "tight" in parts:
        part_tight(args.sessions, parse_budget(args.tight), x, y)


if __name__ == "__main__":
    main()
