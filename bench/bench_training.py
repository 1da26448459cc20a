"""Benchmarks of the app's training path (core.training.TrainingJob) against bare Keras, in one process.

    python bench/bench_training.py                 # parts a, b, c
    python bench/bench_training.py --part a        # one part (a, b or c; repeatable)
    python bench/bench_training.py --notebook      # d: the notebook's CNN and recipe (~4-5 min)

a  images/s of the app's path against bare ``model.fit`` on float32 arrays: same model, data, batch
   size and epochs, while a thread polls ``snapshot()`` every 0.5 s and redraws the live figures as
   the Train page does. Target: ratio >= 0.95.
b  the workshop CNN with the Train page's Quick recipe to >= 98% test accuracy. Target: <= 30 s.
c  resident memory before and after 10 train/stop cycles (MNIST is held once, as uint8).
d  the notebook's CNN, SGD lr 0.01, batch 32, 3 epochs on all 60,000 (the issue measured 98.48%
   in 247 s with bare Keras).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import plotly.io as pio  # noqa: E402

from core import data  # noqa: E402
from core.figures import training as figs  # noqa: E402
from core.keras_model import build_model  # noqa: E402
from core.presets import NOTEBOOK_CNN, WORKSHOP_CNN  # noqa: E402
from core.training import NOTEBOOK, QUICK, JobSlots, TrainingJob, TrainSettings  # noqa: E402


def rss_mb() -> float:
    """This process's resident memory in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class PagePoller:
    """Polls a job like the Train page's fragment: snapshot every 0.5 s, live figures to JSON."""

    def __init__(self, job: TrainingJob, period: float = 0.5) -> None:
        self.job, self.period, self.polls = job, period, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PagePoller:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.wait(self.period):
            snap = self.job.snapshot()
            c = snap.curves
            fig = figs.curves_figure(
                c.examples, c.loss, c.accuracy, snap.settings.n_train, epochs=snap.settings.epochs
            )
            pio.to_json(fig.to_dict(), validate=False)
            if snap.filters is not None:
                pio.to_json(figs.filters_figure(snap.filters).to_dict(), validate=False)
            self.polls += 1


def run_job(
    arch, settings: TrainSettings, mnist: data.Mnist, poll: bool = True
) -> tuple[TrainingJob, float]:
    """Trains through the app's path; returns the job and the wall time of the whole run."""
    job = TrainingJob(build_model(arch, seed=settings.seed), settings)
    t = time.perf_counter()
    job.start(mnist, slots=JobSlots(1))
    if poll:
        with PagePoller(job):
            job.wait()
    else:
        job.wait()
    return job, time.perf_counter() - t


