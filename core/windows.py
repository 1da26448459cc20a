"""Sliding-window arithmetic shared by the shape trace, the layer inspector and receptive fields.

One rule, the one Keras/TensorFlow use: with ``"valid"`` padding a window of size ``k`` and
stride ``s`` fits ``(n - k) // s + 1`` times into ``n`` pixels; with ``"same"`` it fits
``ceil(n / s)`` times and the zeros it needs go half before the first pixel, the odd one after.
"""

from __future__ import annotations

from typing import Any

POOLS = ("MaxPooling2D", "AveragePooling2D")


def out_and_pad(n: int, k: int, s: int, padding: str) -> tuple[int, int]:
    """(output length, zeros before the first input pixel) of a window sliding over ``n`` pixels.

    The output length is below 1 when a "valid" window is larger than its input.

    >>> out_and_pad(28, 3, 1, "valid")
    (26, 0)
    >>> out_and_pad(28, 3, 2, "same")  # 14 outputs; the one zero needed goes after the last pixel
    (14, 0)
    >>> out_and_pad(5, 4, 1, "same")
    (5, 1)
    """
    if padding == "same":
        out = -(-n // s)
        return out, max((out - 1) * s + k - n, 0) // 2
    return (n - k) // s + 1, 0


def window_of(kind: str, params: dict[str, Any]) -> tuple[int, int, str] | None:
    """(kernel, stride, padding) of a Conv2D or pooling layer's parameters; None for other kinds.

    A pooling layer without ``strides`` steps by its own size, as in Keras.

    >>> window_of("MaxPooling2D", {"pool_size": 2, "strides": None, "padding": "valid"})
    (2, 2, 'valid')
    >>> window_of("Dense", {"units": 10}) is None
    True
    """
    if kind == "Conv2D":
        return params["kernel_size"], params["strides"], params["padding"]
    if kind in POOLS:
        return params["pool_size"], params["strides"] or params["pool_size"], params["padding"]
    return None
