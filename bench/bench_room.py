"""Benchmark the room store on SQLite and PostgreSQL, beside its targets and a baseline of the same run.

    python bench/bench_room.py [--repeats 20] [--drawings 1000] [--runs 30]

For each database (PostgreSQL: a throwaway cluster from ``tests/postgres_server.py`` with fsync
on, skipped with the reason where it is not installed) it prints medians of:

- post a run of the workshop CNN (weights checked into a model built from its JSON; ≤ 200 ms),
  against ``model_from_entry`` alone (the check), and add a drawing (against an empty transaction);
- a board refresh of a room with 30 runs and 1,000 MNIST test drawings, every score cached: server
  CPU (``time.process_time``; ≤ 50 ms), against ``Store.version`` (a refresh when nothing changed);
- scoring a newly posted run on the 1,000 drawings (load + one batched predict + save; ≤ 1 s),
  against a bare ``model.predict`` on the same images;
- 30 threads each joining, posting a run and adding 3 drawings at once: rows lost, errors
  ("database is locked" among them; target 0), and the wall time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.timing import median_ms  # noqa: E402
from core.data import load_mnist  # noqa: E402
from core.keras_model import build_model  # noqa: E402
from core.presets import WORKSHOP_CNN  # noqa: E402
from core.room import Store, model_from_entry, open_store, weights_to_bytes  # noqa: E402
from core.room.scoring import score_room  # noqa: E402
from tests import postgres_server  # noqa: E402

THREADS = 30


def run_fields(model) -> dict:
    """``post_run`` arguments for a trained-looking workshop CNN."""
    return {
        "arch_json": WORKSHOP_CNN.to_json(),
        "settings_json": '{"epochs": 1, "batch_size": 128, "optimizer": "adam"}',
        "params": model.count_params(),
        "test_accuracy": 0.975,
        "test_loss": 0.08,
        "train_seconds": 14.0,
        "weights": weights_to_bytes(model),
    }


def load_from(store: Store) -> Callable:
    return lambda entry: model_from_entry(entry.arch_json, store.run_weights(entry.run_id))


def bench_writes(store: Store, fields: dict, images: np.ndarray, repeats: int) -> list[tuple]:
    """Posting a run and adding a drawing, each against its baseline."""
    room, _ = store.start_room()
    member = store.join(room.code, "Poster")
    post = median_ms(lambda: store.post_run(member, **fields), repeats)
    check = median_ms(lambda: model_from_entry(fields["arch_json"], fields["weights"]), repeats)
    i = iter(range(10**6))
    draw = median_ms(lambda: store.add_drawing(member, images[next(i)], 3), repeats * 3)

    def empty() -> None:
        with store._engine.begin() as conn:
            conn.execute(text("SELECT 1"))

    bare = median_ms(empty, repeats * 3)
    return [
        ("post a run (workshop CNN)", post, 200, "model_from_entry alone", check),
        ("add a drawing", draw, 200, "empty transaction", bare),
    ]


def fill_room(store: Store, fields: dict, x: np.ndarray, y: np.ndarray, n_runs: int) -> str:
    """A room with ``n_runs`` runs and the drawings ``x``, ``y``, every score cached."""
    room, _ = store.start_room()
    members = [store.join(room.code, f"Person {i}") for i in range(n_runs)]
    for member in members:
        store.post_run(member, **fields)
    for i, (image, label) in enumerate(zip(x, y, strict=True)):
        store.add_drawing(members[i % n_runs], image, int(label))
    model = model_from_entry(fields["arch_json"], fields["weights"])
    ids, xs, _ = store.drawing_arrays(room.code)
    said = model.predict(xs[..., None].astype(np.float32), verbose=0).argmax(axis=1)
    for entry, gap in store.missing_predictions(room.code):  # the same model: score it once
        keep = np.isin(ids, gap)
        store.save_predictions(entry.run_id, ids[keep], said[keep])
    return room.code


def bench_board(store: Store, code: str, repeats: int) -> list[tuple]:
    """A board refresh with every score cached (server CPU and wall), against ``version``."""
    board = store.board(code)
    assert None not in board.room_accuracy.values() and len(board.runs) >= 30
    cpu = median_ms(lambda: store.board(code), repeats, clock=time.process_time)
    wall = median_ms(lambda: store.board(code), repeats)
    version_cpu = median_ms(lambda: store.version(code), repeats, clock=time.process_time)
    version_wall = median_ms(lambda: store.version(code), repeats)
    n = f"{len(board.runs)} runs, {board.n_drawings:,} drawings"
    return [
        (f"board refresh, CPU ({n})", cpu, 50, "version(), CPU", version_cpu),
        ("board refresh, wall", wall, None, "version(), wall", version_wall),
    ]


def bench_scoring(store: Store, code: str, fields: dict, x: np.ndarray) -> list[tuple]:
    """Scoring newly posted runs on the room's drawings (median of 3), against bare predict."""
    member = store.join(code, "Late")
    times = []
    for seed in (11, 12, 13):
        model = build_model(WORKSHOP_CNN, seed=seed).model
        store.post_run(member, **fields | {"weights": weights_to_bytes(model)})
        start = time.perf_counter()
        saved = score_room(store, code, load_from(store))
        times.append(time.perf_counter() - start)
        assert saved == len(x), saved
    bare_model = build_model(WORKSHOP_CNN, seed=20).model
    images = x[..., None].astype(np.float32)
    bare = median_ms(lambda: bare_model.predict(images, batch_size=256, verbose=0), 3)
    label = f"score a new run on {len(x):,} drawings"
    return [(label, statistics.median(times) * 1000, 1000, "bare model.predict", bare)]


