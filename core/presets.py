"""Ready-made architectures: the notebook's two models, a quick workshop CNN, VGG16, and empty."""

from __future__ import annotations

from core.architecture import Architecture, LayerSpec

L = LayerSpec.make


def _vgg_block(filters: int, repeats: int) -> tuple[LayerSpec, ...]:
    pair = (
        L("ZeroPadding2D", padding=1),
        L("Conv2D", filters=filters, kernel_size=3, activation="relu"),
    )
    return pair * repeats + (L("MaxPooling2D"),)


DENSE_ONLY = Architecture((L("Dense", units=10), L("Dense", units=5), L("Dense", units=2)))

NOTEBOOK_CNN = Architecture(
    (L("Normalization"),)
    + _vgg_block(32, 2)
    + _vgg_block(64, 2)
    + (
        L("Flatten"),
        L("Dense", units=512, activation="relu"),
        L("Dense", units=10, activation="softmax"),
    )
)

WORKSHOP_CNN = Architecture(
    (
        L("Normalization"),
        L("Conv2D", filters=16, kernel_size=3, activation="relu"),
        L("MaxPooling2D"),
        L("Conv2D", filters=32, kernel_size=3, activation="relu"),
        L("MaxPooling2D"),
        L("Flatten"),
        L("Dense", units=64, activation="relu"),
        L("Dense", units=10, activation="softmax"),
    )
)

EMPTY = Architecture()


def _vgg16_block(filters: int, repeats: int) -> tuple[LayerSpec, ...]:
    conv = L("Conv2D", filters=filters, kernel_size=3, activation="relu", padding="same")
    return (conv,) * repeats + (L("MaxPooling2D"),)


# VGG16 (Simonyan & Zisserman, 2014) in our own format, on 224×224 colour images: 138,357,544 weights.
VGG16 = Architecture(
    _vgg16_block(64, 2)
    + _vgg16_block(128, 2)
    + _vgg16_block(256, 3)
    + _vgg16_block(512, 3)
    + _vgg16_block(512, 3)
    + (
        L("Flatten"),
        L("Dense", units=4096, activation="relu"),
        L("Dense", units=4096, activation="relu"),
        L("Dense", units=1000, activation="softmax"),
    ),
    input_shape=(224, 224, 3),
)

PRESETS: dict[str, tuple[Architecture, str]] = {
    "Notebook's first try: Dense only": (
        DENSE_ONLY,
        "Three Dense layers straight on the 28×28 image, as the notebook first tried. It does not work: see why below.",
    ),
    "Notebook's VGG-like CNN": (
        NOTEBOOK_CNN,
        "The notebook's final model: normalise, two blocks of (pad, 3×3 conv) ×2 + max pool, then Flatten and Dense.",
    ),
    "Small CNN for workshops": (
        WORKSHOP_CNN,
        "A small, fast CNN that reaches about 98% test accuracy in well under a minute of training.",
    ),
    "Empty": (EMPTY, "Start from nothing and add layers yourself."),
}

DEFAULT_NAME = "Notebook's VGG-like CNN"  # what a new session, and a bad link, starts with
DEFAULT = PRESETS[DEFAULT_NAME][0]
