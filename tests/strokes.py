"""MNIST digits as pen strokes on the Draw canvas, and those strokes rendered offline as it would.

NumPy only. ``trace`` thins a 28x28 digit to a 1-pixel skeleton (Zhang–Suen) and walks it into
ordered canvas polylines for a test to draw with the mouse; ``prepared`` paints polylines with the
canvas's brush and runs them through the app's own ``core.digits``, to check what the server got::

    pen = trace(mnist.x_train[i])       # 1-4 polylines of (x, y) canvas pixels
    want = prepared(pen).image          # the 28x28 the model should be given
    lost(received, pen)                 # None when every stroke arrived
"""

from __future__ import annotations

import numpy as np

from core import digits
from core.pixels import FIELD, ink_box, resize_area

CANVAS, BRUSH = digits.CANVAS, digits.BRUSH  # the Draw canvas's side and brush
SCALE = CANVAS / FIELD  # one MNIST pixel in canvas pixels: the digit keeps its place and size
INK = 128  # an MNIST pixel brighter than this is ink when binarising
SPUR = 3  # junction-to-end branches under 3 px are spurs (Zhang–Suen leaves 2 px ones at corners)
MAX_STROKES = 4
STRAIGHT = 0.5  # branches at a junction turning less than 60° (cosine > 0.5) join into one stroke
SEEN = 64  # a 28x28 pixel brighter than this is ink when comparing images
MATCH = 0.9  # overlap of what the server received with the offline rendering, to pass
MIN_OWN = 10  # a replayed stroke inks this many 28x28 pixels no other stroke does, so a loss shows
# Replayed in the browser: per class 1, 2, 3, 4, 5, 7, 8, the first training digit that is
# ``replayable`` and whose rendering the pretrained model reads right (tests/test_strokes.py checks).
REPLAY = (24, 16, 7, 2, 47, 38, 146)
# The 8 neighbours in Zhang–Suen's order P2..P9: N, NE, E, SE, S, SW, W, NW (row, column steps).
RING = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))

Pixel = tuple[int, int]
Stroke = list[tuple[float, float]]


def zhang_suen(binary: np.ndarray) -> np.ndarray:
    """Thin a boolean image to a skeleton (Zhang & Suen 1984), then drop its staircase corners."""
    img = np.pad(np.asarray(binary, bool), 1)
    h, w = img.shape
    changed = True
    while changed:
        changed = False
        for first in (True, False):
            p = np.pad(img, 1).astype(np.uint8)
            n = np.stack([p[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] for dy, dx in RING])
            p2, _, p4, _, p6, _, p8, _ = n
            rises = ((n == 0) & (np.roll(n, -1, axis=0) == 1)).sum(axis=0)  # 0 -> 1 around P2..P9
            a, b = (p2 * p4 * p6, p4 * p6 * p8) if first else (p2 * p4 * p8, p2 * p6 * p8)
            drop = img & (rises == 1) & (a == 0) & (b == 0) & np.isin(n.sum(axis=0), range(2, 7))
            changed |= bool(drop.any())
            img &= ~drop
    return _drop_corners(img)[1:-1, 1:-1]


def _groups(ring: list[bool]) -> int:
    """How many 8-connected groups the set neighbours of a pixel form without it.

    Two 4-neighbours touch across the corner between them, so that corner counts as set.
    """
    on = [v or (i % 2 == 1 and ring[i - 1] and ring[(i + 1) % 8]) for i, v in enumerate(ring)]
    return sum(on[i] and not on[i - 1] for i in range(8)) or int(any(on))


def _drop_corners(img: np.ndarray) -> np.ndarray:
    """Remove each pixel with two 4-neighbours at a right angle whose neighbours stay connected.

    Zhang–Suen leaves such L-shaped corners on diagonal strokes: 2 pixels thick in 8-connectivity.
    """
    img = img.copy()
    for y, x in np.argwhere(img):
        ring = [bool(img[y + dy, x + dx]) for dy, dx in RING]
        if any(ring[i] and ring[(i + 2) % 8] for i in (0, 2, 4, 6)) and _groups(ring) == 1:
            img[y, x] = False
    return img


def _neighbours(img: np.ndarray, p: Pixel) -> list[Pixel]:
    return [(p[0] + dy, p[1] + dx) for dy, dx in RING if img[p[0] + dy, p[1] + dx]]


def _junctions(img: np.ndarray) -> dict[Pixel, int]:
    """Pixels with 3+ neighbours, grouped into junctions by 8-adjacency: pixel -> junction id."""
    pixels = {tuple(p) for p in np.argwhere(img) if len(_neighbours(img, tuple(p))) >= 3}
    ids: dict[Pixel, int] = {}
    for start in sorted(pixels):
        todo, label = [start], len(set(ids.values()))
        while todo:
            p = todo.pop()
            if p not in ids:
                ids[p] = label
                todo += [q for q in _neighbours(img, p) if q in pixels]
    return ids


