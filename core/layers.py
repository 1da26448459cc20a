"""The layer catalogue: each layer kind's parameters, defaults, ranges and a plain-words explanation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.text import ELLIPSIS, clip

# MNIST's training-set pixel statistics (0..255 units), pinned by tests/test_data.py.
MNIST_MEAN = 33.3184
MNIST_STD = 78.5675

ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax")
PADDINGS = ("valid", "same")


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a layer kind, named as Keras names it.

    Args:
        name: the Keras argument name, e.g. ``"filters"``.
        kind: ``"int"``, ``"float"`` or ``"choice"``.
        default: the value a new layer gets.
        low: smallest allowed value (int/float), inclusive.
        high: largest allowed value (int/float); inclusive unless ``high_open``.
        choices: allowed values of a ``"choice"`` parameter.
        optional: ``None`` is allowed and means "Keras's own default" (e.g. pooling strides).
        label: the short label a widget shows.
        help: one sentence for a beginner.
    """

    name: str
    kind: str
    default: Any
    label: str
    help: str
    low: float | None = None
    high: float | None = None
    high_open: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False

    def check(self, value: Any) -> Any:
        """Returns ``value`` normalised to this parameter's type, or raises ValueError.

        >>> ParamSpec("units", "int", 10, "Units", "", low=1, high=4096).check(64)
        64
        """
        if value is None and self.optional:
            return None
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise ValueError(
                    f"{self.label.lower()} must be one of {', '.join(self.choices)}; got {brief(value)}"
                )
            return value
        number = _as_number(value, integer=self.kind == "int", label=self.label)
        too_high = number >= self.high if self.high_open else number > self.high
        if number < self.low or too_high:
            upper = f"below {_fmt(self.high)}" if self.high_open else f"at most {_fmt(self.high)}"
            raise ValueError(
                f"{self.label.lower()} must be at least {_fmt(self.low)} and {upper}; got {_fmt(value)}"
            )
        return number


def brief(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for error messages that quote user input.

    >>> brief("x" * 100, limit=5)
    "'xxxxx'…"
    """
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else repr(value[:limit]) + ELLIPSIS
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # deeply nested data; ints too long for str()
        return f"a very large {type(value).__name__}"
    return clip(text, limit)


def _fmt(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else brief(x)


def _as_number(value: Any, integer: bool, label: str) -> int | float:
    """Accepts ints (and integral floats for int params) and finite floats; rejects bools/strings."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{label.lower()} must be a number; got {brief(value)}")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{label.lower()} must be a finite number; got {brief(value)}")
    if integer:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{label.lower()} must be a whole number; got {brief(value)}")
        return int(value)
    try:
        return float(value)
    except OverflowError:  # an int too large for a float, e.g. 10**400 from JSON or a link
        raise ValueError(f"{label.lower()} is far too large; got a whole number above 10**308") from None


@dataclass(frozen=True)
class LayerKind:
    """A kind of layer the Build page offers.

    Args:
        kind: the Keras class name (``"Conv2D"``); also the key in JSON.
        short: the compact name used in share links (``"conv"``).
        label: what the palette shows.
        params: the parameters, in the order share links write them.
        summary: one line for the palette.
        explanation: a few sentences, for someone who has never seen a CNN.
    """

    kind: str
    short: str
    label: str
    params: tuple[ParamSpec, ...]
    summary: str
    explanation: str

    def defaults(self) -> dict[str, Any]:
        """Returns the parameters a freshly added layer gets."""
        return {p.name: p.default for p in self.params}

    def param(self, name: str) -> ParamSpec:
        """Returns the ParamSpec called ``name``; raises ValueError naming the known ones."""
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise ValueError(f"no parameter {brief(name)} (it has: {known})")


def _activation(default: str) -> ParamSpec:
    return ParamSpec(
        "activation",
        "choice",
        default,
        "Activation",
        "What each output value goes through: linear leaves it, relu zeroes negatives, "
        "softmax turns a vector into probabilities.",
        choices=ACTIVATIONS,
    )


def _padding() -> ParamSpec:
    return ParamSpec(
        "padding",
        "choice",
        "valid",
        "Padding",
        "valid: only where the window fits, so the image shrinks; same: pad with zeros so it doesn't.",
        choices=PADDINGS,
    )


def _pool_params() -> tuple[ParamSpec, ...]:
    return (
        ParamSpec("pool_size", "int", 2, "Pool size", "Side of the square window summarised into one value.", low=1, high=8),
        ParamSpec(
            "strides", "int", None, "Stride",
            "How far the window moves each step; empty means the same as the pool size.",
            low=1, high=8, optional=True,
        ),
        _padding(),
    )


