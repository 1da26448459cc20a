"""MNIST digits traced to pen strokes (tests/strokes.py), and the offline rendering of those strokes.

"Looks like the digit" is measured with ``strokes.overlap`` (the share of each image's ink within
1 px of the other's, the smaller share) between the strokes' rendering and the MNIST digit, both
through ``core.digits``' preprocessing. Plain IoU is no measure here: the canvas's 20 px brush
becomes 2-pixel strokes in 28x28 while MNIST's are 2-4 pixels wide, so a perfect tracing has an
IoU of about 0.6 (measured 0.40-0.77 on the digits below).
"""

from __future__ import annotations

import numpy as np
import pytest

from core import digits, predict
from core.data import load_mnist
from core.pixels import ink_box
from tests import strokes

ONE, ZERO = 3, 1  # MNIST's first training "1" and "0"
REPLAY_CLASSES = (1, 2, 3, 4, 5, 7, 8)
LOOKS_LIKE = 0.9  # overlap of each chosen digit's rendering with the digit (measured 0.93-1.0)
# Over the first 100 training digits (bold blobs trace badly): median 0.97, 10th percentile 0.87.
MOST_LOOK_LIKE = (90, 0.8)  # at least 90 of the first 100 reach 0.8


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def _components(mask: np.ndarray, diagonal: bool) -> int:
    """How many connected groups of True pixels (8-connected if ``diagonal``, else 4)."""
    steps = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy or dx)]
    steps = steps if diagonal else [(dy, dx) for dy, dx in steps if not (dy and dx)]
    left, count = {tuple(p) for p in np.argwhere(mask)}, 0
    while left:
        todo, count = [left.pop()], count + 1
        while todo:
            y, x = todo.pop()
            near = {(y + dy, x + dx) for dy, dx in steps} & left
            left -= near
            todo += near
    return count


def _neighbour_counts(skeleton: np.ndarray) -> list[int]:
    padded = np.pad(skeleton, 1)
    return sorted(int(padded[y : y + 3, x : x + 3].sum()) - 1 for y, x in np.argwhere(skeleton))


def test_a_one_thins_to_a_single_open_line(mnist):
    ink = mnist.x_train[ONE] > strokes.INK
    skeleton = strokes.zhang_suen(ink)
    assert not (skeleton & ~ink).any(), "the skeleton leaves the ink"
    assert _components(skeleton, diagonal=True) == 1
    # 1 px wide: two ends with one neighbour, every other pixel exactly two (no 2x2 block, no stair)
    assert _neighbour_counts(skeleton) == [1, 1] + [2] * (int(skeleton.sum()) - 2)
    assert skeleton.sum() >= 15  # it runs the digit's length (20 rows of ink)


def test_a_zero_thins_to_a_single_closed_loop(mnist):
    ink = mnist.x_train[ZERO] > strokes.INK
    skeleton = strokes.zhang_suen(ink)
    assert not (skeleton & ~ink).any()
    assert _components(skeleton, diagonal=True) == 1
    assert _neighbour_counts(skeleton) == [2] * int(skeleton.sum())  # a loop, 1 px wide
    assert _components(~skeleton, diagonal=False) == 2  # it still encloses the hole


