"""How fast the shape trace is, against asking Keras the same questions in the same process.

Run from the repository root: ``python bench/bench_trace.py``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from core.presets import NOTEBOOK_CNN  # noqa: E402
from core.shapes import trace  # noqa: E402


def timings(fn: Callable[[], object], repeats: int, warmup: int = 3) -> list[float]:
    """Seconds per call of ``fn``, ``repeats`` times after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def summary(name: str, seconds: list[float]) -> float:
    ordered = sorted(seconds)
    median = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(
        f"{name:<58} median {median * 1e3:9.3f} ms   p95 {p95 * 1e3:9.3f} ms   (n={len(ordered)})"
    )
    return median


def main() -> None:
    arch = NOTEBOOK_CNN
    print(f"notebook CNN: {len(arch)} layers, {trace(arch).total_params:,} parameters\n")
    t_trace = summary("trace(arch)  [pure Python]", timings(lambda: trace(arch), 5000))

    import keras  # after the pure-Python timing, so importing TensorFlow cannot disturb it

    from core.keras_model import build_model, make_layer

    def keras_build_and_ask() -> None:
        """What the trace replaces: build the model in Keras, read every shape and parameter count."""
        model = keras.Sequential(
            [keras.Input(shape=arch.input_shape)]
            + [make_layer(s, i) for i, s in enumerate(arch.layers)]
        )
        for layer in model.layers:
            layer.count_params()
        model.compute_output_shape((None, *arch.input_shape))

    def keras_shapes_only() -> None:
        """The cheapest way to ask Keras for shapes: compute_output_shape layer by layer, no weights."""
        shape = (None, *arch.input_shape)
        for i, spec in enumerate(arch.layers):
            shape = make_layer(spec, i).compute_output_shape(shape)

    t_keras = summary(
        "Keras: Sequential + count_params + compute_output_shape", timings(keras_build_and_ask, 30)
    )
    t_shapes = summary(
        "Keras: make the layers, compute_output_shape (no weights)", timings(keras_shapes_only, 200)
    )
    t_build = summary("build_model(arch, seed=0)", timings(lambda: build_model(arch, seed=0), 30))
    print()
    print(f"trace is {t_keras / t_trace:,.0f}× faster than asking Keras (building the model)")
    print(
        f"trace is {t_shapes / t_trace:,.0f}× faster than Keras layers asked for shapes only (no weights)"
    )
    print(f"build_model costs {t_build / t_trace:,.0f}× a trace")


if __name__ == "__main__":
    main()