def _branches(img: np.ndarray) -> list[list]:
    """The skeleton's branches as [pixel path, junction id or None at its start, ... at its end].

    Walks from the free ends first, then from the junctions, then around what is left (loops).
    """
    junction = _junctions(img)
    walked: set[frozenset[Pixel]] = set()
    out = []
    pixels = sorted(tuple(p) for p in np.argwhere(img))
    ends = [p for p in pixels if len(_neighbours(img, p)) == 1]
    for start in ends + sorted(junction) + pixels:
        for q in _neighbours(img, start):
            inside = start in junction and junction.get(q) == junction[start]
            if inside or frozenset((start, q)) in walked:
                continue
            path = [start, q]
            walked.add(frozenset(path))
            while path[-1] not in junction and path[-1] != start:
                step = [
                    r for r in _neighbours(img, path[-1]) if frozenset((path[-1], r)) not in walked
                ]
                if not step:
                    break
                walked.add(frozenset((path[-1], step[0])))
                path.append(step[0])
            out.append([path, junction.get(start), junction.get(path[-1])])
    return out


def _heading(path: list[Pixel], end: int, reach: int = 3) -> np.ndarray:
    """Unit vector from a path's end (0: first pixel, 1: last) ``reach`` pixels into the path."""
    p = np.asarray(path if end == 0 else path[::-1], float)
    return (v := p[min(reach, len(p) - 1)] - p[0]) / max(float(np.hypot(*v)), 1e-9)


def _best_join(branches: list[list]) -> tuple[float, int, int, int, int] | None:
    """(score, i, end of i, k, end of k): the two branch ends at one junction that continue each
    other best (score: cosine of the turn); two ends alone at a junction score 2, whatever turn."""
    at: dict[int, list[tuple[int, int]]] = {}
    for i, (_, a, b) in enumerate(branches):
        for end, j in ((0, a), (1, b)):
            if j is not None:
                at.setdefault(j, []).append((i, end))
    best = None
    for ends in at.values():
        for x, (i, ei) in enumerate(ends):
            for k, ek in ends[x + 1 :]:
                turn = -float(_heading(branches[i][0], ei) @ _heading(branches[k][0], ek))
                score = 2.0 if len(ends) == 2 else turn
                best = max(best or (score, i, ei, k, ek), (score, i, ei, k, ek))
    return best


def _strokes(img: np.ndarray) -> list[list[Pixel]]:
    """The branches minus spurs, joined at junctions (to at most ``MAX_STROKES`` where they can)."""

    def kept(path: list[Pixel], start: int | None, end: int | None) -> bool:
        between = start is not None and end is not None and start != end  # two junctions
        return between or np.hypot(*np.diff(np.asarray(path, float), axis=0).T).sum() >= SPUR

    branches = [b for b in _branches(img) if kept(*b)]
    while (best := _best_join(branches)) and (best[0] > STRAIGHT or len(branches) > MAX_STROKES):
        _, i, ei, k, ek = best
        if i == k:  # a loop closes on itself
            branches[i][1:] = [None, None]
            continue
        first = branches[i][0] if ei == 1 else branches[i][0][::-1]
        then = branches[k][0] if ek == 0 else branches[k][0][::-1]
        joined = [first + then, branches[i][2 - ei], branches[k][2 - ek]]
        branches = [b for n, b in enumerate(branches) if n not in (i, k)] + [joined]
    return [b[0] for b in branches]


def _as_pen(path: list[Pixel]) -> Stroke:
    """Canvas (x, y) of a padded pixel path, lightly smoothed, started where a person starts it."""
    p = np.asarray(path, float)[:, ::-1] - 1  # (x, y), the padding undone
    p[1:-1] = (p[:-2] + 2 * p[1:-1] + p[2:]) / 4
    (x0, y0), (x1, y1) = p[0], p[-1]
    if x1 < x0 if abs(x1 - x0) > abs(y1 - y0) else y1 < y0:
        p = p[::-1]  # mostly across: left to right; mostly down: top to bottom
    return [(float(x), float(y)) for x, y in (p + 0.5) * SCALE]


def trace(image: np.ndarray, level: int = INK) -> list[Stroke]:
    """A 28x28 uint8 MNIST digit as pen strokes on the canvas, in an order a person might draw them.

    Args:
        image: (28, 28) uint8, white ink on black.
        level: pixels brighter than this are ink.

    Returns:
        Polylines of (x, y) canvas pixels, the topmost start first; pixel (row r, column c) of the
        digit becomes canvas point ((c + 0.5) * SCALE, (r + 0.5) * SCALE).
    """
    skeleton = np.pad(zhang_suen(np.asarray(image) > level), 1)
    pens = [_as_pen(path) for path in _strokes(skeleton)]
    return sorted(pens, key=lambda pen: (pen[0][1], pen[0][0]))


def resample(stroke: Stroke, moves: int) -> Stroke:
    """``moves + 1`` points evenly spaced along a polyline, both ends kept (a mouse path)."""
    p = np.asarray(stroke, float)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(p, axis=0).T))])
    at = np.linspace(0.0, along[-1], moves + 1)
    xs, ys = np.interp(at, along, p[:, 0]), np.interp(at, along, p[:, 1])
    return list(zip(xs.tolist(), ys.tolist(), strict=True))


