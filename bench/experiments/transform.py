"""Draw's "Move it, turn it, thicken it": a moved digit's guess and the whole sweep, beside bare model(x).

For the pretrained model and a workshop-sized CNN (random weights: the timing is the same), the
median of REPEATS runs of:

- one change of a slider: ``transform.apply`` with every transform on, then one forward pass
  (what ``ui/draw_transform.py`` does per change; target ≤ 30 ms), beside bare ``model(x)`` on
  one image;
- the sweep: every transform's whole range (90 images) built and sent through the model in one
  batched pass (``transform_sweep.sweep_probabilities``; target ≤ 150 ms), beside bare
  ``model(x)`` on the same 90 images;
- building the 90 images alone (NumPy) and the sweep chart (Plotly figure, per slider change).
"""

from __future__ import annotations

import functools

import numpy as np

from bench import timing
from core import predict, transform, transform_sweep
from core.data import load_mnist
from core.figures.transform import sweep_figure
from core.keras_model import build_model
from core.presets import WORKSHOP_CNN

REPEATS = 30
median_ms = functools.partial(timing.median_ms, repeats=REPEATS, warmup=3)
ONE_TARGET_MS, SWEEP_TARGET_MS = 30.0, 150.0
MOVED = transform.Settings(shift_x=3, shift_y=-2, rotate=20, scale=1.1, thickness=1, noise=0.1)


def _verdict(ms: float, target: float, bare: float) -> tuple[str, str]:
    met = "met" if ms <= target else "NOT met"
    return f"{ms:.1f} ms ({ms / bare:.2f}× bare)", f"≤ {target:.0f} ms: {met}"


def _rows_for(label: str, model: object, image: np.ndarray) -> list[tuple[str, str, str]]:
    x1 = image.astype(np.float32)[None, :, :, None]
    x90 = transform.sweep_all(image)[0].astype(np.float32)[..., None]

    def one_change() -> np.ndarray:
        moved = transform.apply(image, MOVED)
        return predict.probabilities(model, moved.astype(np.float32)[None, :, :, None])

    bare1 = median_ms(lambda: model(x1, training=False))
    bare90 = median_ms(lambda: model(x90, training=False))
    one = median_ms(one_change)
    swept = median_ms(lambda: transform_sweep.sweep_probabilities(model, image))
    return [
        (f"{label}: bare model(x), 1 image", f"{bare1:.1f} ms", "baseline"),
        (f"{label}: one slider change (apply + forward)", *_verdict(one, ONE_TARGET_MS, bare1)),
        (f"{label}: bare model(x), 90 images", f"{bare90:.1f} ms", "baseline"),
        (f"{label}: the sweep (90 images, one pass)", *_verdict(swept, SWEEP_TARGET_MS, bare90)),
    ]


def run() -> list[tuple[str, str, str]]:
    """The figures, as (what, figure, target) rows."""
    mnist = load_mnist()
    image = mnist.x_test[int(np.flatnonzero(mnist.y_test == 7)[0])]
    pretrained = predict.load_pretrained().built.model
    workshop = build_model(WORKSHOP_CNN, seed=0).model
    predict.probabilities(workshop, image.astype(np.float32)[None, :, :, None])  # first call
    rows = _rows_for("pretrained", pretrained, image)
    rows += _rows_for("workshop CNN", workshop, image)
    build = median_ms(lambda: transform.sweep_all(image))
    probs = {"Pretrained": np.linspace(0, 1, len(transform.sweep_all(image)[0]))}
    chart = median_ms(lambda: sweep_figure(probs, {"Pretrained": 7}, transform.sweep_rows(), {}))
    rows += [
        ("building the 90 sweep images (NumPy)", f"{build:.1f} ms", "part of the sweep"),
        ("the sweep chart (Plotly figure)", f"{chart:.1f} ms", "per slider change"),
    ]
    return rows
