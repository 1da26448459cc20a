"""What a filter looks for: the input patches, out of many digits, that excite it most."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from core.activations import partial_model
from core.architecture import Architecture
from core.batching import arch_step_values, batch_limit
from core.explain import crop
from core.receptive import receptive_fields, unclipped_box

__all__ = ["TopPatches", "top_patches"]


@dataclass(frozen=True, eq=False)
class TopPatches:
    """The input patches that excite one filter most, one per image, strongest first.

    Attributes:
        values: (n,) the filter's largest output in each chosen image.
        image_indices: (n,) positions in the ``images`` passed in.
        positions: (n, 2) the output pixel (row, col) where that maximum sits.
        boxes: (n, 4) unclipped receptive-field boxes (top, left, bottom, right) in the image.
        patches: (n, size, size) float32 crops of the images; NaN where the field leaves the image.
        searched: how many images were searched.
    """

    values: np.ndarray
    image_indices: np.ndarray
    positions: np.ndarray
    boxes: np.ndarray
    patches: np.ndarray
    searched: int


def top_patches(
    model: keras.Model,
    arch: Architecture,
    layer_index: int,
    filter: int,
    images: np.ndarray,
    k: int = 9,
    batch_size: int = 250,
) -> TopPatches:
    """The k input patches (receptive-field crops) of ``images`` that excite a filter most.

    Runs the model up to ``layer_index`` only, in batches, and keeps each image's strongest
    position; then takes the k strongest images. Batches shrink below ``batch_size`` when the
    layers are large (``core.batching``), and only the chosen channel comes back to NumPy, so
    memory stays bounded whatever the architecture.

    Args:
        model: a Sequential whose ``layers[i]`` was built from ``arch.layers[i]``.
        arch: the Architecture the model was built from.
        layer_index: a layer whose output still has rows and columns (e.g. a Conv2D).
        filter: the channel of that output.
        images: (N, 28, 28) raw pixels.
        k: how many patches.
        batch_size: images per forward pass, at most.

    Raises:
        ValueError: for a layer without rows and columns, or a filter out of range.

    Example:
        >>> from core.architecture import LayerSpec
        >>> from core.keras_model import build_model
        >>> arch = Architecture((LayerSpec.make("Conv2D", filters=2, kernel_size=5),))
        >>> images = np.random.default_rng(0).integers(0, 256, (20, 28, 28))
        >>> top = top_patches(build_model(arch, seed=0).model, arch, 0, 1, images, k=3)
        >>> top.patches.shape, top.searched, bool(top.values[0] >= top.values[-1])
        ((3, 5, 5), 20, True)
    """
    field = receptive_fields(arch)[layer_index]
    if field is None or not field.spatial:
        raise ValueError(
            f"layer {layer_index} ({arch.layers[layer_index].kind}) has no rows and columns"
        )
    sub = partial_model(model, arch, layer_index)
    channels = sub.outputs[0].shape[-1]
    if not 0 <= filter < channels:
        raise ValueError(f"filter {filter} does not exist; this layer has 0..{channels - 1}")
    images = np.asarray(images)
    batch = batch_limit(arch_step_values(arch, layer_index), batch_size)
    best, where = _strongest(sub, images, filter, batch)
    order = np.argsort(-best, kind="stable")[:k]
    rows, cols = np.unravel_index(where[order], field.out_hw)
    boxes = np.array([unclipped_box(field, r, c) for r, c in zip(rows, cols, strict=True)])
    crops = [
        crop(images[j].astype(np.float32), t, left, field.size, np.nan)
        for j, (t, left, _, _) in zip(order, boxes, strict=True)
    ]
    patches = np.array(crops, np.float32).reshape(len(order), field.size, field.size)
    return TopPatches(best[order], order, np.stack([rows, cols], 1), boxes, patches, len(images))


def _strongest(
    sub: keras.Model, images: np.ndarray, filter: int, batch_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each image's largest value of channel ``filter`` and its flat position, batch by batch."""
    best, where = [], []
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size].astype(np.float32)[..., np.newaxis]
        maps = keras.ops.convert_to_numpy(sub(x, training=False)[..., filter]).reshape(len(x), -1)
        best.append(maps.max(axis=1))
        where.append(maps.argmax(axis=1))
    return np.concatenate(best), np.concatenate(where)
