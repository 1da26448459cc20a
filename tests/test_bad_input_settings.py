"""Bad training settings and ``?step=`` values: a clear, short message, never an exception."""

from __future__ import annotations

import pytest

from core import lesson, training
from tests.hostile import EMOJI, MB3, RTL, SCRIPT, ZWSP, assert_clear

# --- training settings: TrainSettings.validate -----------------------------------------------------

SETTINGS_CASES = [
    ("lr nan", {"learning_rate": float("nan")}, ["Learning rate", "finite"]),
    ("lr inf", {"learning_rate": float("inf")}, ["Learning rate", "finite"]),
    ("lr negative", {"learning_rate": -1.0}, ["Learning rate", "above 0"]),
    ("lr zero", {"learning_rate": 0.0}, ["nothing is learnt"]),
    ("lr 1e308", {"learning_rate": 1e308}, ["Learning rate", "at most 10"]),
    ("lr string", {"learning_rate": "0.01"}, ["Learning rate", "finite number"]),
    ("momentum nan", {"momentum": float("nan")}, ["Momentum"]),
    ("momentum 1", {"momentum": 1.0}, ["Momentum", "below 1"]),
    ("momentum negative", {"momentum": -0.5}, ["Momentum", "at least 0"]),
    ("batch 0", {"batch_size": 0}, ["Batch size", "1 to 4,096"]),
    ("batch 10**400", {"batch_size": 10**400}, ["Batch size"]),
    ("batch bool", {"batch_size": True}, ["Batch size"]),
    (
        "batch over images",
        {"batch_size": 4_000, "n_train": 2_000},
        ["larger than the 2,000 training images"],
    ),
    ("epochs 0", {"epochs": 0}, ["Epochs must be at least 1"]),
    ("epochs 10**6", {"epochs": 10**6}, ["Epochs", "1 to 50"]),
    ("epochs fraction", {"epochs": 1.5}, ["Epochs", "whole number"]),
    ("epochs nan", {"epochs": float("nan")}, ["Epochs", "whole number"]),
    ("images negative", {"n_train": -1}, ["Training images", "1 to 60,000"]),
    ("images 10**9", {"n_train": 10**9}, ["Training images"]),
    ("seed negative", {"seed": -1}, ["Seed", "0 to"]),
    ("seed 2**31", {"seed": 2**31}, ["Seed"]),
    ("seed nan", {"seed": float("nan")}, ["Seed"]),
    ("optimizer script", {"optimizer": SCRIPT}, ["Optimizer", "sgd, adam"]),
    ("optimizer None", {"optimizer": None}, ["Optimizer"]),
    ("optimizer emoji", {"optimizer": EMOJI}, ["Optimizer"]),
]


@pytest.mark.parametrize(
    ("changes", "words"), [c[1:] for c in SETTINGS_CASES], ids=[c[0] for c in SETTINGS_CASES]
)
def test_training_settings_are_refused_clearly(changes: dict, words: list[str]):
    problems = training.TrainSettings(**changes).validate(60_000)
    assert problems, f"{changes} was accepted"
    joined = " ".join(problems)
    for p in problems:
        assert_clear(ValueError(p))
    assert all(w.lower() in joined.lower() for w in words), problems


@pytest.mark.parametrize(
    "changes", [{"optimizer": MB3}, {"epochs": MB3}], ids=["3 MB optimizer", "3 MB epochs"]
)
def test_training_messages_do_not_echo_huge_values(changes: dict):
    for problem in training.TrainSettings(**changes).validate(60_000):
        assert_clear(ValueError(problem))


def test_the_recipes_are_valid():
    assert training.NOTEBOOK.validate() == () and training.QUICK.validate() == ()


# --- the lesson's ?step= ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "0",
        "-1",
        "12",
        "1e308",
        "nan",
        "inf",
        "4.5",
        "٤",
        "４",
        "1" * 10_000,
        SCRIPT,
        RTL + "3",
        "3" + ZWSP,
        EMOJI,
        "\x00",
        "",
    ],
)
def test_lesson_step_values_fall_back_to_step_one_with_a_short_note(raw: str):
    number, note = lesson.parse_step(raw)
    assert number == lesson.FIRST
    assert note and len(note) <= 200 and "step" in note
    assert all(c.isprintable() for c in note) and "\x00" not in note