CATALOGUE: dict[str, LayerKind] = {
    k.kind: k
    for k in (
        LayerKind(
            "Normalization", "norm", "Normalize", (),
            "Centre and scale the pixels with MNIST's mean and spread.",
            "Raw pixels run from 0 (black) to 255 (white). This layer subtracts MNIST's average pixel "
            f"({MNIST_MEAN:g}) and divides by its standard deviation ({MNIST_STD:g}), so the numbers the "
            "network sees sit around 0 with a spread of about 1. Training is much steadier that way. "
            "It learns nothing and keeps the shape. (The notebook did this with a Lambda layer and, by a "
            "slip, divided by the mean instead of the standard deviation.)",
        ),
        LayerKind(
            "ZeroPadding2D", "pad",
            "Zero padding",
            (ParamSpec("padding", "int", 1, "Padding", "Rows and columns of zeros added on every side.", low=0, high=16),),
            "Add a border of zeros around each image.",
            "Puts a frame of zeros around every channel: with padding 1 a 28×28 image becomes 30×30. "
            "A 3×3 filter can then centre on the edge pixels too, and the following convolution "
            "gives back the original 28×28 instead of shrinking to 26×26. Nothing is learnt here.",
        ),
        LayerKind(
            "Conv2D", "conv", "Convolution",
            (
                ParamSpec("filters", "int", 32, "Filters", "How many different patterns this layer looks for; each gives one output channel.", low=1, high=512),
                ParamSpec("kernel_size", "int", 3, "Kernel size", "Side of the square window each filter looks through.", low=1, high=11),
                _activation("relu"),
                ParamSpec("strides", "int", 1, "Stride", "How many pixels the window moves each step; 2 halves the size.", low=1, high=5),
                _padding(),
            ),
            "Slide small learnt filters over the image to find local patterns.",
            "Each filter is a small grid of weights (say 3×3 per input channel). It slides over the "
            "image; at every position it multiplies the pixels under it by its weights, adds them up "
            "with a bias, and writes one number into its output map. A filter that has learnt an edge "
            "lights up wherever that edge is, anywhere in the image, because the same weights are used "
            "at every position. That sharing is why a convolution needs so few parameters: "
            "kernel × kernel × input channels × filters, plus one bias per filter. "
            "(The notebook's Keras 1 wrote this as Convolution2D(32, 3, 3) on channels-first images; "
            "today it is Conv2D(32, 3) on channels-last (28, 28, 1).)",
        ),
        LayerKind(
            "Activation", "act", "Activation",
            (_activation("relu"),),
            "Apply a function to every value on its own.",
            "Applies the same function to every number separately; the shape stays the same. "
            "ReLU keeps positive values and replaces negatives with 0. Without such a bend between "
            "layers, any stack of layers would collapse into one linear map, however deep it is.",
        ),
        LayerKind(
            "MaxPooling2D", "maxpool", "Max pooling", _pool_params(),
            "Keep the largest value of each small window: halves width and height.",
            "Cuts each channel into small windows (2×2 by default) and keeps only the largest value of "
            "each, so a 28×28 map becomes 14×14. The strongest responses survive while the resolution "
            "drops, so the next 3×3 filters cover twice as much of the digit. Networks usually double "
            "the number of filters after pooling to keep enough room for what they find.",
        ),
        LayerKind(
            "AveragePooling2D", "avgpool", "Average pooling", _pool_params(),
            "Average each small window: halves width and height.",
            "Like max pooling, but each window is replaced by its average instead of its largest "
            "value. It smooths rather than picking the strongest response.",
        ),
        LayerKind(
            "Flatten", "flatten", "Flatten", (),
            "Unroll the image-shaped tensor into one long row of numbers.",
            "Lays every value of the height × width × channels block out in one long vector, e.g. "
            "7 × 7 × 64 = 3,136 numbers. Nothing is computed or learnt; it lets the Dense layers that "
            "follow look at the whole picture at once instead of one pixel position at a time.",
        ),
        LayerKind(
            "Dense", "dense", "Dense",
            (
                ParamSpec("units", "int", 10, "Units", "How many output numbers; each is a weighted sum of all inputs.", low=1, high=4096),
                _activation("linear"),
            ),
            "Every output is a weighted sum of all the inputs.",
            "Each of its units multiplies every input value by its own weight, adds them up with a "
            "bias, and applies the activation. It acts on the last axis only: on a flat vector it "
            "mixes everything, but on a (28, 28, 1) image it would treat each pixel position "
            "separately. The last layer of a classifier is Dense(10, softmax): one probability per digit.",
        ),
        LayerKind(
            "Dropout", "dropout", "Dropout",
            (ParamSpec("rate", "float", 0.5, "Rate", "The share of values set to zero at each training step.", low=0.0, high=1.0, high_open=True),),
            "While training, randomly silence some values.",
            "During training it sets a random share of the values to 0 (and scales the rest up), so "
            "the network cannot lean on any single feature. At prediction time it does nothing. "
            "It fights overfitting and has no weights.",
        ),
        LayerKind(
            "BatchNormalization", "bnorm", "Batch normalization", (),
            "Re-centre and re-scale each channel using batch statistics.",
            "For every channel it subtracts the batch's mean and divides by its spread, then applies a "
            "learnt scale and shift. It keeps values in a healthy range deep inside the network, which "
            "lets training go faster. It has 4 numbers per channel, 2 of them learnt.",
        ),
    )
}

BY_SHORT: dict[str, LayerKind] = {k.short: k for k in CATALOGUE.values()}


def layer_kind(kind: str) -> LayerKind:
    """Returns the catalogue entry for a Keras class name or its short name.

    Raises:
        ValueError: with the list of known kinds, when ``kind`` is unknown.
    """
    found = CATALOGUE.get(kind) or BY_SHORT.get(kind) if isinstance(kind, str) else None
    if found is None:
        raise ValueError(f"unknown layer kind {brief(kind)}; known kinds: {', '.join(CATALOGUE)}")
    return found
