"""Whether an architecture can be trained on MNIST here, and in plain words why not."""

from __future__ import annotations

from core.architecture import MNIST_SHAPE, Architecture
from core.shapes import format_shape, trace


def check_compatible(arch: Architecture) -> str | None:
    """Why ``arch`` cannot be trained on MNIST labels, or None when it can.

    The model must take MNIST's (28, 28, 1) images, fit together, be small enough for the server,
    and end in 10 probabilities per image: output shape (None, 10) from a softmax. Nothing here
    builds a Keras model.

    >>> from core.presets import DENSE_ONLY
    >>> "(28, 28, 2)" in check_compatible(DENSE_ONLY)
    True
    >>> check_compatible(Architecture(input_shape=(32, 32, 3))).startswith("The model has no")
    True
    """
    if not arch.layers:
        return "The model has no layers yet: build one on the Build page first."
    if tuple(arch.input_shape) != MNIST_SHAPE:
        return (
            f"The model takes images of shape {format_shape(tuple(arch.input_shape))}, but MNIST's "
            f"digits are 28×28 pixels with 1 channel, shape {format_shape(MNIST_SHAPE)}: it cannot "
            "be trained on them. Use a model made for (28, 28, 1) images, such as the Build page's presets."
        )
    t = trace(arch)
    if not t.ok:
        bad = t.layers[t.error_index]
        return f"The model does not fit together at layer {bad.index + 1} ({bad.spec.kind}): {bad.error}"
    if t.too_big:
        return f"The model is too big to train on this server: {t.too_big_reason}."
    out = t.output_shape[1:]
    if out != (10,):
        return _output_problem(out)
    last = arch.layers[-1]
    if last.kind not in ("Dense", "Activation") or last.params.get("activation") != "softmax":
        return (
            "The model outputs 10 numbers, but the last layer is not a softmax, so they are not "
            "probabilities. Make the last layer Dense(10, softmax)."
        )
    return None


def _output_problem(out: tuple[int, ...]) -> str:
    fix = (
        "Add a Flatten layer before the Dense layers (after any convolutions and pooling), and end "
        "with Dense(10, softmax)."
        if len(out) > 1
        else "End with Dense(10, softmax)."
    )
    return (
        f"The model's output has shape {format_shape(out)} for each image, but each label has "
        "shape (10,): one probability per digit, so Keras cannot compare them (the notebook's first "
        f"`fit` failed the same way). {fix}"
    )
