"""The Build page's lessons as plain data: Dense layers on an image, linear Dense stacks, their fixes.

The notebook's first try put Dense layers straight on the 28×28 image; ``dense_on_image`` finds
that, ``fix_dense_on_image`` adds the Flatten and the 10-way softmax it lacks. Dense layers
with no activation between them collapse into one matrix; ``linear_stacks`` finds such runs and
``fix_linear_stack`` gives them relu. The texts say why, for a beginner.

>>> from core.presets import DENSE_ONLY
>>> from core.shapes import trace
>>> lesson = dense_on_image(trace(DENSE_ONLY))
>>> lesson.journey[-1], lesson.count
('(28, 28, 2)', 784)
>>> fix_dense_on_image(DENSE_ONLY, lesson).to_url()
'flatten-dense-dense(5)-dense(10,softmax)'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.architecture import Architecture, LayerSpec
from core.shapes import LayerTrace, Shape, Trace, format_shape

FIX_DENSE_LABEL = "Add Flatten first and end with Dense(10, softmax)"
FIX_DENSE_NOTE = "added Flatten and Dense(10, softmax)"
FIX_STACK_NOTE = "gave the hidden Dense layers relu"
LESSON_HEADING = (
    "#### :material/lightbulb: Why this can't classify digits (the notebook's first try)"
)
FLATTEN_FIRST = (
    "**Flatten first.** It unrolls the image into one vector, so every Dense unit sees every pixel."
)


@dataclass(frozen=True)
class DenseOnImage:
    """Dense layers applied to an image-shaped tensor (they act on its last axis only).

    Attributes:
        first: index of the first such Dense layer (Flatten belongs before it).
        journey: the shapes from that layer's input on, e.g. ("(28, 28, 1)", "(28, 28, 10)").
        positions: "28×28", the positions each getting their own tiny classifier.
        count: how many positions (784 for 28×28).
    """

    first: int
    journey: tuple[str, ...]
    positions: str
    count: int


def _unbatched(shape: Shape) -> str:
    return format_shape(shape[1:])


def dense_on_image(t: Trace) -> DenseOnImage | None:
    """The first Dense layer whose input still has rows and columns, if the trace gets that far.

    Args:
        t: a shape trace.

    Returns:
        The lesson's facts, or None when every Dense layer sees a flat vector (or a layer
        before the first image-shaped Dense breaks).
    """
    before = t.input_shape
    for layer in t.layers:
        if layer.status != "ok":
            return None
        if layer.spec.kind == "Dense" and len(before) > 2:
            rest = [_unbatched(x.output_shape) for x in t.layers[layer.index :] if x.status == "ok"]
            grid = [int(d) for d in before[1:-1]]  # type: ignore[arg-type]
            positions = "×".join(map(str, grid))
            return DenseOnImage(
                layer.index, (_unbatched(before), *rest), positions, math.prod(grid)
            )
        before = layer.output_shape  # type: ignore[assignment]
    return None


def fix_dense_on_image(arch: Architecture, lesson: DenseOnImage) -> Architecture:
    """Flatten before the first Dense, and a Dense(10, softmax) at the end (replacing a last Dense)."""
    fixed = arch.insert(lesson.first, LayerSpec.make("Flatten"))
    out = LayerSpec.make("Dense", units=10, activation="softmax")
    if fixed.layers[-1].kind == "Dense":
        return fixed.replace_layer(len(fixed) - 1, out)
    return fixed.append(out)


def _nbsp(text: str) -> str:
    """Keeps a shape such as ``(28, 28, 1)`` on one line."""
    return text.replace(" ", "\u00a0")


def dense_on_image_text(lesson: DenseOnImage) -> str:
    """Why Dense layers on an image cannot classify it, in Markdown.

    >>> text = dense_on_image_text(DenseOnImage(0, ("(28, 28, 1)", "(28, 28, 2)"), "28×28", 784))
    >>> "784 pixel positions" in text
    True
    """
    shapes = " → ".join(f"`{_nbsp(s)}`" for s in lesson.journey)
    return (
        f"**Dense works on the last axis only.** The shapes go {shapes}: still an image. Each of the "
        f"{lesson.positions} = {lesson.count:,} pixel positions gets its own tiny classifier "
        "(all sharing the same weights) that sees only the values at that one position, "
        "so the network never looks at the digit as a whole, and its answer is not one "
        f"vector of shape `(10,)` but `{_nbsp(lesson.journey[-1])}`."
    )


@dataclass(frozen=True)
class LinearStack:
    """Consecutive Dense layers with no activation between them: together, one matrix.

    Attributes:
        start: index of the first Dense layer of the run.
        stop: index of the last one (its own activation may bend, the ones before don't).
        dims: (inputs, units of each layer), e.g. (1, 10, 5, 2).
        params: the parameters the run has.
        activation: the last layer's activation, applied after the one matrix.
    """

    start: int
    stop: int
    dims: tuple[int, ...]
    params: int
    activation: str = "linear"

    @property
    def layers(self) -> int:
        """How many Dense layers the run has."""
        return self.stop - self.start + 1

    @property
    def single_params(self) -> int:
        """Parameters of the one Dense layer that computes the same thing.

        >>> LinearStack(0, 2, (784, 10, 5, 10), 7_965).single_params
        7850
        """
        return self.dims[0] * self.dims[-1] + self.dims[-1]


def linear_stacks(t: Trace) -> list[LinearStack]:
    """Runs of at least two traced Dense layers where all but the last are linear.

    Args:
        t: a shape trace; the search stops at the first layer that breaks.

    Returns:
        The runs, first to last.
    """
    runs: list[LinearStack] = []
    current: list[LayerTrace] = []
    before = t.input_shape
    inputs: dict[int, int] = {}
    for layer in t.layers:
        if layer.status != "ok":
            break
        if layer.spec.kind == "Dense":
            inputs[layer.index] = int(before[-1])  # type: ignore[arg-type]
            current.append(layer)
        if layer.spec.kind != "Dense" or layer.spec.params["activation"] != "linear":
            runs += _close(current, inputs)
            current = []
        before = layer.output_shape  # type: ignore[assignment]
    return runs + _close(current, inputs)


def _close(run: list[LayerTrace], inputs: dict[int, int]) -> list[LinearStack]:
    if len(run) < 2:
        return []
    dims = (inputs[run[0].index], *(x.spec.params["units"] for x in run))
    last = run[-1].spec.params["activation"]
    return [LinearStack(run[0].index, run[-1].index, dims, sum(x.params for x in run), last)]


def fix_linear_stack(arch: Architecture, stack: LinearStack) -> Architecture:
    """Gives every Dense layer of the run but the last a relu, so they no longer collapse."""
    for i in range(stack.start, stack.stop):
        arch = arch.replace_layer(i, arch.layers[i].with_params(activation="relu"))
    return arch


def fix_stack_label(stack: LinearStack) -> str:
    """The fix button's words, naming the layers (1-based) that get a relu.

    >>> fix_stack_label(LinearStack(1, 3, (784, 10, 5, 10), 7_965, "softmax"))
    'Give layers 2–3 a relu so they stay separate'
    """
    first, last = stack.start + 1, stack.stop
    which = f"layer {first}" if first == last else f"layers {first}–{last}"
    return f"Give {which} a relu so they stay separate"
