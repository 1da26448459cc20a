"""The guided lesson as plain data: eleven steps in the notebook's order, and its URL values.

Each step says what it is about in a few sentences of our own, which page of the app shows the
same thing in full, and which Keras 1 → Keras 3 pairs (``core.keras_history``) belong to it.
The page (``pages/lesson.py``) draws the live figure beside the text; nothing here imports
Streamlit or Keras.

>>> STEPS[3].id, STEPS[3].page
('normalise', 'pages/data.py')
>>> parse_step("4"), parse_step("abc")[0]
((4, None), 1)
"""

from __future__ import annotations

from dataclasses import dataclass

from core.text import clip

URL_STEP = "step"
URL_PRESENT = "present"


@dataclass(frozen=True)
class Step:
    """One step of the lesson.

    Attributes:
        number: 1-based position, also the value of ``?step=``.
        id: a stable name, e.g. ``"normalise"``.
        label: a word or two for the step selector.
        title: the step's heading.
        text: a short explanation in Markdown (our own words).
        page: the page file that shows this in full, e.g. ``"pages/build.py"``.
        page_label: what that page is called in the navigation.
    """

    number: int
    id: str
    label: str
    title: str
    text: str
    page: str
    page_label: str


_STEPS = (
    ("data", "Data", "The data and its shapes", "pages/data.py", "MNIST at a glance",
     "MNIST holds 70,000 small pictures of handwritten digits: 60,000 to learn from and 10,000 "
     "to test on. Each picture is a 28 × 28 grid of numbers from 0 (black) to 255 (white), so "
     "the training pictures are one array of shape **(60000, 28, 28)**.\n\n"
     "Convolution layers also expect a *channel* axis (3 for colour, 1 for grey). Adding it "
     "gives **(60000, 28, 28, 1)**: the network sees one grey picture of 28 × 28 pixels at a time."),
    ("one-hot", "One-hot", "Labels as one-hot vectors", "pages/data.py", "MNIST at a glance",
     "Each picture comes with its digit, a single number such as 5. The network will answer "
     "with **ten numbers**, one per digit, so the label is rewritten in that shape: a 1 in the "
     "slot of the right digit and 0 in the nine others.\n\n"
     "Training then pushes the network's ten outputs towards this target."),
    ("dense-only", "Dense only", "A first try: Dense layers alone", "pages/build.py", "Build",
     "The simplest model is a stack of **Dense** layers: 10, then 5, then 2 units. On a "
     "28 × 28 picture it fails twice.\n\n"
     "**It never sees the whole digit.** A Dense layer works along the last axis only, so each "
     "row of pixels is treated on its own and the picture keeps its rows: the output is still "
     "a grid, not one answer.\n\n"
     "**Stacked Dense layers without an activation are just one.** Each only multiplies and "
     "adds, and a chain of multiplications is one multiplication: three layers can learn no "
     "more than a single one. Something non-linear must sit between them."),
    ("normalise", "Normalise", "Normalising the inputs", "pages/data.py", "MNIST at a glance",
     "Networks learn more steadily from numbers centred on 0 with a spread of about 1 than "
     "from pixels running up to 255. So every pixel is shifted by the **mean** pixel value and "
     "divided by the **standard deviation** (the typical distance from the mean).\n\n"
     "The notebook slipped here: it set *both* of its variables to the mean, so it divided by "
     "the mean instead of the standard deviation. The inputs then stretch over a range more "
     "than twice as wide. It still trains, but not for the reason given. This app divides by "
     "the standard deviation."),
    ("convolution", "Convolution", "Padding and convolution", "pages/inside.py", "Look inside",
     "A **convolution** slides a small 3 × 3 filter over the picture. At each position it "
     "multiplies the nine pixels under it by the filter's nine weights and adds them up: one "
     "number per position, large where the picture looks like the filter (an edge, a stroke "
     "end).\n\n"
     "At the border the filter would hang off the picture, so **zero padding** first adds a "
     "one-pixel frame of zeros: 28 × 28 becomes 30 × 30, and the 3 × 3 filter then gives "
     "28 × 28 again. With 32 filters, one picture becomes 32 *feature maps*."),
    ("relu", "ReLU", "ReLU: keep the positives", "pages/inside.py", "Look inside",
     "After the multiply-and-add comes an **activation**. ReLU is the simplest: negative "
     "numbers become 0, positive ones pass unchanged, `max(0, x)`.\n\n"
     "That small bend is what Dense-only stacks lacked: with it, layers no longer collapse "
     "into one, and each filter reports only where its pattern *is* present."),
    ("pooling", "Pooling", "Max pooling, and why filters double", "pages/inside.py", "Look inside",
     "**Max pooling** keeps the largest value of each 2 × 2 square, halving the height and "
     "width. The maps are cheaper to process, and a 3 × 3 filter in the next layer now covers "
     "a larger part of the digit, so it can react to bigger shapes such as loops and corners.\n\n"
     "Pooling keeps only a quarter of the numbers, so the next block uses **twice as many "
     "filters** (32 → 64) to describe more kinds of pattern. It only half compensates: the "
     "numbers per picture still shrink from block to block."),
    ("flatten", "Flatten", "Flatten: from maps to one vector", "pages/inside.py", "Look inside",
     "After two blocks the digit is 64 maps of 7 × 7. **Flatten** lays them end to end as one "
     "long vector: 64 · 7 · 7 = **3,136** numbers.\n\n"
     "Nothing is learnt here and nothing is lost; it only changes the shape so that Dense "
     "layers, which want a vector, can look at every position at once."),
    ("softmax", "Softmax", "Dense layers and softmax", "pages/inside.py", "Look inside",
     "A **Dense** layer of 512 units mixes all 3,136 numbers into 512 new ones. A last Dense "
     "layer gives **10** numbers, one per digit.\n\n"
     "**Softmax** turns those ten into probabilities: all positive, adding up to 1. The "
     "largest is the network's answer, and its size says how sure the network is."),
    ("training", "Training", "Training with SGD", "pages/train.py", "Train",
     "Training shows the network a **batch** of 32 pictures, measures how far its answers are "
     "from the one-hot labels (the *loss*), and nudges every weight a little in the direction "
     "that lowers it. That is **stochastic gradient descent** (SGD).\n\n"
     "One pass over the 60,000 pictures is an *epoch* (1,875 batches of 32). The notebook "
     "trained for **3 epochs** and reached about **98–99 %** accuracy on test pictures it had "
     "never seen."),
    ("draw", "Draw", "Draw a digit", "pages/draw.py", "Draw",
     "The real test: your own handwriting. A drawing is cropped, shrunk into 20 × 20 and "
     "centred in 28 × 28, the way MNIST's pictures were made, and then goes through the same "
     "layers you have just met.\n\n"
     "Draw a few digits, including sloppy ones, and see when the network is sure and when it "
     "hesitates."),
)  # fmt: skip  # a table: one step per tuple, its text as written

