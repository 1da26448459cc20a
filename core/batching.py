"""How many images one forward pass may take, so its activations stay within a fixed byte budget.

Keras keeps a layer's input and output alive while it runs, so a batch of ``n`` images needs
about ``n × 4 bytes × (largest input + output of one layer, per image)``. Top patches and
occlusion split their images into batches of at most ``batch_limit(...)``: the notebook's CNN
keeps its usual batches; a 512-filter layer on 28×28 images gets a few dozen images at a time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from core.architecture import Architecture
from core.shapes import MAX_VALUES, trace

FORWARD_BYTES = 64 * 2**20  # activations of one forward pass, at most (TensorFlow's memory)
_FLOAT = 4


def step_values(sizes: Sequence[int]) -> int:
    """The most values one layer holds at once per image: its input plus its output.

    Args:
        sizes: values per image of the input, then of each layer's output, in order.

    >>> step_values([784, 25088, 25088, 6272])
    50176
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        return max(sizes, default=1)
    return max(a + b for a, b in zip(sizes, sizes[1:], strict=False))


def arch_step_values(arch: Architecture, upto: int | None = None) -> int:
    """``step_values`` of ``arch``'s layers up to ``upto`` (all by default), from the shape trace."""
    t = trace(arch)
    layers = t.layers if upto is None else t.layers[: upto + 1]
    sizes = [math.prod(t.input_shape[1:])]
    sizes += [math.prod(lt.output_shape[1:]) for lt in layers if lt.output_shape is not None]
    return step_values(sizes)


def model_step_values(model: Any) -> int:
    """``step_values`` of a Keras Sequential, from its layers' output shapes.

    A model whose shapes cannot be read counts as the largest the server builds (2 × MAX_VALUES).
    """
    try:
        shape = tuple(model.inputs[0].shape)
        sizes = [math.prod(shape[1:])]
        for layer in model.layers:
            shape = tuple(layer.compute_output_shape(shape))
            sizes.append(math.prod(shape[1:]))
    except Exception:  # noqa: BLE001 - unknown shapes: assume the worst, stay bounded
        return 2 * MAX_VALUES
    return step_values(sizes)


def batch_limit(values_per_image: int, cap: int, budget: int = FORWARD_BYTES) -> int:
    """Images per forward pass: at most ``cap``, and few enough to stay within ``budget`` bytes.

    >>> batch_limit(50176, 250), batch_limit(802816, 250), batch_limit(10**9, 250)
    (250, 20, 1)
    """
    fit = budget // max(1, _FLOAT * values_per_image)
    return max(1, min(int(cap), fit))
