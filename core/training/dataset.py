"""The training images as a tf.data pipeline that never copies them."""

from __future__ import annotations

from typing import Any

import numpy as np


def make_dataset(
    x: np.ndarray, y: np.ndarray, batch_size: int, seed: int, shuffle: bool = True
) -> Any:
    """A tf.data pipeline of (uint8 (B, 28, 28, 1), uint8 (B,)) batches in a seeded order.

    tf.data shuffles and batches only the indices; each batch of images is gathered from the
    read-only uint8 NumPy array by a ``numpy_function`` and cast by the model (its Normalization
    layer does the scaling). So no copy of the training set is ever made: neither a float copy nor a
    TensorFlow one. (Holding the images as a tensor inside the pipeline cost 94 MB per run, and a run
    stopped mid-epoch left about 14 MB of it behind for good; measured with
    ``bench/bench_training.py --part c``.)

    Args:
        x: (N, H, W) uint8 images.
        y: (N,) uint8 labels.
        batch_size: images per batch (the last one may be smaller).
        seed: fixes the order; a new order each epoch, the same orders for the same seed.
        shuffle: False keeps the images in order.

    Returns:
        A ``tf.data.Dataset``.
    """
    import tensorflow as tf

    x, y = np.asarray(x), np.asarray(y)

    def gather(indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        indices = np.sort(indices)  # reads memory in order; the batch's inner order does not matter
        return x[indices][..., np.newaxis], y[indices]

    def load(indices):
        images, labels = tf.numpy_function(gather, [indices], (tf.uint8, tf.uint8), stateful=False)
        return tf.ensure_shape(images, (None, *x.shape[1:], 1)), tf.ensure_shape(labels, (None,))

    order = tf.data.Dataset.range(len(y))
    if shuffle:
        order = order.shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
    return order.batch(batch_size).map(load).prefetch(2)
