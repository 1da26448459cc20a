"""Look inside's sentences: layer captions, a window's sum written out, the drawing's age.

Plain text from the arrays of ``core.activations`` and ``core.explain``; the page only shows it.
"""

from __future__ import annotations

import numpy as np

from core.activations import LayerOutput
from core.architecture import Architecture
from core.explain import ConvPixel, PoolPixel
from core.figures.inside import shape_text

STALE_S = 600  # a drawing older than this (seconds) is flagged as old


def layer_name(arch: Architecture, index: int, shape: tuple[int, ...] | None = None) -> str:
    """The chooser's name of a layer: its number from 1, its description, and its output shape.

    >>> from core.presets import WORKSHOP_CNN
    >>> layer_name(WORKSHOP_CNN, 1, (26, 26, 16))
    '2. Conv2D(16, 3×3, relu) → 26×26×16'
    """
    name = f"{index + 1}. {arch.layers[index].describe()}"
    return name if shape is None else f"{name} → {shape_text(shape)}"


def layer_caption(out: LayerOutput, before: LayerOutput | None, pre_shown: bool) -> str:
    """What to notice in a layer's maps: the padding ring, the pooling, or what ReLU zeroed.

    Args:
        out: the layer's output.
        before: the previous layer's output (None for the first layer).
        pre_shown: True when the maps drawn are the values before the activation.

    Returns:
        One or two sentences, or "" when there is nothing to add.
    """
    a, kind = out.array, out.kind
    if kind == "ZeroPadding2D":
        inner = a.shape[0] - 2 * out.spec.params["padding"]
        return (
            f"The blue outline is the {inner}-pixel image it received; "
            "the ring outside it is the added zeros."
        )
    if kind in ("MaxPooling2D", "AveragePooling2D") and before is not None:
        h, w = before.array.shape[:2]
        how = "its largest value" if kind == "MaxPooling2D" else "the average"
        return f"Each window keeps {how}: {h}×{w} → {a.shape[0]}×{a.shape[1]}, half the resolution."
    if out.pre_activation is not None and out.spec.params["activation"] == "relu":
        zeroed = float(np.mean(out.pre_activation < 0))
        view = (
            "Before ReLU: blue values are negative and ReLU will set them to 0."
            if pre_shown
            else "White is 0."
        )
        return f"ReLU set {zeroed:.0%} of this layer's values to 0. {view}"
    return ""


def flatten_caption(source: tuple[int, ...], size: int) -> str:
    """What Flatten did to the block before it.

    >>> flatten_caption((7, 7, 64), 3136)[:38]
    'The 7×7×64 block laid out as one row o'
    """
    return (
        f"The {shape_text(source)} block laid out as one row of {size:,} numbers "
        "(wrapped here to fit): hover to see where each came from."
    )


def conv_sum(e: ConvPixel, value: float) -> tuple[str, str]:
    """A Conv2D value written out: (the sum, bias and activation as markdown lines, the check).

    Args:
        e: the explanation of one output value.
        value: the layer's own output there, to check the explanation against.
    """
    many = e.products.shape[-1] > 1
    terms = (
        f"sum of all {e.products.size:,} products"
        if many
        else f"sum of the {e.products.size} products"
    )
    lines = [
        f"{terms.capitalize()}: **{e.total:.4f}**",
        f"Plus the bias {e.bias:.4f}: **{e.pre_activation:.4f}**",
    ]
    if e.activation == "relu":
        sign = "negative, so it becomes 0" if e.pre_activation < 0 else "positive, so it stays"
        lines.append(f"ReLU ({sign}): **{e.output:.4f}**")
    elif e.activation != "linear":
        lines.append(f"{e.activation}: **{e.output:.4f}**")
    ok = abs(e.output - value) <= 1e-4 * max(1.0, abs(value))
    check = (
        "✓ the same as the layer's own output, " if ok else "✗ differs from the layer's output, "
    )
    return "  \n".join(lines), f"{check}{value:.4f}."


def pool_sentence(e: PoolPixel) -> str:
    """Which value of a pooling window was kept, and what happened to the others."""
    if e.kind == "AveragePooling2D":
        return f"Their average, **{e.output:.4f}**, is kept."
    values = int(np.sum(~np.isnan(e.window)))
    if e.ties == values and e.ties > 1:
        return f"All {e.ties} values are equal ({e.output:.4f}): any of them is the maximum."
    r, c = e.argmax
    return (
        f"The largest, **{e.output:.4f}** (row {r}, column {c} of the window, outlined), "
        f"is kept; the other {values - 1} are dropped."
    )


def age_text(seconds: float) -> str:
    """How long ago, in words.

    >>> [age_text(s) for s in (5, 600, 7200)]
    ['just now', '10 min ago', '2.0 h ago']
    """
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"
