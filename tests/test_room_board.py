"""core.room_board: the leaderboard's order, the reference models, links and codes, tiles, answers."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from core import room_board as rb
from core.architecture import Architecture
from core.presets import NOTEBOOK_CNN, WORKSHOP_CNN
from core.shapes import trace


def run(run_id, nickname, params, accuracy, seconds, created, arch=WORKSHOP_CNN):
    return SimpleNamespace(
        run_id=run_id,
        nickname=nickname,
        params=params,
        test_accuracy=accuracy,
        train_seconds=seconds,
        arch_json=arch.to_json() if arch is not None else "{broken",
        created_at=created,
    )


RUNS = [
    run(1, "Ana", 20_000, 0.981, 12.0, 1.0),
    run(2, "Bo", 1_676_266, 0.990, 190.0, 2.0, NOTEBOOK_CNN),
    run(3, "Cy", 56_714, 0.981, 14.0, 3.0),
    run(4, "Di", 5_000, 0.900, 5.0, 4.0, None),
]
ROOM = {1: 0.70, 2: 0.95, 3: None, 4: 0.80}


@pytest.mark.parametrize(
    ("sort", "order"),
    [("Test accuracy", ["Bo", "Ana", "Cy", "Di"]),  # a tie goes to fewer parameters
     ("Room handwriting", ["Bo", "Di", "Ana", "Cy"]),  # not scored yet: last
     ("Parameters", ["Di", "Ana", "Cy", "Bo"]),
     ("Training time", ["Di", "Ana", "Cy", "Bo"]),
     ("no such order", ["Bo", "Ana", "Cy", "Di"])],
)  # fmt: skip  # one case per row
def test_rows_rank_by_the_chosen_column(sort, order):
    rows = rb.rows(RUNS, ROOM, sort)
    assert [r.nickname for r in rows] == order
    assert [r.rank for r in rows] == [1, 2, 3, 4]


def test_a_row_carries_the_run_and_its_link():
    (bo, *_) = rb.rows(RUNS, ROOM)
    assert (bo.run_id, bo.params, bo.test_accuracy, bo.room_accuracy) == (2, 1_676_266, 0.99, 0.95)
    assert Architecture.from_url(bo.arch_link) == NOTEBOOK_CNN
    di = next(r for r in rb.rows(RUNS, ROOM) if r.nickname == "Di")
    assert di.arch_link == ""  # unreadable JSON: no link rather than an error


def test_the_table_has_percentages_and_build_links():
    columns = rb.table(rb.rows(RUNS, ROOM))
    assert columns["Nickname"] == ["Bo", "Ana", "Cy", "Di"]
    assert columns["MNIST test accuracy"][0] == pytest.approx(99.0)
    assert columns["Room handwriting"] == [pytest.approx(95.0), pytest.approx(70.0), None, 80.0]
    assert columns["Training time"][0] == "3 min 10 s"
    link = columns["Build"][0]
    assert link.startswith("build?arch=")  # relative: the app may sit under a path prefix
    assert Architecture.from_url(link.removeprefix("build?arch=")) == NOTEBOOK_CNN
    assert columns["Build"][3] is None


def test_no_runs_give_an_empty_board():
    assert rb.rows([], {}) == ()
    assert rb.table(()) == {column: [] for column in rb.table(rb.rows(RUNS, ROOM))}


def test_references_are_the_notebook_and_workshop_cnns_with_measured_accuracies():
    refs = {r.name: r for r in rb.references()}
    assert refs["Notebook CNN"].params == trace(NOTEBOOK_CNN).total_params == 1_676_266
    assert refs["Pretrained"].params == 1_676_266
    assert refs["Workshop CNN"].params == trace(WORKSHOP_CNN).total_params
    assert refs["Notebook CNN"].test_accuracy == 0.9866
    assert refs["Pretrained"].test_accuracy == 0.9956


@pytest.mark.parametrize("text", [" k7qm2x", "K7QM-2X", "k7 qm 2x"])
def test_a_room_code_is_tidied(text):
    assert rb.normal_code(text) == "K7QM2X"


@pytest.mark.parametrize(
    "text", ["", "K7QM2", "K7QM2XX", "<script>", "K7QM2Ø", "' OR 1=1 --", "x" * 10_000]
)
def test_anything_else_is_not_a_room_code(text):
    with pytest.raises(ValueError, match="6 letters and digits"):
        rb.normal_code(text)


def test_links_sit_beside_the_room_page():
    assert rb.join_address("http://h:8501/room", "K7QM2X") == "http://h:8501/room?room=K7QM2X"
    assert (
        rb.presenter_address("https://w.example/lbl/room", "K7QM2X", "a-b_c")
        == "https://w.example/lbl/room?room=K7QM2X&presenter=a-b_c"
    )
    assert rb.join_address(None, "K7QM2X") == "/room?room=K7QM2X"


def test_hover_names_are_escaped_and_labels_plain():
    assert rb.hover_name('<img src=x onerror="alert(1)">') == (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    )
    (row, *_) = rb.rows(RUNS, ROOM)
    assert rb.run_label(row) == "#1 Bo · 99.00% · 1,676,266 parameters"


def test_hardest_tiles_skip_drawings_that_are_gone():
    images = {5: np.full((28, 28), 5, np.uint8), 9: np.zeros((28, 28), np.uint8)}
    tiles, captions = rb.hardest_tiles([(9, 7, 0.8), (6, 1, 0.5), (5, 3, 0.25)], images)
    assert [int(t[0, 0]) for t in tiles] == [0, 5]
    assert captions == ["7: 80%", "3: 25%"]


def test_answer_counts_group_spacing_and_keep_the_most_frequent():
    values = ["3136", " 3136 ", "3 136", "784", "784", "1"] + [f"x{i}" for i in range(20)]
    counts = rb.answer_counts(values, keep=3)
    assert counts[:2] == [("3136", 2), ("784", 2)]
    assert counts[-1] == ("other", sum(n for _, n in rb.answer_counts(values, keep=100)) - 5)
    assert rb.answer_counts([]) == []


def test_the_projectors_table_is_escaped_html_of_the_top_rows():
    hostile = run(5, "<script>alert(1)</script>", 1_000, 0.5, 1.0, 5.0)
    text = rb.big_table(rb.rows([*RUNS, hostile], ROOM), top=4)
    assert "<script>" not in text and "&lt;script&gt;" not in text  # the fifth row is left out
    assert text.count("<tr>") == 5  # the header and four runs
    assert "<td>Bo</td><td>99.00%</td><td>95%</td><td>1,676,266</td>" in text
    assert "<td>Cy</td><td>98.10%</td><td>–</td>" in text  # not scored yet
    assert "&lt;script&gt;" in rb.big_table(rb.rows([hostile], {}))