STEPS: tuple[Step, ...] = tuple(
    Step(n, id_, label, title, text, page, page_label)
    for n, (id_, label, title, page, page_label, text) in enumerate(_STEPS, start=1)
)
FIRST, LAST = 1, len(STEPS)
_MAX_SHOWN = 24  # characters of a bad ?step= value quoted back in the note
STEP_FALLBACK = f"{{error}}, so it starts at step {FIRST}."  # a bad ?step= (core.url_fields)


def step(number: int) -> Step:
    """The step with this 1-based number.

    Raises:
        ValueError: if there is no such step.
    """
    if not FIRST <= number <= LAST:
        raise ValueError(f"steps are numbered {FIRST} to {LAST}; received {number!r}")
    return STEPS[number - 1]


def step_number(text: str) -> int:
    """The step a ``?step=`` text names: a whole number from FIRST to LAST.

    Raises:
        ValueError: for anything else (not a whole number, out of range, huge), with a note
            that quotes the text briefly and printably.

    >>> step_number(" 11 ")
    11
    >>> step_number("0")
    Traceback (most recent call last):
    ...
    ValueError: There is no step “0”: the lesson has steps 1 to 11
    """
    text = str(text).strip()
    if text.isascii() and text.isdigit() and len(text) <= 3 and FIRST <= int(text) <= LAST:
        return int(text)
    shown = "".join(c for c in clip(text, _MAX_SHOWN) if c.isprintable())
    raise ValueError(f"There is no step “{shown}”: the lesson has steps {FIRST} to {LAST}")


def parse_step(raw: object) -> tuple[int, str | None]:
    """The step a ``?step=`` value asks for, and a note when it cannot be used.

    Args:
        raw: the query-string value (a str), or None when there is none.

    Returns:
        (number, None) for a valid value; (1, note) for anything else: not a whole number, out
        of range, huge. None (no value) gives (1, None).

    >>> parse_step("11")
    (11, None)
    >>> parse_step("0")[1]
    'There is no step “0”: the lesson has steps 1 to 11, so it starts at step 1.'
    """
    if raw is None:
        return FIRST, None
    try:
        return step_number(str(raw)), None
    except ValueError as err:
        return FIRST, STEP_FALLBACK.format(error=err)


def parse_present(raw: object) -> bool:
    """True when ``?present=`` asks for presentation mode (``1``, ``true``, ``yes``, ``on``).

    Anything else is False: a bad value falls back to the normal mode, silently.

    >>> parse_present("Yes"), parse_present("2"), parse_present(None)
    (True, False, False)
    """
    return raw is not None and str(raw).strip().lower() in ("1", "true", "yes", "on")
