"""Receptive fields: which input pixels each output pixel of a layer depends on, from the spec."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.architecture import Architecture
from core.windows import out_and_pad, window_of

# Layers that keep every pixel where it is (a 1×1 window with stride 1 and no padding).
_POINTWISE = {"Normalization", "Activation", "Dropout", "BatchNormalization"}


@dataclass(frozen=True)
class Field:
    """The receptive field of one layer's output, in input-image pixels.

    Attributes:
        index: the layer's position in the Architecture.
        kind: the layer's kind (Keras class name).
        spatial: False once the output no longer has rows and columns (after Flatten, or a Dense
            on a flat vector): every output value then depends on the whole image.
        size: side of the square of input pixels one output pixel sees (padding included).
        jump: how many input pixels apart two neighbouring output pixels' fields are.
        first: input row (= column) of the top-left pixel of output pixel (0, 0)'s field;
            negative when the field reaches into padding.
        out_hw: the output's (height, width), or None when not spatial.
    """

    index: int
    kind: str
    spatial: bool
    size: int
    jump: int
    first: int
    out_hw: tuple[int, int] | None
    # (kernel, stride, padding above, padding left, input height, input width) per window so far.
    steps: tuple[tuple[int, int, int, int, int, int], ...] = field(
        default=(), repr=False, compare=False
    )

    @property
    def start(self) -> float:
        """Input coordinate of the centre of output pixel 0's field (the classic "start")."""
        return self.first + (self.size - 1) / 2


def receptive_fields(arch: Architecture) -> list[Field | None]:
    """The receptive field of every layer's output, in order.

    Args:
        arch: the architecture; only square kernels and windows exist in the catalogue.

    Returns:
        One Field per layer, or None from the first layer whose output would be empty
        (a window larger than its input) onwards.

    Example:
        >>> from core.presets import NOTEBOOK_CNN
        >>> [f.size for f in receptive_fields(NOTEBOOK_CNN) if f.kind != "ZeroPadding2D"][:7]
        [1, 3, 5, 6, 10, 14, 16]
    """
    h, w = arch.input_shape[:2]
    size, jump, first, spatial = 1, 1, 0, len(arch.input_shape) == 3
    fields: list[Field | None] = []
    steps: list[tuple[int, int, int, int, int, int]] = []
    for index, spec in enumerate(arch.layers):
        window = window_of(spec.kind, spec.params)
        if not spatial or spec.kind == "Flatten":
            spatial = False
        elif spec.kind == "ZeroPadding2D":
            pad = spec.params["padding"]
            steps.append((1, 1, pad, pad, h, w))
            first, h, w = first - pad * jump, h + 2 * pad, w + 2 * pad
        elif window is not None:
            k, s, padding = window
            (oh, top), (ow, left) = out_and_pad(h, k, s, padding), out_and_pad(w, k, s, padding)
            steps.append((k, s, top, left, h, w))
            h, w = oh, ow
            if h < 1 or w < 1:
                fields.extend([None] * (len(arch.layers) - index))
                return fields
            size, first, jump = size + (k - 1) * jump, first - top * jump, jump * s
        elif spec.kind not in _POINTWISE and spec.kind != "Dense":
            raise ValueError(f"layer {index}: no receptive-field rule for {spec.kind!r}")
        # Dense on an image acts on each pixel's channels only, so it keeps the field.
        hw = (h, w) if spatial else None
        fields.append(Field(index, spec.kind, spatial, size, jump, first, hw, tuple(steps)))
    return fields


def input_box(
    field: Field, row: int, col: int, image_hw: tuple[int, int] = (28, 28)
) -> tuple[int, int, int, int] | None:
    """The input pixels output pixel (row, col) depends on: its field, clipped to the image.

    Walks back through every window, clipping to each layer's input, so rows a "valid" window
    dropped on the way are not counted.

    Args:
        field: the layer's Field from receptive_fields.
        row: output row, 0..height-1.
        col: output column, 0..width-1.
        image_hw: the input image's (height, width).

    Returns:
        (top, left, bottom, right), inclusive, inside the image; the whole image for a layer
        without rows and columns; None for a pixel that only sees zero padding.

    Raises:
        ValueError: if (row, col) is outside the layer's output.

    Example:
        >>> from core.presets import NOTEBOOK_CNN
        >>> input_box(receptive_fields(NOTEBOOK_CNN)[5], 0, 0)  # first pooling: 6×6, clipped
        (0, 0, 3, 3)
    """
    if not field.spatial:
        return 0, 0, image_hw[0] - 1, image_hw[1] - 1
    oh, ow = field.out_hw
    if not (0 <= row < oh and 0 <= col < ow):
        raise ValueError(f"pixel ({row}, {col}) is outside this {oh}×{ow} output")
    top, bottom, left, right = row, row, col, col
    for k, s, pad_top, pad_left, h, w in reversed(field.steps):
        top, bottom = max(top * s - pad_top, 0), min(bottom * s - pad_top + k - 1, h - 1)
        left, right = max(left * s - pad_left, 0), min(right * s - pad_left + k - 1, w - 1)
        if top > bottom or left > right:
            return None
    return top, left, bottom, right


def unclipped_box(field: Field, row: int, col: int) -> tuple[int, int, int, int]:
    """Like input_box but not clipped: may start above/left of the image (padding)."""
    top, left = field.first + row * field.jump, field.first + col * field.jump
    return top, left, top + field.size - 1, left + field.size - 1
