"""Benchmark Look inside: every layer's output for one digit, against bare Keras in the same run.

    python bench/bench_inside.py [--repeats 50] [--top 2000]

On the shipped notebook CNN (models/pretrained.keras), after warm-up, each timed call gets a NEW
test digit and ends when every array is a NumPy array. Prints medians (ms) and ratios of:

* ours: ``Inspector.layer_outputs`` — one forward pass of a cached multi-output model returning
  all 14 layer outputs plus the 6 pre-activations (target ≤ 150 ms);
* bare Keras: ``model(x, training=False)`` on the same model (the final output only);
* naive: one sub-model per layer, each run from the input (the classic one-call-per-layer way);
* the pitfall: ``keras.Model(model.inputs, [l.output for l in model.layers])``. On a model loaded
  from a file each layer's first node belongs to a partial rebuild, so this runs 1 + 2 + ... + 14
  layer calls; ours calls the layers once on a fresh ``keras.Input`` instead.

Also times building the multi-output model once, and ``top_patches`` over ``--top`` digits for the
first and the last Conv2D. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from core import activations, top_patches  # noqa: E402
from core.architecture import Architecture  # noqa: E402
from core.data import load_mnist  # noqa: E402
from core.predict import MODEL_PATH, load_pretrained  # noqa: E402


def timed(fn: Callable[[np.ndarray], object], digits: np.ndarray, warmup: int = 5) -> list[float]:
    """Seconds per call of fn(digit), one new digit per call, after ``warmup`` calls."""
    for d in digits[:warmup]:
        fn(d)
    times = []
    for d in digits[warmup:]:
        start = time.perf_counter()
        fn(d)
        times.append(time.perf_counter() - start)
    return times


def ms(times: list[float]) -> str:
    q = np.quantile(times, [0.5, 0.9]) * 1000
    return f"median {q[0]:7.1f} ms   p90 {q[1]:7.1f} ms"


def compare_layer_outputs(model: keras.Model, arch: Architecture, digits: np.ndarray) -> None:
    """Times ours, bare Keras, the naive way and the pitfall, one new digit per call."""
    start = time.perf_counter()
    inspector = activations.Inspector(model, arch)
    print(f"build the multi-output model once: {(time.perf_counter() - start) * 1000:.0f} ms")

    x_of = lambda d: d.astype(np.float32)[None, ..., None]  # noqa: E731
    fresh = x = keras.Input(shape=(28, 28, 1))
    chain = []
    for layer in model.layers:
        x = layer(x)
        chain.append(x)
    naive = [keras.Model(fresh, t) for t in chain]  # one clean graph, one sub-model per layer
    pitfall = keras.Model(model.inputs[0], [layer.output for layer in model.layers])

    results = {
        "ours: Inspector.layer_outputs (all layers + pre-activations)": timed(
            inspector.layer_outputs, digits
        ),
        "bare Keras model(x), final output only": timed(
            lambda d: np.asarray(model(x_of(d), training=False)), digits
        ),
        "naive: one sub-model call per layer": timed(
            lambda d: [np.asarray(m(x_of(d), training=False)) for m in naive], digits
        ),
        "pitfall: multi-output model on layer.output": timed(
            lambda d: [np.asarray(a) for a in pitfall(x_of(d), training=False)], digits
        ),
    }
    ours = statistics.median(next(iter(results.values())))
    print(f"\nnew digit -> all {len(arch.layers)} layers' arrays ready ({len(digits) - 5} digits):")
    for name, times in results.items():
        ratio = statistics.median(times) / ours
        print(f"  {name:<62} {ms(times)}   {ratio:5.2f}× ours")
    med = [statistics.median(t) for t in results.values()]
    print(
        f"ours / bare model(x) = {ours / med[1]:.2f}×; naive / ours = {med[2] / ours:.2f}×; "
        f"pitfall / ours = {med[3] / ours:.2f}×"
    )
    print(
        f"target ≤ 150 ms median: {'met' if ours * 1000 <= 150 else 'MISSED'} ({ours * 1000:.1f} ms)"
    )


def time_top_patches(model: keras.Model, arch: Architecture, images: np.ndarray) -> None:
    """Times ``top_patches`` for the first and the last Conv2D: once new, once for another filter."""
    print(f"\ntop_patches over {len(images):,} test digits (9 strongest patches of filter 0):")
    convs = arch.indices("Conv2D")
    for index in (convs[0], convs[-1]):
        start = time.perf_counter()
        top_patches.top_patches(model, arch, index, 0, images)
        first = time.perf_counter() - start
        start = time.perf_counter()
        top_patches.top_patches(model, arch, index, 1, images)
        again = time.perf_counter() - start
        print(
            f"  layer {index + 1} ({arch.layers[index].describe()}): first {first:.2f} s "
            f"(builds its sub-model), next filter {again:.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--top", type=int, default=2000, help="digits searched by top_patches")
    args = parser.parse_args()

    mnist = load_mnist()
    built = load_pretrained().built
    model, arch = built.model, built.arch
    print(
        f"notebook CNN, {model.count_params():,} parameters, {MODEL_PATH.name}; {os.cpu_count()} CPUs"
    )
    compare_layer_outputs(model, arch, mnist.x_test[: args.repeats + 5])
    time_top_patches(model, arch, mnist.x_test[: args.top])


if __name__ == "__main__":
    main()
