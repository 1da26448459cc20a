"""Fixes for Keras behaviour that hurts a long-running server, each pinned by a test.

``tests/test_keras_fixes.py`` fails if Keras changes under a fix: the hook renamed or no
longer called, or a result that differs with the fix applied. Check them on every Keras upgrade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keras

HOOK = "_all_reduce_sum_gradients"  # keras/src/backend/tensorflow/optimizer.py (Keras 3.15)


def no_single_replica_all_reduce(
    optimizer: keras.optimizers.Optimizer,
) -> keras.optimizers.Optimizer:
    """Skips the optimizer's gradient all-reduce when there is one replica (always, in this app).

    Keras's TensorFlow optimizer sums gradients over replicas with
    ``tf.distribute.get_replica_context().all_reduce``; with one replica that is the identity, but
    in graph mode it registers a new ``tf.custom_gradient`` in TensorFlow's process-wide gradient
    registry each time a train step is traced, and that entry keeps the whole traced graph alive:
    about 8 MB lost for every model trained in the server (bare Keras included; measured with
    ``bench/bench_training.py --part c``). This instance-level override removes the leak and
    changes no result.

    Args:
        optimizer: a fresh Keras optimizer; it is changed in place.

    Returns:
        The same optimizer (unchanged when its Keras has no such hook).
    """
    original = getattr(optimizer, HOOK, None)
    if original is None:  # a Keras without this hook: nothing to do (the tests say so loudly)
        return optimizer

    def all_reduce_sum_gradients(grads_and_vars):
        import tensorflow as tf

        context = tf.distribute.get_replica_context()
        if context is None or context.num_replicas_in_sync == 1:
            return list(grads_and_vars)
        return original(grads_and_vars)

    all_reduce_sum_gradients.single_replica_fix = True  # lets tests tell it from Keras's own
    setattr(optimizer, HOOK, all_reduce_sum_gradients)
    return optimizer
