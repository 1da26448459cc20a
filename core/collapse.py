"""Two stacked linear layers are one: the identity checked on small matrices, and the words for it.

The check never allocates at the user's layer sizes: a shared link can ask for a
401,408 × 4,096 Dense layer, and multiplying random matrices of that size would cost gigabytes
per rerun. The identity (x·W1 + b1)·W2 + b2 = x·(W1·W2) + (b1·W2 + b2) does not depend on the
sizes, so it is shown on ``SIZE`` × ``SIZE`` matrices, one per layer of the run, and the text
says so.

>>> gap(3) < 1e-12
True
>>> from core.build_lessons import LinearStack
>>> single_matrix(LinearStack(0, 2, (1, 10, 5, 2), 87))
(1, 2)
"""

from __future__ import annotations

import numpy as np

from core.build_lessons import LinearStack

SIZE = 8  # side of the stand-in matrices
_SAMPLES = 4  # random inputs run through both ways


def gap(layers: int, size: int = SIZE, seed: int = 0) -> float:
    """Runs ``layers`` random size×size linear layers (biases included) one after the other,
    and the one layer they multiply into, on the same random inputs.

    Args:
        layers: how many linear layers are stacked (at least 1).
        size: side of each stand-in weight matrix; memory is ``layers · size²`` numbers.
        seed: seed of the random weights and inputs.

    Returns:
        The largest difference between the two ways: rounding error only (about 1e-15). The
        weights have a standard deviation of 1/√size, as Keras's initialisers give, so the
        outputs stay near 1 however many layers are stacked.
    """
    rng = np.random.default_rng(seed)
    weights = [rng.normal(scale=size**-0.5, size=(size, size)) for _ in range(layers)]
    biases = [rng.normal(size=size) for _ in range(layers)]
    x = rng.normal(size=(_SAMPLES, size))
    step = x
    for w, b in zip(weights, biases, strict=True):
        step = step @ w + b
    w_all, b_all = weights[0], biases[0]
    for w, b in zip(weights[1:], biases[1:], strict=True):
        w_all, b_all = w_all @ w, b_all @ w + b
    return float(np.max(np.abs(step - (x @ w_all + b_all))))


def single_matrix(stack: LinearStack) -> tuple[int, int]:
    """The shape of the one weight matrix the run's matrices multiply into (inputs × last units)."""
    return stack.dims[0], stack.dims[-1]


def factors(stack: LinearStack, names: bool = True) -> str:
    """The run's weight matrices, e.g. ``W1 (1×10) · W2 (10×5) · W3 (5×2)``.

    >>> factors(LinearStack(0, 1, (784, 10, 5), 7_905), names=False)
    '784×10 · 10×5'
    """
    pairs = zip(stack.dims[:-1], stack.dims[1:], strict=True)
    sizes = [f"{a}×{b}" for a, b in pairs]
    return " · ".join(f"W{i + 1} ({s})" if names else s for i, s in enumerate(sizes))


def checked(layers: int) -> str:
    """The sentence saying how the identity was checked: on small stand-in matrices, not the real sizes.

    >>> checked(2).startswith("Checked on 2 random 8×8 layers with biases")
    True
    """
    return (
        f"Checked on {layers} random {SIZE}×{SIZE} layers with biases, small stand-ins for these: "
        "the identity holds at any size. One after the other or as one matrix, the outputs "
        f"differ by at most {gap(layers):.0e}."
    )


def collapse_text(stack: LinearStack) -> str:
    """The Build page's note: these Dense layers are one, with the parameters that costs.

    >>> text = collapse_text(LinearStack(0, 2, (1, 10, 5, 2), 87))
    >>> "W1 (1×10) · W2 (10×5) · W3 (5×2) = one 1×2 matrix" in text
    True
    """
    rows, cols = single_matrix(stack)
    last = stack.activation
    single = f"Dense({stack.dims[-1]}{'' if last == 'linear' else ', ' + last})"
    then = "" if last == "linear" else f" (then the last one's {last})"
    return (
        f"**Without activations in between, {stack.layers} Dense layers are one.** "
        f"Layers {stack.start + 1}–{stack.stop + 1} only multiply and add{then}, so "
        f"{factors(stack)} = one {rows}×{cols} matrix: the same as a single {single} with "
        f"{stack.single_params:,} parameters instead of {stack.params:,}. ({checked(stack.layers)})"
    )


def lesson_text(stack: LinearStack) -> str:
    """The Lesson's shorter note on the same collapse (step 3, Dense only).

    >>> lesson_text(LinearStack(0, 2, (1, 10, 5, 2), 87)).startswith("**The collapse:** weight")
    True
    """
    rows, cols = single_matrix(stack)
    return (
        f"**The collapse:** weight matrices {factors(stack, names=False)} multiply into one "
        f"{rows}×{cols} matrix. {checked(stack.layers)}"
    )
