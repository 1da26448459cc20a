"""Take it home: a runnable Keras 3 script, in the keras-io style, that reproduces a training run.

The model's layers come from ``core.keras_model.to_python`` (the Build page's code export); the
data, the subset, the optimizer and ``fit`` follow ``core.training.job`` and ``core.data.subset``.

>>> from core.presets import WORKSHOP_CNN
>>> source = training_script(WORKSHOP_CNN, TrainSettings("sgd", 0.05, 0.9, 64, 2, 2_000, 7))
>>> compile(source, "run.py", "exec") is not None
True
"""

from __future__ import annotations

import textwrap
from string import Template

from core.architecture import Architecture
from core.training.settings import TrainSettings

NORMALISES = {  # the end of the docstring's sentence on pixels, with and without Normalization
    True: "; its Normalization layer centres and scales them",
    False: "; this model has no Normalization layer, so it learns from them as they are",
}
# `$name` fields are filled in; the script's own braces (f-strings) are left alone.
_SCRIPT = Template('''"""Train a digit reader on MNIST: $title, reproduced from Layer by Layer.

$describe$result

Run it:
$run_lines

What is the same as in the app, and what is not:
- It needs Keras 3 (written against Keras 3.15 on TensorFlow 2.21): it uses keras.config,
  which Keras 2 (tf.keras) does not have. Keras 3 on JAX or PyTorch should work too; not tried.
- Images are channels-last, (28, 28, 1): height, width, then one grey channel, Keras's default
  image layout. The script stops if your Keras is set to channels-first.
- The model sees raw pixels 0-255, as in the app$normalises.
- The same training images: with the full MNIST and the same seed, training_subset picks
  the ones the app used. The initial weights and the order of the batches are drawn
  differently (the app seeds each layer on its own and batches with tf.data), so expect a
  similar accuracy, not the same one.
"""

import argparse

import keras
import numpy as np
from keras import layers

OPTIMIZER = "$optimizer"
LEARNING_RATE = $learning_rate
MOMENTUM = $momentum  # SGD only
BATCH_SIZE = $batch_size
EPOCHS = $epochs
N_TRAIN = $n_train  # training images: a seeded random subset, or all of them
SEED = $seed
KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_mnist(path):
    """MNIST as ((x_train, y_train), (x_test, y_test)), uint8, from keras.datasets or a .npz file."""
    if path is None:
        return keras.datasets.mnist.load_data()
    with np.load(path) as data:
        missing = [key for key in KEYS if key not in data.files]
        if missing:
            raise SystemExit(f"{path} has no {', '.join(missing)}: it needs the arrays {KEYS}.")
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])


def training_subset(x, y, n, seed):
    """The first n of a seeded permutation, in training-set order (core.data.subset in the app)."""
    if n >= len(y):
        return x, y
    index = np.sort(np.random.default_rng(seed).permutation(len(y))[:n])
    return x[index], y[index]


def build_model():
$model
    return model


def make_optimizer():
    if OPTIMIZER == "adam":
        return keras.optimizers.Adam(learning_rate=LEARNING_RATE)
    return keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum=MOMENTUM)


def main():
    parser = argparse.ArgumentParser(description="Train the model on MNIST and test it.")
    parser.add_argument("--data", help="a local .npz with x_train, y_train, x_test, y_test")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--n-train", type=int, default=N_TRAIN, help="training images to use")
    args = parser.parse_args()
    if keras.config.image_data_format() != "channels_last":
        raise SystemExit("This model is channels-last: set image_data_format to channels_last.")
    keras.utils.set_random_seed(SEED)

    (x_train, y_train), (x_test, y_test) = load_mnist(args.data)
    x_train, y_train = training_subset(x_train, y_train, args.n_train, SEED)
    # Channels-last: add the channel axis, (N, 28, 28) -> (N, 28, 28, 1). Pixels stay 0-255.
    x_train = x_train[..., np.newaxis].astype("float32")
    x_test = x_test[..., np.newaxis].astype("float32")
    print(f"{len(y_train):,} training and {len(y_test):,} test images, shape {x_train.shape[1:]}")

    model = build_model()
    model.summary()
    model.compile(
        optimizer=make_optimizer(),
        loss="sparse_categorical_crossentropy",  # integer labels 0-9, no one-hot needed
        metrics=["accuracy"],
    )
    model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=args.epochs, shuffle=True)

    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test loss: {loss:.4f}")
    print(f"Test accuracy: {accuracy:.4f}")


if __name__ == "__main__":
    main()
''')


RUNS = (  # how to run the script, and what each way does
    ("", "MNIST from keras.datasets (downloads 11 MB once)"),
    ("--data mnist.npz", "a local copy: x_train, y_train, x_test, y_test"),
    ("--epochs 1", "a shorter run"),
)


def _run_lines(file_name: str) -> str:
    commands = [f"python {file_name} {args}".rstrip() for args, _ in RUNS]
    width = max(map(len, commands))
    return "\n".join(
        f"    {c.ljust(width)}  # {why}" for c, (_, why) in zip(commands, RUNS, strict=True)
    )


def _model_block(arch: Architecture) -> str:
    """``model = keras.Sequential([...])`` from ``to_python``, indented to sit in a function."""
    from core.keras_model import to_python  # imports Keras: only when a script is written

    source = to_python(arch)
    start, end = source.index("model = keras.Sequential("), source.index("model.summary()")
    return textwrap.indent(source[start:end].rstrip(), "    ")


def training_script(
    arch: Architecture,
    settings: TrainSettings,
    *,
    title: str = "your model",
    accuracy: float | None = None,
    file_name: str = "train_mnist.py",
) -> str:
    """The Python source of a script that trains ``arch`` with ``settings`` and tests it.

    Args:
        arch: the architecture (it must build: see ``core.keras_model.build_model``).
        settings: how the run was trained (valid: see ``TrainSettings.validate``).
        title: what the docstring calls the model, e.g. ``"run #2, Small CNN for workshops"``.
        accuracy: the app's test accuracy for this run, quoted in the docstring.
        file_name: the name the user saves it under, for the "Run it" lines.

    Returns:
        The script's text; it runs with ``python file_name [--data mnist.npz] [--epochs N]``.
    """
    normalises = arch.first("Normalization") is not None
    result = (
        "" if accuracy is None else f"\nIn the app this run reached {accuracy:.2%} test accuracy."
    )
    return _SCRIPT.substitute(
        title=title,
        describe=f"Settings: {settings.describe()}.",
        result=result,
        run_lines=_run_lines(file_name),
        normalises=NORMALISES[normalises],
        optimizer=settings.optimizer,
        learning_rate=repr(float(settings.learning_rate)),
        momentum=repr(float(settings.momentum) if settings.optimizer == "sgd" else 0.0),
        batch_size=int(settings.batch_size),
        epochs=int(settings.epochs),
        n_train=f"{int(settings.n_train):_}",
        seed=int(settings.seed),
        model=_model_block(arch),
    )
