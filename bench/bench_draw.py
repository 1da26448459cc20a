"""Benchmark the Draw page's server-side work for one drawing, against bare Keras in the same run.

    python bench/bench_draw.py [--repeats 100]

Prints medians (ms) of: the canvas PNG decode (what ``CanvasResult.image_data`` does), our
preprocessing (``digits.from_canvas``), our forward pass (``predict.probabilities``: a direct
``model(x, training=False)`` call), preprocessing + forward together (the target: ≤ 30 ms), the
occlusion map, and bare Keras ``model(x)`` and ``model.predict(x)`` on the same input, with ratios.
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from bench import timing  # noqa: E402
from core import digits, predict  # noqa: E402
from core.data import load_mnist  # noqa: E402

median_ms = functools.partial(timing.median_ms, warmup=5)


def a_drawing() -> np.ndarray:
    """A test-set 7 drawn on a 280x280 canvas (white on black, anti-aliased edges)."""
    mnist = load_mnist()
    seven = mnist.x_test[int(np.flatnonzero(mnist.y_test == 7)[0])]
    big = np.asarray(Image.fromarray(seven).resize((280, 280), Image.Resampling.BILINEAR))
    rgba = np.empty((280, 280, 4), np.uint8)
    rgba[..., :3], rgba[..., 3] = big[..., None], 255
    return rgba


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=100)
    n = parser.parse_args().repeats

    model = predict.load_pretrained().built.model
    rgba = a_drawing()
    buf = io.BytesIO()
    Image.fromarray(rgba).save(buf, "PNG")
    png = buf.getvalue()
    steps = digits.from_canvas(rgba)
    x = steps.model_input()

    def ours() -> np.ndarray:
        return predict.probabilities(model, digits.from_canvas(rgba).model_input())

    results = {
        "canvas PNG decode (component)": median_ms(
            lambda: np.asarray(Image.open(io.BytesIO(png))), n
        ),
        "preprocessing (from_canvas)": median_ms(lambda: digits.from_canvas(rgba), n),
        "forward (predict.probabilities)": median_ms(lambda: predict.probabilities(model, x), n),
        "preprocessing + forward": median_ms(ours, n),
        "bare Keras model(x)": median_ms(lambda: model(x, training=False), n),
        "bare Keras model.predict(x)": median_ms(
            lambda: model.predict(x, verbose=0), max(10, n // 5)
        ),
        "occlusion map": median_ms(
            lambda: predict.occlusion(model, steps.image, 7), max(10, n // 5)
        ),
    }
    print(f"Draw page, one 280x280 drawing, median of {n} runs (ms)")
    for name, ms in results.items():
        print(f"  {name:34s} {ms:8.2f}")
    total, bare = results["preprocessing + forward"], results["bare Keras model(x)"]
    print(
        f"  preprocessing + forward / bare model(x): {total / bare:.2f}x "
        f"(target ≤ 30 ms: {'met' if total <= 30 else 'NOT met'})"
    )
    print(
        f"  bare model.predict / bare model(x):      {results['bare Keras model.predict(x)'] / bare:.2f}x"
    )
    patches = predict.occlusion(model, steps.image, 7).patches
    ratio = results["occlusion map"] / bare
    print(f"  occlusion map ({patches} occluded images, one batch) / bare model(x): {ratio:.1f}x")


if __name__ == "__main__":
    main()
