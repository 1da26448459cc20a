"""Predict first: the Lesson's questions with a number to find, answered from the traced architecture.

Each question's answer and its one line of arithmetic come from ``core.shapes.trace`` of the model
the step talks about (the Dense-only try, the notebook CNN), never from a typed-in number.
``check`` reads a learner's guess in any reasonable spelling and says right or wrong.

>>> q = for_step("flatten")
>>> q.answer_text, q.working
('3,136', 'Flatten lays the maps end to end: 7 · 7 · 64 = 3,136 numbers.')
>>> check(q, "3136").right, check(q, "(None, 3,136)").right, check(q, "7x7x64").right
(True, True, False)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from core.architecture import Architecture
from core.presets import DENSE_ONLY, NOTEBOOK_CNN
from core.shapes import LayerTrace, Shape, Trace, trace

SHAPE, COUNT = "shape", "count"  # a question asks for a shape, or for one whole number
SHAPE_EXAMPLE = "a shape, e.g. (5, 5, 3)"  # the input's placeholder: never an answer
COUNT_EXAMPLE = "a whole number, e.g. 1,000"
MAX_GUESS = 60  # characters read of a guess
MAX_AXES = 6
_THOUSANDS = re.compile(r"\d{1,3}(?:[,'_ \u00a0\u202f]\d{3})+")  # 3,136 · 3 136 · 1_676_266
_TIMES = re.compile(r"(?<=\d)\s*[x×*X]\s*(?=\d)")  # 14x14x32, 14 × 14 × 32
_LEADING_BATCH = re.compile(r"^(?:none|batch|\?)\s*[,;]?\s*", re.IGNORECASE)  # left out
_UNITS = {"params", "parameters", "weights", "numbers", "values", "units"}  # "320 parameters"


class GuessError(ValueError):
    """A guess that is not a number or a shape; ``str(err)`` is a short message for the learner."""


@dataclass(frozen=True)
class Question:
    """One question of a Lesson step.

    Attributes:
        id: stable, e.g. ``"pooling.shape"`` (the room's answers are kept under it).
        step_id: the Lesson step it belongs to (``core.lesson.Step.id``).
        prompt: the question, in Markdown.
        kind: SHAPE or COUNT.
        answer: the shape without the batch axis, or ``(count,)``.
        working: the one line of arithmetic that gives the answer.
        example: how to type an answer (a placeholder; never the answer itself).
        arch: the architecture it was computed from.
        layer: the index of the layer whose output (or parameter count) it asks for.
    """

    id: str
    step_id: str
    prompt: str
    kind: str
    answer: tuple[int, ...]
    working: str
    example: str
    arch: Architecture
    layer: int

    @property
    def answer_text(self) -> str:
        """The answer as the page writes it: ``(14, 14, 32)``, or ``3,136`` for a count or a vector."""
        return show(self.answer)


@dataclass(frozen=True)
class Verdict:
    """A checked guess.

    Attributes:
        guess: what was read, batch axis left out.
        right: whether it is the answer.
        text: the guess in the page's spelling (what the room's board counts).
        message: one sentence for the learner.
    """

    guess: tuple[int, ...]
    right: bool
    text: str
    message: str


def show(values: tuple[int, ...]) -> str:
    """``(14, 14, 32)`` for a shape, ``3,136`` for one number.

    >>> show((14, 14, 32)), show((3136,))
    ('(14, 14, 32)', '3,136')
    """
    return f"{values[0]:,}" if len(values) == 1 else "(" + ", ".join(map(str, values)) + ")"


def _dims(shape: Shape | None) -> tuple[int, ...]:
    return tuple(int(d) for d in (shape or ())[1:])  # type: ignore[arg-type]


def _by(a: tuple[int, ...]) -> str:
    return " × ".join(map(str, a))


def _before(t: Trace, layer: LayerTrace) -> tuple[int, ...]:
    return _dims(t.input_shape if layer.index == 0 else t.layers[layer.index - 1].output_shape)


def _first(t: Trace, kind: str) -> LayerTrace:
    index = t.arch.first(kind)
    if index is None or t.layers[index].status != "ok":
        raise ValueError(f"the architecture has no working {kind} layer to ask about")
    return t.layers[index]


def _ask(
    id_: str,
    kind: str,
    answer: tuple[int, ...],
    prompt: str,
    working: str,
    arch: Architecture,
    layer: int,
) -> Question:
    example = SHAPE_EXAMPLE if len(answer) > 1 else COUNT_EXAMPLE  # Flatten's vector: a number
    return Question(id_, id_.split(".")[0], prompt, kind, answer, working, example, arch, layer)


def _dense_only(arch: Architecture) -> Question:
    t = trace(arch)
    last = t.layers[-1]
    units = [str(x.spec.params["units"]) for x in t.layers if x.spec.kind == "Dense"]
    units_text = ", ".join(units[:-1]) + f" and {units[-1]}" if len(units) > 1 else units[0]
    chain = " → ".join(show(_dims(s)) for s in [t.input_shape] + [x.output_shape for x in t.layers])
    prompt = (
        f"The Dense-only model (Dense layers of {units_text} units) gets one "
        f"{_by(_dims(t.input_shape))} picture. **What shape comes out?**"
    )
    working = f"Dense changes only the last axis: {chain}."
    return _ask(
        "dense-only.shape", SHAPE, _dims(last.output_shape), prompt, working, arch, last.index
    )


def _conv_params(arch: Architecture) -> Question:
    t = trace(arch)
    conv = _first(t, "Conv2D")
    n, channels, size = (
        conv.spec.params["filters"],
        _before(t, conv)[-1],
        conv.spec.params["kernel_size"],
    )
    kh, kw = (size, size) if isinstance(size, int) else size
    prompt = (
        f"The first Conv2D has {n} filters of {kh} × {kw} on a {channels}-channel input, and "
        "each filter adds a bias. **How many parameters does it learn?**"
    )
    working = (
        f"Each of the {n} filters has {kh} · {kw} · {channels} weights and 1 bias: {conv.formula}."
    )
    return _ask("convolution.params", COUNT, (conv.params,), prompt, working, arch, conv.index)


def _pool_shape(arch: Architecture) -> Question:
    t = trace(arch)
    pool = _first(t, "MaxPooling2D")
    before, after = _before(t, pool), _dims(pool.output_shape)
    prompt = (
        f"The first MaxPooling2D gets {before[-1]} maps of {_by(before[:2])}. "
        "**What shape comes out?**"
    )
    size, stride = pool.spec.params["pool_size"], pool.spec.params["strides"]
    sides = sorted({(b, a) for b, a in zip(before[:2], after[:2], strict=True)})
    exact = (
        isinstance(size, int) and stride in (None, size) and pool.spec.params["padding"] == "valid"
    )
    exact = exact and all(b == a * size for b, a in sides)  # the notebook's 2 × 2: halves
    shrink = " and ".join(f"{b} ÷ {size} = {a}" if exact else f"{b} → {a}" for b, a in sides)
    working = (
        f"Pooling shrinks the height and width ({shrink}) and keeps the {after[-1]} maps: "
        f"{show(before)} → {show(after)}."
    )
    return _ask("pooling.shape", SHAPE, after, prompt, working, arch, pool.index)


def _flatten_length(arch: Architecture) -> Question:
    t = trace(arch)
    flat = _first(t, "Flatten")
    before, after = _before(t, flat), _dims(flat.output_shape)
    prompt = (
        f"After the last pooling there are {before[-1]} maps of {_by(before[:-1])}. "
        "**How many numbers does Flatten turn them into?**"
    )
    working = (
        f"Flatten lays the maps end to end: {' · '.join(map(str, before))} = {after[0]:,} numbers."
    )
    return _ask("flatten.length", SHAPE, after, prompt, working, arch, flat.index)


@lru_cache(maxsize=4)
def questions(
    dense: Architecture = DENSE_ONLY, cnn: Architecture = NOTEBOOK_CNN
) -> tuple[Question, ...]:
    """The Lesson's four questions, in step order, computed from the two architectures it shows."""
    return (_dense_only(dense), _conv_params(cnn), _pool_shape(cnn), _flatten_length(cnn))


