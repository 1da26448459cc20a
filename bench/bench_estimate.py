"""The Train page's run-time estimate against real runs, and what making the estimate costs.

    python bench/bench_estimate.py              # parts a and b
    python bench/bench_estimate.py --part a     # a only (b: --part b)

a  for a few architectures and settings on small subsets (the test set is all 10,000, as on the
   page): the probe's cost (wall and CPU seconds of ``core.training.probe.measure_speed``), the
   estimate of the whole run (set-up, training, test passes), then the real run through the app's
   path (``TrainingJob``) timed from start to end, and their ratio. The estimate is meant to be
   right within a factor of 2 or so; the tests accept a factor of 3.
b  what probes cost a training already running: the workshop CNN's images/s alone, then while the
   server's speed book probes other models as often as it allows (while a job trains it rests
   three times as long as it probed).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import data  # noqa: E402
from core.architecture import Architecture  # noqa: E402
from core.keras_model import build_model  # noqa: E402
from core.presets import NOTEBOOK_CNN, WORKSHOP_CNN  # noqa: E402
from core.training import JobSlots, TrainingJob, TrainSettings  # noqa: E402
from core.training.estimate import estimate_run  # noqa: E402
from core.training.probe import measure_speed  # noqa: E402
from core.training.speeds import speed_key  # noqa: E402

DENSE = Architecture.from_url("norm-flatten-dense(128)-dense(10,softmax)")
CASES = (
    ("workshop CNN", WORKSHOP_CNN, TrainSettings("adam", 0.001, 0.0, 128, 2, 2_000, 0)),
    ("workshop CNN", WORKSHOP_CNN, TrainSettings("sgd", 0.01, 0.0, 32, 1, 6_000, 0)),
    ("workshop CNN", WORKSHOP_CNN, TrainSettings("adam", 0.001, 0.0, 1_024, 2, 12_000, 0)),
    ("dense 128", DENSE, TrainSettings("sgd", 0.01, 0.0, 32, 2, 6_000, 0)),
    ("notebook CNN", NOTEBOOK_CNN, TrainSettings("sgd", 0.01, 0.0, 32, 1, 2_000, 0)),
    ("notebook CNN", NOTEBOOK_CNN, TrainSettings("adam", 0.001, 0.0, 128, 1, 6_000, 0)),
)


def subset(mnist: data.Mnist, n: int) -> data.Mnist:
    """The first ``n`` training images and the whole test set."""
    return data.Mnist(mnist.x_train[:n], mnist.y_train[:n], mnist.x_test, mnist.y_test)


def real_run(arch: Architecture, settings: TrainSettings, mnist: data.Mnist) -> float:
    """Seconds from ``start()`` to the end of a real run through the app's path."""
    job = TrainingJob(build_model(arch, seed=settings.seed), settings)
    t = time.perf_counter()
    job.start(mnist, slots=JobSlots(1, run_limit_s=None))
    job.wait()
    wall = time.perf_counter() - t
    assert job.snapshot().status == "finished", job.snapshot().message
    return wall


def part_a(mnist: data.Mnist) -> None:
    print(
        "[a] estimate vs real run (wall seconds from Train to the end, set-up and test passes "
        "included); probe = cost of measuring"
    )
    head = f"    {'model':13} {'settings':62} {'probe s':>8} {'CPU s':>6} {'est. s':>7} {'real s':>7} {'real/est':>8}"
    print(head)
    ratios = []
    for name, arch, settings in CASES:
        small = subset(mnist, settings.n_train)
        wall, cpu = time.perf_counter(), time.process_time()
        speed = measure_speed(arch, speed_key(arch, settings)[1], settings.optimizer, small)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        est = estimate_run(speed, settings, len(small.y_test)).full_s
        real = real_run(arch, settings, small)
        ratios.append(real / est)
        print(
            f"    {name:13} {settings.describe():62} {wall:8.2f} {cpu:6.2f} {est:7.1f} {real:7.1f} "
            f"{real / est:8.2f}",
            flush=True,
        )
    print(
        f"[a] real/estimate from {min(ratios):.2f} to {max(ratios):.2f} over {len(ratios)} runs "
        "(1.00 = exact; the tests accept 0.33 to 3)"
    )


def part_b(mnist: data.Mnist) -> None:
    settings = TrainSettings("adam", 0.001, 0.0, 128, 2, 60_000, 0)

    batches = (32, 48, 64, 96, 128, 192, 256)

    def images_per_s(probe: bool) -> tuple[float, int]:
        slots = JobSlots(1, run_limit_s=None)  # its speed book rests longer while jobs train
        job = TrainingJob(build_model(WORKSHOP_CNN, seed=0), settings)
        job.start(mnist, slots=slots)
        while job.snapshot().examples_seen < 2_000 and job.is_alive():
            time.sleep(0.02)
        n = 0
        while job.is_alive():  # probes of other models, back to back, while it trains
            if probe:
                batch = batches[n % len(batches)]
                slots.speeds.request(NOTEBOOK_CNN, TrainSettings(batch_size=batch), mnist)
                n += 1
            job.wait(0.5)
        keys = [speed_key(NOTEBOOK_CNN, TrainSettings(batch_size=b)) for b in batches]
        done = sum(slots.speeds.status(k) == "ready" for k in keys)
        return job.snapshot().images_per_s, done

    for _ in range(2):
        (alone, _), (probing, probes) = images_per_s(False), images_per_s(True)
        print(
            f"[b] workshop CNN, {settings.describe()}: {alone:,.0f} images/s alone, {probing:,.0f} "
            f"while the notebook CNN is probed as often as the book allows ({probes} probe(s) done); "
            f"ratio {probing / alone:.2f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", action="append", choices=["a", "b"], help="run only these parts")
    args = parser.parse_args()
    mnist = data.load_mnist()
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at the start")
    for part in args.part or ["a", "b"]:
        {"a": part_a, "b": part_b}[part](mnist)


if __name__ == "__main__":
    main()