def bench_crowd(store: Store, fields: dict, images: np.ndarray) -> tuple[list[tuple], str]:
    """30 threads joining, posting and drawing at once: lost rows and errors."""
    room, _ = store.start_room()
    barrier, errors, lock = threading.Barrier(THREADS), [], threading.Lock()

    def person(i: int) -> None:
        barrier.wait()
        try:
            member = store.join(room.code, f"P{i}")
            store.post_run(member, **fields)
            for k in range(3):
                store.add_drawing(member, images[(i * 3 + k) % len(images)], k)
        except Exception as err:  # noqa: BLE001 - counted and reported
            with lock:
                errors.append(f"{type(err).__name__}: {err}")

    threads = [threading.Thread(target=person, args=(i,)) for i in range(THREADS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = (time.perf_counter() - start) * 1000
    board = store.board(room.code)
    lost = (THREADS - len(board.runs)) + (3 * THREADS - board.n_drawings) - len(errors)
    locked = sum("locked" in e for e in errors)
    rows = [
        (f"{THREADS} at once: lost rows", lost, 0, "", None),
        (f"{THREADS} at once: errors ({locked} locked)", len(errors), 0, "", None),
        (f"{THREADS} at once: wall", wall, None, "", None),
    ]
    return rows, "; ".join(errors[:3])


def bench_database(url: str, args: argparse.Namespace, data) -> tuple[list[tuple], str]:
    """Every measure on the database at ``url``."""
    store = open_store(url)
    try:
        model = build_model(WORKSHOP_CNN, seed=1).model
        fields = run_fields(model)
        x, y = data.x_test[: args.drawings], data.y_test[: args.drawings]
        rows = bench_writes(store, fields, x, args.repeats)
        code = fill_room(store, fields, x, y, args.runs)
        rows += bench_board(store, code, args.repeats)
        rows += bench_scoring(store, code, fields, x)
        crowd, errors = bench_crowd(store, fields, x)
        return rows + crowd, errors
    finally:
        store.close()


def print_table(name: str, rows: list[tuple]) -> None:
    print(f"\n{name}")
    print(
        f"  {'measure':<48} {'value':>9} {'target':>8}  {'':4} {'baseline':<24} {'ms':>8} {'ratio':>6}"
    )
    for label, value, target, base_label, base in rows:
        unit = "" if "lost" in label or "errors" in label else " ms"
        shown = f"{value:,.0f}" if unit == "" else f"{value:,.1f}"
        aim = "" if target is None else (f"≤ {target}" if unit == "" else f"≤ {target}")
        ok = "" if target is None else ("ok" if value <= target else "OVER")
        ratio = f"{value / base:.1f}×" if base else ""
        base_text = f"{base:,.2f}" if base is not None else ""
        print(
            f"  {label:<48} {shown + unit:>9} {aim:>8}  {ok:4} {base_label:<24} {base_text:>8} {ratio:>6}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--drawings", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    data = load_mnist()
    with tempfile.TemporaryDirectory(prefix="bench-room-") as folder:
        rows, errors = bench_database(f"sqlite:///{folder}/rooms.sqlite3", args, data)
        print_table("SQLite (WAL, a file in a temporary folder)", rows)
        if errors:
            print(f"  first errors: {errors}")
    try:
        server = postgres_server.start(durable=True)
    except RuntimeError as err:
        print(f"\nPostgreSQL skipped: {err}")
        return
    try:
        url = server.create_database("bench")
        rows, errors = bench_database(url, args, data)
        print_table("PostgreSQL 15 (a local cluster over TCP loopback, fsync on)", rows)
        if errors:
            print(f"  first errors: {errors}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
