"""The Room page's view-model: leaderboard rows in the chosen order, reference models, links, tiles.

Plain data out of the store's records (``core.room``), so the page only places it. Nothing here
reads the database or Keras: rows are built from objects with the ``RunEntry`` fields.

>>> from types import SimpleNamespace as Run
>>> ana = Run(run_id=1, nickname="Ana", params=56_714, test_accuracy=0.983, test_loss=0.05,
...           train_seconds=14.0, arch_json="{}", created_at=2.0)
>>> bo = Run(run_id=2, nickname="Bo", params=1_676_266, test_accuracy=0.991, test_loss=0.03,
...          train_seconds=200.0, arch_json="{}", created_at=1.0)
>>> [r.nickname for r in rows([ana, bo], {1: 0.9, 2: 0.7}, "Room handwriting")]
['Ana', 'Bo']
>>> [(r.rank, r.nickname) for r in rows([ana, bo], {}, "Test accuracy")]
[(1, 'Bo'), (2, 'Ana')]
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol
from urllib.parse import quote

from core.architecture import Architecture, ArchitectureError
from core.presets import NOTEBOOK_CNN, WORKSHOP_CNN
from core.shapes import trace
from core.training.texts import format_duration

# How the leaderboard can be ordered: label -> (key, best first?). None sorts last either way.
SORTS: dict[str, tuple[str, bool]] = {
    "Test accuracy": ("test_accuracy", True),
    "Room handwriting": ("room_accuracy", True),
    "Parameters": ("params", False),
    "Training time": ("train_seconds", False),
}
DEFAULT_SORT = "Test accuracy"
CODE_LENGTH = 6  # a room code, e.g. K7QM2X (core.room draws them)
ANSWER_BARS = 12  # a question's histogram shows this many distinct answers; the rest are "other"


class RunLike(Protocol):
    """What a leaderboard row needs of a posted run (``core.room.RunEntry`` has it)."""

    run_id: int
    nickname: str
    params: int
    test_accuracy: float
    train_seconds: float
    arch_json: str
    created_at: float


@dataclass(frozen=True)
class Row:
    """One run on the leaderboard; ``arch_link`` is its ``?arch=`` text ("" if unreadable)."""

    rank: int
    run_id: int
    nickname: str
    params: int
    test_accuracy: float
    room_accuracy: float | None
    train_seconds: float
    arch_link: str
    created_at: float


@dataclass(frozen=True)
class Reference:
    """A model the room's runs are compared with: name, parameters, MNIST test accuracy, source."""

    name: str
    params: int
    test_accuracy: float
    note: str


def arch_link(arch_json: str) -> str:
    """The ``?arch=`` text of a posted architecture, or "" if it cannot be read.

    >>> arch_link(WORKSHOP_CNN.to_json())
    'norm-conv(16)-maxpool-conv-maxpool-flatten-dense(64,relu)-dense(10,softmax)'
    >>> arch_link("not json")
    ''
    """
    try:
        return Architecture.from_json(arch_json).to_url()
    except ArchitectureError:
        return ""


def _sort_key(row: Row, field: str, best_first: bool) -> tuple:
    value = getattr(row, field)
    missing = value is None
    number = 0.0 if missing else float(value)
    return (missing, -number if best_first else number, row.params, row.created_at)


def rows(
    runs: Iterable[RunLike], room_accuracy: Mapping[int, float | None], sort: str = DEFAULT_SORT
) -> tuple[Row, ...]:
    """The leaderboard: one row per run, ranked by ``sort`` (a key of ``SORTS``).

    Ties go to fewer parameters, then to the earlier post. A run not yet scored on the room's
    handwriting sorts last by that column. An unknown ``sort`` ranks by test accuracy.
    """
    field, best_first = SORTS.get(sort, SORTS[DEFAULT_SORT])
    unranked = [
        Row(
            0,
            run.run_id,
            run.nickname,
            int(run.params),
            float(run.test_accuracy),
            room_accuracy.get(run.run_id),
            float(run.train_seconds),
            arch_link(run.arch_json),
            float(run.created_at),
        )
        for run in runs
    ]
    unranked.sort(key=lambda r: _sort_key(r, field, best_first))
    return tuple(
        Row(i, *(getattr(r, f) for f in Row.__dataclass_fields__ if f != "rank"))
        for i, r in enumerate(unranked, start=1)
    )


def build_path(link: str) -> str:
    """The link, relative to the Room page, that opens an architecture in Build (relative, so it
    also works when the app is served under a path prefix behind a proxy).

    >>> build_path("norm-conv(8,3)-flatten-dense(10,softmax)")
    'build?arch=norm-conv(8,3)-flatten-dense(10,softmax)'
    """
    return "build?arch=" + quote(link, safe="(),-=")


def table(board_rows: Sequence[Row]) -> dict[str, list[Any]]:
    """The leaderboard's columns for a dataframe (nicknames stay plain text there)."""
    return {
        "#": [r.rank for r in board_rows],
        "Nickname": [r.nickname for r in board_rows],
        "MNIST test accuracy": [100 * r.test_accuracy for r in board_rows],
        "Room handwriting": [
            None if r.room_accuracy is None else 100 * r.room_accuracy for r in board_rows
        ],
        "Parameters": [r.params for r in board_rows],
        "Training time": [format_duration(r.train_seconds) for r in board_rows],
        "Build": [build_path(r.arch_link) if r.arch_link else None for r in board_rows],
    }


