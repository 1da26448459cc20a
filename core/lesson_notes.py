"""The words beside the Lesson's live figures, computed from the real data, traces and layer outputs.

Each function takes plain values (shapes, arrays, a trace) and returns Markdown; the widgets in
``ui/lesson_figures.py`` only place them. Nothing here imports Streamlit or Keras.

>>> from core.presets import DENSE_ONLY
>>> from core.shapes import trace
>>> shape_journey(trace(DENSE_ONLY))
'**The shapes:** `(28, 28, 1)` → `(28, 28, 10)` → `(28, 28, 5)` → `(28, 28, 2)`'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from core.shapes import Trace, format_shape

DENSE_ONLY_CAPTION = (
    "Still 28 × 28 at the end: two numbers for each pixel, not ten for the picture."
)
CONV_CAPTION = (
    "Red: the filter's pattern is there; blue: its opposite. White is 0. Inside the blue "
    "outline is the original picture; the ring outside it is the added zeros."
)
RECIPE_TABLE = (
    "| the notebook's recipe | |\n|---|---|\n| optimizer | SGD (plain gradient descent) |\n"
    "| batch | 32 pictures → 1,875 updates per epoch |\n| epochs | 3 (5,625 updates) |\n"
    "| test accuracy | about 98–99 % |"
)
NO_LAYERS = "Your architecture has no layers yet: build one on the Build page."
STAND_IN = "A test digit stands in until you draw one on the Draw page."


def first_output(outputs: Sequence[Any], kind: str, start: int = 0) -> Any:
    """The first layer output (``core.activations.LayerOutput``) of ``kind`` from ``start`` on.

    Raises:
        StopIteration: when there is none.
    """
    return next(o for o in outputs[start:] if o.kind == kind)


def data_summary(
    x_shape: tuple[int, ...], x_dtype: Any, y_shape: tuple[int, ...], y_dtype: Any
) -> str:
    """The training arrays' shapes and types, and the shape once a channel axis is added.

    >>> print(data_summary((60000, 28, 28), "uint8", (60000,), "uint8"))
    x_train  (60000, 28, 28)  uint8   pixels 0–255
    y_train  (60000,)          uint8   digits 0–9
    with a channel axis: (60000, 28, 28, 1)
    """
    return (
        f"x_train  {x_shape}  {x_dtype}   pixels 0–255\n"
        f"y_train  {y_shape}          {y_dtype}   digits 0–9\n"
        f"with a channel axis: {(*x_shape, 1)}"
    )


def labels_caption(labels: Sequence[int]) -> str:
    """``Labels 5, 0, 4 as the ten numbers the network must learn to give.``"""
    return (
        f"Labels {', '.join(map(str, labels))} as the ten numbers the network must learn to give."
    )


def shape_journey(t: Trace) -> str:
    """The shapes from the input through every traced layer, batch axis left out."""
    shapes = [t.input_shape] + [x.output_shape for x in t.layers if x.status == "ok"]
    return "**The shapes:** " + " → ".join(f"`{format_shape(s[1:])}`" for s in shapes)  # type: ignore[index]


def normalise_table(mean: float, std: float) -> str:
    """Where the darkest and brightest pixels land when dividing by the std (app) or the mean (notebook).

    >>> print(normalise_table(33.3, 78.6).splitlines()[2])
    | **this app** | std **78.6** | -0.42 | 2.82 |
    """
    return (
        "| | divide by | darkest pixel (0) | brightest (255) |\n|---|---|---|---|\n"
        f"| **this app** | std **{std:.1f}** | {-mean / std:.2f} | {(255 - mean) / std:.2f} |\n"
        f"| notebook | mean **{mean:.1f}** | {-mean / mean:.2f} | {(255 - mean) / mean:.2f} |"
    )


def normalise_caption(mean: float, std: float) -> str:
    """How much wider the notebook's slip stretches the inputs."""
    return (
        "Same pixels, same shape of histogram; dividing by the mean stretches the inputs "
        f"{std / mean:.1f}× wider. The notebook's code set `mnist_stdev = x_trn.mean()`."
    )


def relu_caption(pre: np.ndarray) -> str:
    """How many of a layer's values ReLU set to 0.

    >>> relu_caption(np.array([-1.0, 2.0, -3.0, 4.0]))
    "ReLU set 50% of this layer's 4 values to 0 (the blue ones); the red ones pass unchanged."
    """
    share = float(np.mean(pre < 0))
    return (
        f"ReLU set {share:.0%} of this layer's {pre.size:,} values to 0 "
        "(the blue ones); the red ones pass unchanged."
    )


def numbers_per_picture(t: Trace) -> str | None:
    """``**Numbers per picture:** conv 4,608 → pool 1,152``: after each Conv2D and pooling layer."""
    names = {"Conv2D": "conv", "MaxPooling2D": "pool"}
    steps = [x for x in t.layers if x.status == "ok" and x.spec.kind in names]
    if not steps:
        return None
    counts = [f"{names[x.spec.kind]} {math.prod(x.output_shape[1:]):,}" for x in steps]  # type: ignore[index]
    return "**Numbers per picture:** " + " → ".join(counts)


def shapes_caption(t: Trace) -> str:
    """The caption under the user's architecture drawn to scale."""
    return (
        f"Your architecture ({len(t.layers)} layers, from Build or the link), every output to "
        "scale: pooling halves the height and width, more filters make the blocks thicker."
    )


def flatten_sum(shape: tuple[int, int, int]) -> str:
    """``**64 · 7 · 7 = 3,136**``: the last maps' size, multiplied out.

    >>> flatten_sum((7, 7, 64)).split(".")[0]
    '**64 · 7 · 7 = 3,136**'
    """
    h, w, c = shape
    return f"**{c} · {h} · {w} = {h * w * c:,}**. Hover over the strip to see where each number came from."


def flatten_note(t: Trace) -> str | None:
    """What the first traced Flatten of the user's architecture does, or None without one."""
    for x in t.layers:
        if x.spec.kind == "Flatten" and x.status == "ok":
            before = t.input_shape if x.index == 0 else t.layers[x.index - 1].output_shape
            return (
                f"In your architecture, Flatten turns {format_shape(before[1:])} into "  # type: ignore[index]
                f"{x.output_shape[-1]:,} numbers."  # type: ignore[index]
            )
    return None


def softmax_note(probabilities: np.ndarray) -> str:
    """The model's answer, its probability, and what the ten bars add up to.

    >>> softmax_note(np.array([0.1, 0.7, 0.2]))
    'The pretrained model says **1**, with probability **70.0%**. The ten bars add up to 1.000.'
    """
    top = int(probabilities.argmax())
    return (
        f"The pretrained model says **{top}**, with probability **{probabilities[top]:.1%}**. "
        f"The ten bars add up to {probabilities.sum():.3f}."
    )


def training_caption(own_note: str | None, shipped_accuracy: float | None) -> str:
    """Whose test accuracy the training step shows: the user's model, or the pretrained one."""
    if own_note is not None:
        return f"Your model: {own_note} on the 10,000 test digits."
    accuracy = f"{shipped_accuracy:.2%}" if shipped_accuracy else ""
    return f"The pretrained model (10 epochs, Adam, augmented digits): {accuracy} on the 10,000 test digits."
