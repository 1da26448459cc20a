"""Every transform's whole range through a model: the sweep's probabilities, in one batched pass."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import predict, transform
from core.batching import batch_limit, model_step_values


def sweep_probabilities(model: Any, image: np.ndarray) -> np.ndarray:
    """(N, 10) probabilities of every image of ``transform.sweep_all(image)`` (N = 90).

    One forward pass for the notebook's CNN and anything smaller; a model with huge layers gets
    a few passes, so its activations stay within ``core.batching``'s memory budget. The model is
    only called (``training=False``), never changed.

    Args:
        model: a Keras model taking (N, 28, 28, 1) float32 pixels 0..255 and giving 10 scores.
        image: the (28, 28) uint8 digit.
    """
    batch = transform.sweep_all(image)[0].astype(np.float32)[..., np.newaxis]
    step = batch_limit(model_step_values(model), len(batch))
    return np.concatenate(
        [predict.probabilities(model, batch[i : i + step]) for i in range(0, len(batch), step)]
    )