def big_table(board_rows: Sequence[Row], top: int = 10) -> str:
    """The leaderboard's first ``top`` rows as an HTML table for the projector; text escaped.

    >>> row = Row(1, 7, "<b>Ana</b>", 56_714, 0.983, None, 14.0, "", 0.0)
    >>> "&lt;b&gt;Ana&lt;/b&gt;" in big_table([row]) and "<b>Ana" not in big_table([row])
    True
    """
    cells = "".join(f"<th>{name}</th>" for name in ("#", "Nickname", "MNIST", "Room", "Parameters"))
    lines = [f"<table class='room-big'><thead><tr>{cells}</tr></thead><tbody>"]
    for r in board_rows[:top]:
        room = "–" if r.room_accuracy is None else f"{r.room_accuracy:.0%}"
        lines.append(
            f"<tr><td>{r.rank}</td><td>{html.escape(r.nickname)}</td>"
            f"<td>{r.test_accuracy:.2%}</td><td>{room}</td><td>{r.params:,}</td></tr>"
        )
    return "".join(lines) + "</tbody></table>"


def counted(n: int, word: str) -> str:
    """``1 run``, ``2 runs``, ``1,000 drawings``.

    >>> counted(1, "run"), counted(1_000, "drawing")
    ('1 run', '1,000 drawings')
    """
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def run_label(row: Row) -> str:
    """How a run is named in a chooser: "#2 Ana · 98.30% · 56,714 parameters"."""
    return f"#{row.rank} {row.nickname} · {row.test_accuracy:.2%} · {row.params:,} parameters"


@cache
def references() -> tuple[Reference, ...]:
    """The notebook's CNN (as the notebook trains it, and pretrained) and the workshop CNN.

    Parameter counts come from the shape trace; accuracies are the measured figures in README.md
    ("The notebook, reproduced", "Workshop CNN, Quick recipe", ``models/pretrained.json``).
    """
    notebook = trace(NOTEBOOK_CNN).total_params
    return (
        Reference("Notebook CNN", notebook, 0.9866, "SGD, 3 epochs, as the notebook trains it"),
        Reference("Pretrained", notebook, 0.9956, "the same CNN trained 10 epochs, augmented"),
        Reference(
            "Workshop CNN",
            trace(WORKSHOP_CNN).total_params,
            0.9844,
            "Quick recipe, 10 s of training",
        ),
    )


def hover_name(nickname: str) -> str:
    """A nickname for a chart's hover text: Plotly reads a little HTML, so it is escaped.

    >>> hover_name("<b>Ana</b>")
    '&lt;b&gt;Ana&lt;/b&gt;'
    """
    return html.escape(nickname, quote=True)


def normal_code(text: str) -> str:
    """A room code as typed or linked, tidied: upper case, no spaces or dashes.

    Raises:
        ValueError: when it cannot be a room code (the store says whether the room exists).

    >>> normal_code(" k7qm-2x ")
    'K7QM2X'
    """
    code = "".join(str(text).split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or not code.isascii() or not code.isalnum():
        raise ValueError(f"a room code is {CODE_LENGTH} letters and digits, like K7QM2X")
    return code


def page_address(page_url: str, page: str, query: str) -> str:
    """The app's page ``page`` with ``query``, beside ``page_url`` (the Room page's own address).

    >>> page_address("http://host:8501/room", "room", "room=K7QM2X")
    'http://host:8501/room?room=K7QM2X'
    >>> page_address("https://ws.example/lbl/room/", "room", "room=K7QM2X")
    'https://ws.example/lbl/room?room=K7QM2X'
    >>> page_address("", "room", "room=K7QM2X")
    '/room?room=K7QM2X'
    """
    base = (page_url or "").split("?")[0].split("#")[0].rstrip("/")
    base = base.removesuffix(f"/{page}")
    return f"{base}/{page}?{query}"


def join_address(page_url: str, code: str) -> str:
    """The join link: the Room page with ``?room=CODE``."""
    return page_address(page_url, "room", f"room={quote(code)}")


def presenter_address(page_url: str, code: str, token: str) -> str:
    """The presenter's private link: ``?room=CODE&presenter=TOKEN``."""
    return page_address(page_url, "room", f"room={quote(code)}&presenter={quote(token)}")


def hardest_tiles(
    hardest: Sequence[tuple[int, int, float]], images: Mapping[int, Any]
) -> tuple[list[Any], list[str]]:
    """The hardest drawings' images and captions ("7: 80%", the digit meant and the share of
    models that read it wrong), those still stored only."""
    chosen = [(d, label, share) for d, label, share in hardest if d in images]
    captions = [f"{label}: {share:.0%}" for _, label, share in chosen]
    return [images[d] for d, _, _ in chosen], captions


def answer_counts(values: Iterable[str], keep: int = ANSWER_BARS) -> list[tuple[str, int]]:
    """The distinct answers, most frequent first, the rest summed as "other".

    >>> answer_counts(["3136", "3136", "784", "1", "2"], keep=2)
    [('3136', 2), ('784', 1), ('other', 2)]
    """
    counted = Counter(" ".join(str(v).split()) for v in values).most_common()
    top = counted[:keep]
    rest = sum(n for _, n in counted[keep:])
    return top + ([("other", rest)] if rest else [])