def render(strokes: list[Stroke], width: float = BRUSH, size: int = CANVAS) -> np.ndarray:
    """(size, size, 4) uint8 RGBA as the canvas sends it: white ink, anti-aliased, clear elsewhere.

    Each stroke is a round-capped, round-joined line of ``width`` through its points; a pixel's
    alpha is the share of it the line covers, from its centre's distance to the line.
    """
    cover = np.zeros((size, size))
    r = width / 2
    for stroke in strokes:
        p = np.asarray(stroke, float).reshape(-1, 2)
        pairs = zip(p[:-1], p[1:], strict=True) if len(p) > 1 else [(p[0], p[0])]
        for (ax, ay), (bx, by) in pairs:
            x0, x1 = max(0, int(min(ax, bx) - r - 1)), min(size, int(max(ax, bx) + r + 2))
            y0, y1 = max(0, int(min(ay, by) - r - 1)), min(size, int(max(ay, by) + r + 2))
            yy, xx = np.mgrid[y0:y1, x0:x1] + 0.5
            dx, dy = bx - ax, by - ay
            t = np.clip(((xx - ax) * dx + (yy - ay) * dy) / max(dx * dx + dy * dy, 1e-12), 0, 1)
            d = np.hypot(xx - ax - t * dx, yy - ay - t * dy)
            cover[y0:y1, x0:x1] = np.maximum(cover[y0:y1, x0:x1], np.clip(r + 0.5 - d, 0, 1))
    alpha = np.rint(cover * 255).astype(np.uint8)
    return np.dstack([np.full((size, size, 3), 255, np.uint8), alpha])


def prepared(strokes: list[Stroke], width: float = BRUSH) -> digits.Steps:
    """The strokes rendered offline and made into MNIST's format by the app's own preprocessing."""
    return digits.from_canvas(render(strokes, width))


def stroke_images(strokes: list[Stroke], width: float = BRUSH) -> list[np.ndarray]:
    """Each stroke's own ink placed in the whole drawing's 28x28 (same crop, scale and place)."""
    whole = prepared(strokes, width)
    top, bottom, left, right = ink_box(whole.grey)
    (h, w), (row, col) = whole.scaled.shape, whole.offset
    out = []
    for stroke in strokes:
        grey = digits.canvas_to_grey(render([stroke], width))
        field = np.zeros((FIELD, FIELD))
        field[row : row + h, col : col + w] = resize_area(grey[top:bottom, left:right], h, w)
        out.append(field)
    return out


def own_pixels(strokes: list[Stroke], width: float = BRUSH) -> list[np.ndarray]:
    """Per stroke, the 28x28 pixels it inks and no other stroke does (all it inks if none)."""
    ink = [image > SEEN for image in stroke_images(strokes, width)]
    out = []
    for k, mine in enumerate(ink):
        alone = mine & ~np.logical_or.reduce([theirs for n, theirs in enumerate(ink) if n != k])
        out.append(alone if alone.any() else mine)
    return out


def grow(mask: np.ndarray, slack: int = 1) -> np.ndarray:
    """A boolean mask grown by ``slack`` pixels in every direction (a square dilation)."""
    padded, (h, w) = np.pad(mask, slack), mask.shape
    steps = range(2 * slack + 1)
    return np.logical_or.reduce([padded[dy : dy + h, dx : dx + w] for dy in steps for dx in steps])


def overlap(a: np.ndarray, b: np.ndarray, slack: int = 1, level: int = SEEN) -> float:
    """The smaller of the share of ``a``'s ink within ``slack`` px of ``b``'s ink, and the reverse.

    Unlike IoU it forgives a pixel's shift (a 2-pixel stroke moved by one halves its IoU); ink
    that only one image has lowers it.
    """
    x, y = np.asarray(a) > level, np.asarray(b) > level
    if not (x.any() and y.any()):
        return float(x.any() == y.any())
    return float(min((x & grow(y, slack)).sum() / x.sum(), (y & grow(x, slack)).sum() / y.sum()))


def lost(received: np.ndarray, pen: list[Stroke], share: float = 0.8) -> str | None:
    """What ``received`` (a 28x28) lacks of the strokes' drawing, in words; None if it is whole.

    Its ink must ``overlap`` the offline rendering's by ``MATCH``, and ``share`` of each stroke's
    own pixels (``own_pixels``) must lie within 1 px of its ink: a short stroke moves the overlap
    little, and a long one lost rescales what is left, so neither check alone sees every loss.
    """
    score = overlap(received, prepared(pen).image)
    seen = grow(np.asarray(received) > SEEN)
    own = own_pixels(pen)
    missing = [k for k, mine in enumerate(own) if (mine & seen).sum() < share * mine.sum()]
    if score >= MATCH and not missing:
        return None
    return f"strokes {missing} of {len(pen)} missing, overlap {score:.2f} (needs {MATCH})"


def replayable(image: np.ndarray) -> bool:
    """True if the digit traces to 2..MAX_STROKES strokes, each with ``MIN_OWN`` own pixels."""
    pen = trace(image)
    return 2 <= len(pen) <= MAX_STROKES and min(int(o.sum()) for o in own_pixels(pen)) >= MIN_OWN