def test_thick_bars_thin_to_one_pixel_lines():
    bar = np.zeros((28, 28), bool)
    bar[10:15, 4:24] = True  # 5 px thick, 20 long
    line = strokes.zhang_suen(bar)
    assert _neighbour_counts(line) == [1, 1] + [2] * (int(line.sum()) - 2)
    assert line.sum() >= 14 and line[12, 8:20].all()  # along the bar's middle row
    slope = np.zeros((28, 28), bool)
    for x in range(4, 24):
        slope[x // 2 + 4 : x // 2 + 7, x] = True  # 3 px thick, 1 down per 2 across
    skeleton = strokes.zhang_suen(slope)  # Zhang–Suen alone leaves its steps 2 px thick
    assert _neighbour_counts(skeleton) == [1, 1] + [2] * (int(skeleton.sum()) - 2)
    assert _components(skeleton, diagonal=True) == 1


def _pixels(pen: list[strokes.Stroke]) -> np.ndarray:
    """The strokes' points back in MNIST pixels (row, column)."""
    return np.array([(y / strokes.SCALE - 0.5, x / strokes.SCALE - 0.5) for s in pen for x, y in s])


COVER_CASES = [(ONE, 1), (ZERO, 1), *((i, strokes.SPUR) for i in strokes.REPLAY)]


@pytest.mark.parametrize(("index", "slack"), COVER_CASES)
def test_the_strokes_cover_the_skeleton_and_stay_on_the_ink(mnist, index, slack):
    """Every skeleton pixel is on a stroke (within ``slack`` px: spurs are dropped), and back."""
    image = mnist.x_train[index]
    skeleton = np.argwhere(strokes.zhang_suen(image > strokes.INK))
    points = _pixels(strokes.trace(image))
    far = np.hypot(*(skeleton[:, None, :] - points[None, :, :]).transpose(2, 0, 1)).min(axis=1)
    assert far.max() <= slack, f"skeleton pixels {skeleton[far > slack].tolist()} are on no stroke"
    ink = np.argwhere(image > strokes.INK)
    off = np.hypot(*(points[:, None, :] - ink[None, :, :]).transpose(2, 0, 1)).min(axis=1)
    assert off.max() <= 1.0, "a stroke leaves the digit's ink"


def test_a_one_and_a_zero_are_one_stroke_each_and_the_zero_closes(mnist):
    one, zero = strokes.trace(mnist.x_train[ONE]), strokes.trace(mnist.x_train[ZERO])
    assert len(one) == len(zero) == 1
    assert zero[0][0] == zero[0][-1]
    assert one[0][0][1] < one[0][-1][1], "a 1 is drawn from the top down"


@pytest.mark.parametrize("index", [ONE, ZERO, *strokes.REPLAY])
def test_the_offline_rendering_looks_like_the_digit(mnist, index):
    image = mnist.x_train[index]
    drawn = strokes.prepared(strokes.trace(image)).image
    assert strokes.overlap(drawn, digits.prepare(image).image) >= LOOKS_LIKE


def test_most_digits_traced_look_like_themselves(mnist):
    scores = [
        strokes.overlap(strokes.prepared(strokes.trace(x)).image, digits.prepare(x).image)
        for x in mnist.x_train[:100]
    ]
    count, level = MOST_LOOK_LIKE
    assert sum(s >= level for s in scores) >= count, sorted(scores)[:15]


def test_tracing_and_rendering_are_deterministic(mnist):
    for index in (ZERO, *strokes.REPLAY):
        image = mnist.x_train[index]
        pen = strokes.trace(image)
        assert strokes.trace(image.copy()) == pen
        assert np.array_equal(strokes.render(pen), strokes.render(strokes.trace(image)))


def test_the_brush_paints_its_width():
    rgba = strokes.render([[(40.0, 140.0), (240.0, 140.0)]])
    assert rgba.shape == (strokes.CANVAS, strokes.CANVAS, 4) and (rgba[..., :3] == 255).all()
    r = strokes.BRUSH // 2  # round caps: the line plus the brush's radius all round
    assert ink_box(digits.canvas_to_grey(rgba)) == (140 - r, 140 + r, 40 - r, 240 + r)
    assert rgba[140, 140, 3] == 255 and rgba[140 - r - 2, 140, 3] == 0


def test_resample_spaces_the_mouse_evenly_along_the_stroke():
    path = strokes.resample([(0.0, 0.0), (30.0, 0.0), (30.0, 10.0)], 8)
    assert len(path) == 9 and path[0] == (0.0, 0.0) and path[-1] == (30.0, 10.0)
    assert np.allclose(np.hypot(*np.diff(np.array(path), axis=0).T), 5.0)


@pytest.fixture(scope="module")
def pretrained_reads():
    model = predict.load_pretrained().built.model
    return lambda steps: int(np.argmax(predict.probabilities(model, steps.model_input())[0]))


def test_the_replayed_digits_are_the_first_of_their_classes_that_qualify(mnist, pretrained_reads):
    """REPLAY[k]: the first training digit of its class that is ``replayable`` (2-4 strokes, each
    with pixels of its own) and whose offline rendering the pretrained model reads right."""
    for index, label in zip(strokes.REPLAY, REPLAY_CLASSES, strict=True):
        assert mnist.y_train[index] == label
        first = next(
            int(i)
            for i in np.flatnonzero(mnist.y_train == label)
            if strokes.replayable(mnist.x_train[i])
            and pretrained_reads(strokes.prepared(strokes.trace(mnist.x_train[i]))) == label
        )
        assert first == index, f"the first {label} to replay is training digit {first}"


@pytest.mark.parametrize("index", strokes.REPLAY)
def test_the_check_finds_each_lost_stroke_and_forgives_the_browser(mnist, index):
    """Leave out any one stroke and ``lost`` says so; draw them all a pixel off, or with a brush
    a pixel or two thinner or thicker (as a browser may differ), and it finds nothing lost."""
    pen = strokes.trace(mnist.x_train[index])
    assert strokes.lost(strokes.prepared(pen).image, pen) is None
    for k in range(len(pen)):
        without = strokes.prepared(pen[:k] + pen[k + 1 :]).image
        assert strokes.lost(without, pen), f"stroke {k} of {len(pen)} lost unseen"
    for dx, dy, width in [(1, 0, 20), (0, -1, 20), (0.5, 0.5, 18), (0, 0, 19), (0, 0, 22)]:
        moved = [[(x + dx, y + dy) for x, y in stroke] for stroke in pen]
        assert strokes.lost(strokes.prepared(moved, width).image, pen) is None
