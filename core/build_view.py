"""What the Build page shows, as plain data: table rows, where a layer goes, sizes, files, VGG16's words.

The widgets in ``ui/build_*.py`` only draw these; nothing here imports Streamlit.

>>> from core.presets import WORKSHOP_CNN
>>> from core.shapes import trace
>>> shape_rows(trace(WORKSHOP_CNN))[2]
('2', 'Conv2D(16, 3×3, relu)', '(None, 26, 26, 16)', '3·3·1·16 + 16 = 160', '160')
>>> insert_position("after", 1, 5)
(2, 'after layer 2')
"""

from __future__ import annotations

from typing import Any

from core.architecture import Architecture, ArchitectureError
from core.layers import ParamSpec
from core.shapes import Trace, format_shape, shape_label

WHERE = {"end": "at the end", "after": "after the selected layer", "start": "at the start"}
MAX_UPLOAD_BYTES = 200_000
SHAPE_COLUMNS = ("#", "Layer", "Output shape", "Parameters", "Total so far")
TRACE_COLUMNS = ("#", "Layer", "Output", "Parameters")
TENSOR_CAPTION = (
    "Every output to scale: height and slanted depth = the image's height and width in pixels; "
    "thickness grows with the channels (square root). A flat vector of n numbers is a bar √n tall."
)
VGG_CAPTION = (
    "VGG16's outputs, drawn like yours: 224×224 shrinks to 7×7 while the channels grow to 512."
)


# --- parameters ---------------------------------------------------------------------------------


def number_bounds(p: ParamSpec) -> tuple[float, float, float]:
    """(min, max, step) for a number input; a half-open upper bound stops just short of it."""
    step = 1 if p.kind == "int" else 0.05
    high = p.high - (1 if p.kind == "int" else 0.01) if p.high_open else p.high
    return p.low, high, step  # type: ignore[return-value]


def shown_value(p: ParamSpec, value: Any) -> Any:
    """The value a widget can show: numbers clamped into the widget's range.

    >>> shown_value(ParamSpec("rate", "float", 0.5, "Rate", "", low=0, high=1, high_open=True), 1.0)
    0.99
    """
    if p.kind == "choice" or value is None:
        return value
    low, high, _ = number_bounds(p)
    return min(max(value, low), high)


def insert_position(where: str, selected: int | None, length: int) -> tuple[int, str]:
    """Where the palette's layer goes (an index into the layers) and the words for the undo note.

    Args:
        where: a key of WHERE; "after" needs an open layer, else the layer goes at the end.
        selected: the open layer's index, or None.
        length: how many layers there are.
    """
    if where == "after" and selected is not None:
        return selected + 1, f"after layer {selected + 1}"
    if where == "start":
        return 0, WHERE["start"]
    return length, WHERE["end"]


# --- tables -------------------------------------------------------------------------------------


def shape_rows(t: Trace) -> list[tuple[str, ...]]:
    """The shape table (columns SHAPE_COLUMNS): input first, then one row per layer."""
    rows = [("in", "Input image", format_shape(t.input_shape), "", "0")]
    for layer, total in zip(t.layers, t.running_totals(), strict=True):
        number, name = str(layer.index + 1), layer.spec.describe()
        if layer.status == "ok":
            params = "no weights" if not layer.params else layer.formula
            rows.append((number, name, format_shape(layer.output_shape), params, f"{total:,}"))
        elif layer.status == "error":
            rows.append((number, name, f"✗ breaks here: {layer.error}", "", ""))
        else:
            rows.append((number, name, "not reached", "", ""))
    return rows


def row_kinds(t: Trace, selected: int | None) -> list[str]:
    """How each shape-table row is styled: "input", "error", "skipped", "selected" or ""."""
    kinds = ["input"]
    for layer in t.layers:
        if layer.status in ("error", "skipped"):
            kinds.append(layer.status)
        else:
            kinds.append("selected" if layer.index == selected else "")
    return kinds


def trace_rows(t: Trace) -> list[tuple[int, str, str, str]]:
    """A compact table (columns TRACE_COLUMNS) for side-by-side comparisons: ``28×28×32`` shapes."""
    return [
        (
            x.index + 1,
            x.spec.describe(),
            shape_label(x.output_shape) if x.output_shape else "—",
            f"{x.params:,}",
        )
        for x in t.layers
    ]


# --- summary, files, VGG16 ------------------------------------------------------------------------


def byte_size(n: int) -> str:
    """A byte count in words.

    >>> byte_size(6_705_064), byte_size(512)
    ('6.7 MB', '512 bytes')
    """
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n} bytes"


def read_upload(name: str, content: bytes) -> tuple[Architecture | None, str | None]:
    """An uploaded architecture file: (architecture, None), or (None, a message naming the file).

    >>> read_upload("a.json", b"[")[1].endswith("Your architecture is unchanged.")
    True
    """
    if len(content) > MAX_UPLOAD_BYTES:
        return None, (
            f"“{name}” is too large for an architecture file (more than {MAX_UPLOAD_BYTES:,} "
            "bytes); nothing was changed."
        )
    try:
        return Architecture.from_json(content), None
    except ArchitectureError as err:
        return None, f"“{name}” could not be read: {err}. Your architecture is unchanged."


def vgg_intro(mine: Trace, vgg: Trace) -> str:
    """The words above the VGG16 comparison: the same pattern, grown up, and how many times larger."""
    ratio = vgg.total_params / mine.total_params if mine.total_params else 0
    return (
        "VGG16 (2014) is the notebook's model grown up: the same pattern of 3×3 convolutions that "
        "keep the size, 2×2 max pooling that halves it and more filters after each pooling, then "
        "Flatten and Dense. But it reads 224×224 colour photos, has five blocks instead of two and "
        f"answers 1,000 classes: **{vgg.total_params:,}** parameters"
        + (f", {ratio:,.0f} times yours." if ratio >= 2 else ".")
    )


def model_heading(name: str, t: Trace) -> str:
    """``**Your model**: 1,676,266 parameters, input (28, 28, 1)``."""
    return f"**{name}**: {t.total_params:,} parameters, input {format_shape(t.input_shape)}"
