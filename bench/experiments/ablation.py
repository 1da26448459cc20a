"""Look inside's "Switch filters off": the test accuracy on 2,000 digits with filters off, beside bare Keras.

On the pretrained model (the notebook's CNN, 1,676,266 weights), the median of REPEATS runs of:

- bare Keras: ``model.predict`` on the same 2,000 test digits (the baseline, same run);
- ours: ``core.ablation.masked_outputs`` with 8 of the 32 filters of the second Conv2D off,
  then ``compare`` (accuracy, per class, hurt most): what the page computes after
  **Switch off** (target ≤ 2 s). Its "every filter on" pass is the same cost, once per model;
- the same with every filter of the last Conv2D off, and one digit's guess with filters off.

    python bench/experiments/ablation.py   # or: python bench/bench_experiments.py ablation
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core import ablation, predict  # noqa: E402
from core.data import load_mnist  # noqa: E402
from core.projection import sample_indices  # noqa: E402

REPEATS = 5
TARGET_S = 2.0


def medians_s(fns: dict[str, Callable[[], object]], repeats: int = REPEATS) -> dict[str, float]:
    """The median wall time of each ``fn()`` in seconds, after one warm-up call each; the calls
    take turns, so a load that comes and goes on the shared machine hits them all alike."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def run() -> list[tuple[str, str, str]]:
    """The figures, as (what, figure, target) rows."""
    mnist = load_mnist()
    sample = sample_indices(len(mnist.y_test))
    images, labels = mnist.x_test[sample], mnist.y_test[sample]
    model = predict.load_pretrained().built.model
    x = images.astype(np.float32)[..., np.newaxis]
    before = ablation.masked_outputs(model, images)

    def switch_off(index: int, off) -> ablation.AccuracyChange:
        mask = ablation.filter_mask(model.layers[index].filters, off)
        return ablation.compare(before, ablation.masked_outputs(model, images, index, mask), labels)

    t = medians_s(
        {
            "bare": lambda: model.predict(x, batch_size=500, verbose=0),
            "some": lambda: switch_off(4, range(8)),
            "every": lambda: switch_off(9, range(64)),
            "one": lambda: ablation.masked_outputs(model, images[:1], 4, np.ones(32)),
        }
    )
    bare, some, every, one = t["bare"], t["some"], t["every"], t["one"]
    lost = switch_off(4, range(8))
    met = lambda s: f"≤ {TARGET_S:.0f} s: {'met' if s <= TARGET_S else 'NOT met'}"  # noqa: E731
    return [
        ("pretrained: bare model.predict, 2,000 digits", f"{bare:.2f} s", "baseline"),
        (
            "pretrained: 8 of 32 filters off (layer 5), 2,000 digits + compare",
            f"{some:.2f} s ({some / bare:.2f}× bare)",
            met(some),
        ),
        (
            "pretrained: all 64 filters off (layer 10), 2,000 digits + compare",
            f"{every:.2f} s ({every / bare:.2f}× bare)",
            met(every),
        ),
        ("pretrained: one digit's guess with filters off", f"{one * 1000:.1f} ms", "per change"),
        (
            "accuracy with 8 filters of layer 5 off",
            f"{lost.before:.2%} → {lost.after:.2%}",
            "(a result, not a time)",
        ),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