class _Clock:
    """A Keras callback timing training from the end of the first batch (tracing left out)."""

    def __init__(self) -> None:
        import keras

        clock = self

        class Callback(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                if clock.start is None:
                    clock.start = time.perf_counter()

            def on_train_end(self, logs=None):
                clock.end = time.perf_counter()

        self.start: float | None = None
        self.end = 0.0
        self.callback = Callback()


def bare_fit(arch, settings: TrainSettings, x: np.ndarray, y: np.ndarray) -> float:
    """Images/s of a bare ``model.fit`` (float32 arrays, shuffle) after its first batch."""
    import keras

    model = build_model(arch, seed=settings.seed).model
    optimizer = (keras.optimizers.Adam if settings.optimizer == "adam" else keras.optimizers.SGD)(
        settings.learning_rate
    )
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    clock = _Clock()
    model.fit(
        x,
        y,
        batch_size=settings.batch_size,
        epochs=settings.epochs,
        shuffle=True,
        verbose=0,
        callbacks=[clock.callback],
    )
    return (len(y) * settings.epochs - settings.batch_size) / (clock.end - clock.start)


def part_a(mnist: data.Mnist, args: argparse.Namespace) -> None:
    arch = NOTEBOOK_CNN if args.model == "notebook" else WORKSHOP_CNN
    settings = TrainSettings("adam", 0.001, 0.0, args.batch, args.epochs, args.n_train, 0)
    x, y = data.subset(mnist, args.n_train, 0)
    xf = x.astype(np.float32)[..., np.newaxis]  # bare Keras as the notebook feeds it
    print(
        f"[a] {args.model} CNN, Adam, batch {args.batch}, {args.epochs} epoch(s) of {args.n_train:,} images, "
        f"{args.repeats} alternating repeats; images/s after the first batch (tracing), without the app's "
        "per-epoch test evaluation; a thread polls the app's job and redraws its figures every 0.5 s"
    )
    bare, app = [], []
    for r in range(args.repeats):
        bare.append(bare_fit(arch, settings, xf, y))
        job, _ = run_job(arch, settings, mnist)
        snap = job.snapshot()
        assert snap.status == "finished", snap.message
        app.append(snap.images_per_s)
        print(
            f"    repeat {r + 1}: bare {bare[-1]:7,.0f} images/s   app {app[-1]:7,.0f} images/s   "
            f"ratio {app[-1] / bare[-1]:.3f}",
            flush=True,
        )
    b, a = statistics.median(bare), statistics.median(app)
    print(
        f"[a] median images/s: bare model.fit {b:,.0f}, app path {a:,.0f}; ratio {a / b:.3f} (target >= 0.95)"
    )


def part_b(mnist: data.Mnist, args: argparse.Namespace) -> None:
    print(f"[b] workshop CNN, Quick recipe: {QUICK.describe()}")
    job, wall = run_job(WORKSHOP_CNN, QUICK, mnist)
    snap = job.snapshot()
    for e in snap.epochs:
        print(f"    epoch {e.epoch}: {e.seconds:5.1f} s, test accuracy {e.test_accuracy:.2%}")
    print(
        f"[b] {snap.status}: test accuracy {snap.test_accuracy:.2%} after {snap.train_seconds:.1f} s of "
        f"training ({wall:.1f} s with the test evaluations); target >= 98% in <= 30 s"
    )


def part_c(mnist: data.Mnist, args: argparse.Namespace) -> None:
    settings = TrainSettings("adam", 0.001, 0.0, 128, 2, 60_000, 0)

    def cycle() -> None:
        job = TrainingJob(build_model(WORKSHOP_CNN, seed=0), settings)
        job.start(mnist, slots=JobSlots(1))
        while job.snapshot().examples_seen < 6_000 and job.is_alive():
            time.sleep(0.05)
        job.request_stop()
        job.wait()
        assert job.snapshot().status == "stopped", job.snapshot().message

    for _ in range(args.warmup):  # TensorFlow's and the allocator's one-off growth
        cycle()
    gc.collect()
    before, trail = rss_mb(), []
    for _ in range(10):
        cycle()
        gc.collect()
        trail.append(rss_mb())
    after = trail[-1]
    print(
        f"[c] RSS after {args.warmup} warm-up train/stop cycles {before:,.0f} MB; after 10 more {after:,.0f} MB "
        f"({after - before:+,.0f} MB; per cycle: {', '.join(f'{r:,.0f}' for r in trail)}); "
        f"MNIST itself is {mnist.x_train.nbytes / 1e6:.0f} MB of uint8"
    )


def part_d(mnist: data.Mnist, args: argparse.Namespace) -> None:
    print(f"[d] the notebook's CNN (1,676,266 parameters), {NOTEBOOK.describe()}")
    job, wall = run_job(NOTEBOOK_CNN, NOTEBOOK, mnist)
    snap = job.snapshot()
    for e in snap.epochs:
        print(
            f"    epoch {e.epoch}: {e.seconds:6.1f} s, train accuracy {e.train_accuracy:.2%}, "
            f"test accuracy {e.test_accuracy:.2%}"
        )
    print(
        f"[d] {snap.status}: test accuracy {snap.test_accuracy:.2%}, loss {snap.test_loss:.4f}; "
        f"{snap.train_seconds:.0f} s of training, {snap.images_per_s:,.0f} images/s ({wall:.0f} s in all)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--part", action="append", choices=["a", "b", "c"], help="run only these parts"
    )
    parser.add_argument(
        "--notebook", action="store_true", help="part d only: the notebook's run (~4-5 min)"
    )
    parser.add_argument(
        "--model", choices=["workshop", "notebook"], default="workshop", help="part a's model"
    )
    parser.add_argument("--batch", type=int, default=128, help="part a's batch size")
    parser.add_argument("--epochs", type=int, default=2, help="part a's epochs")
    parser.add_argument("--n-train", type=int, default=60_000, help="part a's training images")
    parser.add_argument("--repeats", type=int, default=3, help="part a's alternating repeats")
    parser.add_argument("--warmup", type=int, default=3, help="part c's warm-up cycles")
    args = parser.parse_args()
    mnist = data.load_mnist()
    print(f"RSS with MNIST loaded: {rss_mb():,.0f} MB; {os.cpu_count()} CPUs")
    parts = ["d"] if args.notebook else (args.part or ["a", "b", "c"])
    for part in parts:
        {"a": part_a, "b": part_b, "c": part_c, "d": part_d}[part](mnist, args)


if __name__ == "__main__":
    main()
