"""The layer catalogue: each layer kind's parameters, defaults, ranges and a plain-words explanation."""

from __future__ import annotations

from core.layer_kinds import LayerKind, ParamSpec, brief

__all__ = [
    "ACTIVATIONS",
    "BY_SHORT",
    "CATALOGUE",
    "MNIST_MEAN",
    "MNIST_STD",
    "PADDINGS",
    "LayerKind",
    "ParamSpec",
    "brief",
    "layer_kind",
]

# MNIST's training-set pixel statistics (0..255 units), pinned by tests/test_data.py.
MNIST_MEAN = 33.3184
MNIST_STD = 78.5675

ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax")
PADDINGS = ("valid", "same")


def _int(
    name: str, default: int | None, label: str, low: int, high: int, help: str, **more
) -> ParamSpec:
    """An integer parameter from ``low`` to ``high`` (``more``: e.g. ``optional=True``)."""
    return ParamSpec(name, "int", default, label, help, low=low, high=high, **more)


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
        _int(
            "pool_size",
            2,
            "Pool size",
            1,
            8,
            "Side of the square window summarised into one value.",
        ),
        _int(
            "strides",
            None,
            "Stride",
            1,
            8,
            "How far the window moves each step; empty means the same as the pool size.",
            optional=True,
        ),
        _padding(),
    )