def for_step(step_id: str) -> Question | None:
    """The question of Lesson step ``step_id``, or None when the step has none."""
    return next((q for q in questions() if q.step_id == step_id), None)


def by_id(question_id: str) -> Question | None:
    """The question with this id (the room's board names questions by id), or None."""
    return next((q for q in questions() if q.id == question_id), None)


def parse_guess(text: str, kind: str = SHAPE) -> tuple[int, ...]:
    """The whole numbers a guess names, a leading batch axis (``None``) left out.

    Args:
        text: what the learner typed: ``3136``, ``3,136``, ``(14, 14, 32)``, ``14x14x32``,
            ``None, 14, 14, 32``, ``[28 28 2]``, ``320 parameters``...
        kind: COUNT asks for exactly one number.

    Raises:
        GuessError: empty, too long, not whole numbers, or several numbers for a count.

    >>> parse_guess("None, 14, 14, 32"), parse_guess("14×14×32"), parse_guess("1_676_266", COUNT)
    ((14, 14, 32), (14, 14, 32), (1676266,))
    >>> parse_guess("three")
    Traceback (most recent call last):
    ...
    core.quiz.GuessError: Type numbers, such as 320 or (14, 14, 32); “three” is not one.
    """
    raw = str(text).strip()
    if not raw:
        raise GuessError("Type a guess first, or show the answer.")
    if len(raw) > MAX_GUESS:
        raise GuessError(f"That is too long for an answer: at most {MAX_GUESS} characters.")
    inner = _LEADING_BATCH.sub("", raw.strip("()[]{} ")).strip()
    words = inner.rsplit(None, 1)
    if len(words) == 2 and words[1].lower() in _UNITS:
        inner = words[0]
    if _THOUSANDS.fullmatch(inner):
        return (int(re.sub(r"\D", "", inner)),)
    items = [s for s in re.split(r"[\s,;]+", _TIMES.sub(",", inner)) if s]
    bad = next((s for s in items if not (s.isascii() and s.isdigit())), None)
    if bad is not None or not items:
        shown = "".join(c for c in (bad or raw)[:20] if c.isprintable())
        raise GuessError(f"Type numbers, such as 320 or (14, 14, 32); “{shown}” is not one.")
    if len(items) > MAX_AXES or any(len(s) > 12 for s in items):
        raise GuessError("That is too large for an answer here.")
    if kind == COUNT and len(items) != 1:
        raise GuessError("This question asks for one number, such as 1,000.")
    return tuple(int(s) for s in items)


def check(question: Question, text: str) -> Verdict:
    """Reads ``text`` and says whether it is ``question``'s answer, in one sentence.

    Raises:
        GuessError: as :func:`parse_guess` (nothing is judged then).

    >>> check(for_step("dense-only"), "2").message
    'Not quite: you said 2; it is (28, 28, 2).'
    """
    guess = parse_guess(text, question.kind)
    said = show(guess)
    if guess == question.answer:
        return Verdict(guess, True, said, f"Right: {question.answer_text}.")
    message = f"Not quite: you said {said}; it is {question.answer_text}."
    if len(guess) != len(question.answer) and math.prod(guess) == math.prod(question.answer):
        message += " Same count of numbers, arranged differently."
    return Verdict(guess, False, said, message)
