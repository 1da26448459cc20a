"""Train's "What it looked at when it was wrong": the gradient and occlusion maps of one digit, beside bare model(x).

On the pretrained notebook CNN and the first test digit it gets wrong, the median of REPEATS
runs of: bare ``model(x)`` on that one image (the baseline), ``saliency.gradient_map`` (one
forward and one backward pass under ``tf.GradientTape``), Draw's ``predict.occlusion``, the
whole ``saliency.explain`` (probabilities, occlusion and gradient: what the page computes once
per digit, then keeps), and the figure.

    python bench/bench_experiments.py saliency
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a file, too

from bench import timing
from core import predict, saliency  # noqa: E402
from core.data import load_mnist  # noqa: E402
from core.figures.saliency import saliency_figure  # noqa: E402

REPEATS = 20
median_ms = functools.partial(timing.median_ms, repeats=REPEATS, warmup=3)


def _first_mistake(model: object) -> tuple[int, np.ndarray]:
    """The first test digit (among the first 2,000) the model reads wrong, or digit 0."""
    mnist = load_mnist()
    x = mnist.x_test[:2_000]
    probs = predict.probabilities(model, x.astype(np.float32)[..., None])
    wrong = np.flatnonzero(probs.argmax(axis=1) != mnist.y_test[:2_000])
    index = int(wrong[0]) if len(wrong) else 0
    return index, mnist.x_test[index]


def run() -> list[tuple[str, str, str]]:
    """Rows of (what was measured, the figure, the baseline it is read against)."""
    model = predict.load_pretrained().built.model
    index, image = _first_mistake(model)
    x = image.astype(np.float32)[None, ..., None]
    bare = median_ms(lambda: model(x, training=False))
    why = saliency.explain(model, image)
    timed = {
        "gradient map (tf.GradientTape)": median_ms(lambda: saliency.gradient_map(model, image)),
        f"occlusion map ({why.occlusion.patches} hidden squares)": median_ms(
            lambda: predict.occlusion(model, image, why.top)
        ),
        "explain: probabilities + both maps": median_ms(lambda: saliency.explain(model, image)),
    }
    baseline = f"bare model(x), one image: {bare:.1f} ms"
    rows = [("bare model(x), one image (pretrained CNN)", f"{bare:.1f} ms", "the baseline")]
    rows += [(what, f"{ms:.1f} ms ({ms / bare:.1f}× bare)", baseline) for what, ms in timed.items()]
    figure = median_ms(
        lambda: saliency_figure(
            image, why.occlusion.drop, why.gradient.grad, (why.top, 0.5), (why.second, 0.3)
        )
    )
    rows.append(("the figure (Plotly, 3 panels)", f"{figure:.1f} ms", f"test digit #{index:,}"))
    return rows


if __name__ == "__main__":
    for row in run():
        print("  ".join(row))
