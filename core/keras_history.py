"""Keras 1 → Keras 3: the notebook's lines beside what one writes today, and at which lesson step.

The notebook was written for Keras 1 (channels first, ``nb_epoch``, ``fit_generator``). Some
of its names are gone; one (``Convolution2D``) still exists but its third argument now means
something else. ``tests/test_lesson.py`` runs each Keras 3 line against the installed Keras.

>>> [p.id for p in pairs_for(5)]
['conv2d', 'zero-padding', 'imports']
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KerasPair:
    """One old line and its modern equivalent.

    Attributes:
        id: a stable name.
        old: the notebook's Keras 1 code.
        new: the Keras 3 code that does the same.
        why: one short sentence on what changed.
        steps: the lesson steps (1-based) where this pair is shown.
    """

    id: str
    old: str
    new: str
    why: str
    steps: tuple[int, ...]


PAIRS: tuple[KerasPair, ...] = (
    KerasPair(
        "channels-last",
        "x_trn = np.expand_dims(x_trn, 1)  # (60000, 1, 28, 28)\ninput_shape=(1, 28, 28)",
        "x_train = x_train[..., None]  # (60000, 28, 28, 1)\nkeras.Input(shape=(28, 28, 1))",
        "Keras 1 put the channel axis first; Keras 3 puts it last, and the model starts with an Input.",
        (1,),
    ),
    KerasPair(
        "to-categorical",
        "from keras.utils.np_utils import to_categorical",
        "keras.utils.to_categorical(y_train, 10)",
        "The np_utils module is gone; the function lives in keras.utils.",
        (2,),
    ),
    KerasPair(
        "input-dim",
        "model.add(Dense(10, input_dim=28))",
        "keras.Sequential([keras.Input(shape=(28, 28)), layers.Dense(10)])",
        "Layers no longer take their input size (Keras 3 warns); a keras.Input comes first.",
        (3,),
    ),
    KerasPair(
        "normalization",
        "Lambda(mnist_normalize, input_shape=(1, 28, 28))",
        "layers.Normalization(mean=33.32, variance=78.57**2)",
        "A built-in layer instead of a Python function: it saves and loads safely, and here it "
        "divides by the standard deviation.",
        (4,),
    ),
    KerasPair(
        "conv2d",
        'Convolution2D(32, 3, 3, activation="relu")',
        'layers.Conv2D(32, 3, activation="relu")',
        "The kernel is one size (3 means 3×3). Careful: Keras 3 still accepts Convolution2D, "
        "but its third argument is now the stride, so the old call would skip pixels.",
        (5,),
    ),
    KerasPair(
        "zero-padding",
        "ZeroPadding2D((1, 1))",
        'layers.ZeroPadding2D(1)  # or Conv2D(..., padding="same")',
        "Still there; padding='same' on the convolution does the same in one layer.",
        (5,),
    ),
    KerasPair(
        "imports",
        "from keras.layers.core import Flatten\n"
        "from keras.layers.convolutional import Convolution2D, ZeroPadding2D\n"
        "from keras.layers.pooling import MaxPooling2D",
        "from keras import layers  # layers.Flatten, layers.Conv2D, ...",
        "Every layer is imported from one place.",
        (5, 7, 8),
    ),
    KerasPair(
        "fit-epochs",
        "model.fit(x_trn, y_trn, nb_epoch=3, batch_size=32)",
        "model.fit(x_train, y_train, epochs=3, batch_size=32)",
        "nb_epoch was renamed epochs.",
        (10,),
    ),
    KerasPair(
        "fit-generator",
        "gen = image.ImageDataGenerator()\n"
        "trn_batches = gen.flow(x_trn, y_trn, batch_size=32)\n"
        "model.fit_generator(\n    trn_batches, trn_batches.N, nb_epoch=3,\n"
        "    validation_data=val_batches,\n    nb_val_samples=val_batches.N)",
        "model.fit(\n    x_train, y_train, batch_size=32, epochs=3,\n"
        "    validation_data=(x_test, y_test))",
        "fit_generator and ImageDataGenerator are gone: fit makes the batches itself (or takes a "
        "tf.data.Dataset).",
        (10,),
    ),
)


def pairs_for(step_number: int) -> tuple[KerasPair, ...]:
    """The pairs shown at a lesson step, in the order above (empty when none help there)."""
    return tuple(p for p in PAIRS if step_number in p.steps)
