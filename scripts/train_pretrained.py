"""Train the shipped pretrained model: the notebook's VGG-like CNN on all of MNIST, with augmentation.

Run from the repository root (CPU is fine; about 1.5 min per epoch on 2 cores)::

    python scripts/train_pretrained.py                  # writes models/pretrained.keras + .json
    python scripts/train_pretrained.py --epochs 1 --out /tmp/try   # a quick try elsewhere

The model is ``build_model(NOTEBOOK_CNN, seed)`` (so its layers match the architecture the app shows,
Normalization included: inputs are raw 0..255 pixels). Training: the full 60,000 training images,
Adam with a cosine-decaying learning rate, batch 128, a fixed seed. Each batch is augmented outside
the model (a tf.data map), so that hand-drawn digits are recognised:

- stroke thickness: a random blend towards a 2×2 dilation (max-pool) or erosion (min-pool);
- rotation up to ±12°, zoom ±12%, shifts up to ±2 pixels, zero fill (MNIST's black background).

The test set is only evaluated (after each epoch, for the log; the epoch count is fixed in advance).
The JSON next to the model records test accuracy, epochs, seed, date, and the architecture's link text.
CPU float rounding means a rerun can differ in the last digits of accuracy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from core.data import load_mnist  # noqa: E402
from core.keras_model import build_model  # noqa: E402
from core.presets import NOTEBOOK_CNN  # noqa: E402

BATCH = 128
ROTATION_DEG = 12.0
ZOOM = 0.12
SHIFT_PX = 2.0


def build(seed: int) -> tuple[keras.Model, str]:
    """The notebook CNN as the app builds it, and where it came from (recorded in the JSON)."""
    return build_model(NOTEBOOK_CNN, seed=seed).model, "core.keras_model.build_model"


def save_for_inference(model: keras.Model, seed: int, path: Path) -> None:
    """Save the weights in a fresh, uncompiled copy: no optimizer state (6.7 MB instead of 20 MB)."""
    fresh, _ = build(seed)
    fresh.set_weights(model.get_weights())
    fresh.save(path)


def augmenter(seed: int):
    """A tf.data map function: (B,28,28,1) float32 0..255 -> augmented batch, labels unchanged."""
    turn = keras.layers.RandomRotation(ROTATION_DEG / 360.0, fill_mode="constant", seed=seed)
    zoom = keras.layers.RandomZoom(ZOOM, fill_mode="constant", seed=seed + 1)
    shift = keras.layers.RandomTranslation(
        SHIFT_PX / 28.0, SHIFT_PX / 28.0, fill_mode="constant", seed=seed + 2
    )
    gen = tf.random.Generator.from_seed(seed + 3)

    def stroke(x: tf.Tensor) -> tf.Tensor:
        # t in [-1, 1]: < 0 thins the strokes (min-pool), > 0 thickens them (max-pool), 40% unchanged.
        n = tf.shape(x)[0]
        t = gen.uniform((n, 1, 1, 1), -1.0, 1.0)
        t = tf.where(gen.uniform((n, 1, 1, 1)) < 0.4, tf.zeros_like(t), t)
        thick = tf.nn.max_pool2d(x, 2, 1, "SAME")
        thin = -tf.nn.max_pool2d(-x, 2, 1, "SAME")
        return tf.where(t > 0, x + t * (thick - x), x + (-t) * 0.6 * (thin - x))

    def augment(x: tf.Tensor, y: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        x = tf.cast(x, tf.float32)[..., tf.newaxis]
        x = stroke(x)
        x = shift(zoom(turn(x, training=True), training=True), training=True)
        return tf.clip_by_value(x, 0.0, 255.0), y

    return augment


def training_data(mnist, seed: int) -> tf.data.Dataset:
    """The full training set, reshuffled every epoch, in augmented batches of ``BATCH``."""
    return (
        tf.data.Dataset.from_tensor_slices((np.asarray(mnist.x_train), np.asarray(mnist.y_train)))
        .shuffle(len(mnist.y_train), seed=seed, reshuffle_each_iteration=True)
        .batch(BATCH)
        .map(augmenter(seed), num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(2)
    )


def metadata(
    args: argparse.Namespace,
    path: Path,
    source: str,
    model: keras.Model,
    scores: tuple[float, float],
    seconds: float,
    sizes: tuple[int, int],
) -> dict:
    """What models/pretrained.json records: the architecture, the recipe, the scores, the versions."""
    loss, acc = scores
    n_train, n_test = sizes
    return {
        "file": path.name,
        "architecture": NOTEBOOK_CNN.to_url(),
        "built_with": source,
        "params": int(model.count_params()),
        "test_accuracy": round(float(acc), 4),
        "test_loss": round(float(loss), 4),
        "test_examples": int(n_test),
        "train_examples": int(n_train),
        "epochs": args.epochs,
        "batch_size": BATCH,
        "optimizer": f"Adam, cosine decay from {args.lr:g} to {args.lr * 0.02:g}",
        "augmentation": (
            f"stroke thickness (2x2 max/min-pool blend), rotation ±{ROTATION_DEG:g}°, "
            f"zoom ±{ZOOM:.0%}, shift ±{SHIFT_PX:g} px"
        ),
        "seed": args.seed,
        "train_seconds": round(seconds),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
        "command": "python scripts/train_pretrained.py "
        + f"--epochs {args.epochs} --seed {args.seed} --lr {args.lr:g}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20240605)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--out", type=Path, default=ROOT / "models")
    args = parser.parse_args()

    mnist = load_mnist()
    keras.utils.set_random_seed(args.seed)
    model, source = build(args.seed)
    steps = int(np.ceil(len(mnist.y_train) / BATCH))
    schedule = keras.optimizers.schedules.CosineDecay(args.lr, steps * args.epochs, alpha=0.02)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    train = training_data(mnist, args.seed)
    x_test = np.asarray(mnist.x_test, np.float32)[..., None]
    y_test = np.asarray(mnist.y_test)
    print(f"model from {source}: {model.count_params():,} params; {args.epochs} epochs", flush=True)
    start = time.perf_counter()
    model.fit(
        train,
        epochs=args.epochs,
        validation_data=(x_test, y_test),
        validation_batch_size=1000,
        verbose=2,
    )
    seconds = time.perf_counter() - start
    loss, acc = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    print(f"test accuracy {acc:.4%}, loss {loss:.4f}, {seconds:.0f} s of training", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "pretrained.keras"
    save_for_inference(model, args.seed, path)
    sizes = (len(mnist.y_train), len(y_test))
    meta = metadata(args, path, source, model, (loss, acc), seconds, sizes)
    (args.out / "pretrained.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) and pretrained.json", flush=True)


if __name__ == "__main__":
    main()