CATALOGUE: dict[str, LayerKind] = {
    k.kind: k
    for k in (
        LayerKind(
            kind="Normalization",
            short="norm",
            label="Normalize",
            params=(),
            summary="Centre and scale the pixels with MNIST's mean and spread.",
            explanation="Raw pixels run from 0 (black) to 255 (white). This layer subtracts MNIST's "
            f"average pixel ({MNIST_MEAN:g}) and divides by its standard deviation ({MNIST_STD:g}), "
            "so the numbers the network sees sit around 0 with a spread of about 1. Training is much "
            "steadier that way. It learns nothing and keeps the shape. (The notebook did this with a "
            "Lambda layer and, by a slip, divided by the mean instead of the standard deviation.)",
        ),
        LayerKind(
            kind="ZeroPadding2D",
            short="pad",
            label="Zero padding",
            params=(
                _int(
                    "padding", 1, "Padding", 0, 16, "Rows and columns of zeros added on every side."
                ),
            ),
            summary="Add a border of zeros around each image.",
            explanation="Puts a frame of zeros around every channel: with padding 1 a 28×28 image "
            "becomes 30×30. A 3×3 filter can then centre on the edge pixels too, and the following "
            "convolution gives back the original 28×28 instead of shrinking to 26×26. Nothing is "
            "learnt here.",
        ),
        LayerKind(
            kind="Conv2D",
            short="conv",
            label="Convolution",
            params=(
                _int(
                    "filters",
                    32,
                    "Filters",
                    1,
                    512,
                    "How many different patterns this layer looks for; each gives one output channel.",
                ),
                _int(
                    "kernel_size",
                    3,
                    "Kernel size",
                    1,
                    11,
                    "Side of the square window each filter looks through.",
                ),
                _activation("relu"),
                _int(
                    "strides",
                    1,
                    "Stride",
                    1,
                    5,
                    "How many pixels the window moves each step; 2 halves the size.",
                ),
                _padding(),
            ),
            summary="Slide small learnt filters over the image to find local patterns.",
            explanation="Each filter is a small grid of weights (say 3×3 per input channel). It "
            "slides over the image; at every position it multiplies the pixels under it by its "
            "weights, adds them up with a bias, and writes one number into its output map. A filter "
            "that has learnt an edge lights up wherever that edge is, anywhere in the image, because "
            "the same weights are used at every position. That sharing is why a convolution needs so "
            "few parameters: kernel × kernel × input channels × filters, plus one bias per filter. "
            "(The notebook's Keras 1 wrote this as Convolution2D(32, 3, 3) on channels-first images; "
            "today it is Conv2D(32, 3) on channels-last (28, 28, 1).)",
        ),
        LayerKind(
            kind="Activation",
            short="act",
            label="Activation",
            params=(_activation("relu"),),
            summary="Apply a function to every value on its own.",
            explanation="Applies the same function to every number separately; the shape stays the "
            "same. ReLU keeps positive values and replaces negatives with 0. Without such a bend "
            "between layers, any stack of layers would collapse into one linear map, however deep "
            "it is.",
        ),
        LayerKind(
            kind="MaxPooling2D",
            short="maxpool",
            label="Max pooling",
            params=_pool_params(),
            summary="Keep the largest value of each small window: halves width and height.",
            explanation="Cuts each channel into small windows (2×2 by default) and keeps only the "
            "largest value of each, so a 28×28 map becomes 14×14. The strongest responses survive "
            "while the resolution drops, so the next 3×3 filters cover twice as much of the digit. "
            "Networks usually double the number of filters after pooling to keep enough room for "
            "what they find.",
        ),
        LayerKind(
            kind="AveragePooling2D",
            short="avgpool",
            label="Average pooling",
            params=_pool_params(),
            summary="Average each small window: halves width and height.",
            explanation="Like max pooling, but each window is replaced by its average instead of its "
            "largest value. It smooths rather than picking the strongest response.",
        ),
        LayerKind(
            kind="Flatten",
            short="flatten",
            label="Flatten",
            params=(),
            summary="Unroll the image-shaped tensor into one long row of numbers.",
            explanation="Lays every value of the height × width × channels block out in one long "
            "vector, e.g. 7 × 7 × 64 = 3,136 numbers. Nothing is computed or learnt; it lets the "
            "Dense layers that follow look at the whole picture at once instead of one pixel "
            "position at a time.",
        ),
        LayerKind(
            kind="Dense",
            short="dense",
            label="Dense",
            params=(
                _int(
                    "units",
                    10,
                    "Units",
                    1,
                    4096,
                    "How many output numbers; each is a weighted sum of all inputs.",
                ),
                _activation("linear"),
            ),
            summary="Every output is a weighted sum of all the inputs.",
            explanation="Each of its units multiplies every input value by its own weight, adds them "
            "up with a bias, and applies the activation. It acts on the last axis only: on a flat "
            "vector it mixes everything, but on a (28, 28, 1) image it would treat each pixel "
            "position separately. The last layer of a classifier is Dense(10, softmax): one "
            "probability per digit.",
        ),
        LayerKind(
            kind="Dropout",
            short="dropout",
            label="Dropout",
            params=(
                ParamSpec(
                    "rate",
                    "float",
                    0.5,
                    "Rate",
                    "The share of values set to zero at each training step.",
                    low=0.0,
                    high=1.0,
                    high_open=True,
                ),
            ),
            summary="While training, randomly silence some values.",
            explanation="During training it sets a random share of the values to 0 (and scales the "
            "rest up), so the network cannot lean on any single feature. At prediction time it does "
            "nothing. It fights overfitting and has no weights.",
        ),
        LayerKind(
            kind="BatchNormalization",
            short="bnorm",
            label="Batch normalization",
            params=(),
            summary="Re-centre and re-scale each channel using batch statistics.",
            explanation="For every channel it subtracts the batch's mean and divides by its spread, "
            "then applies a learnt scale and shift. It keeps values in a healthy range deep inside "
            "the network, which lets training go faster. It has 4 numbers per channel, 2 of them "
            "learnt.",
        ),
    )
}

BY_SHORT: dict[str, LayerKind] = {k.short: k for k in CATALOGUE.values()}


def layer_kind(kind: str) -> LayerKind:
    """Returns the catalogue entry for a Keras class name or its short name.

    Raises:
        ValueError: with the list of known kinds, when ``kind`` is unknown.

    Example:
        >>> layer_kind("conv").kind
        'Conv2D'
    """
    found = CATALOGUE.get(kind) or BY_SHORT.get(kind) if isinstance(kind, str) else None
    if found is None:
        raise ValueError(f"unknown layer kind {brief(kind)}; known kinds: {', '.join(CATALOGUE)}")
    return found
