"""core.training.settings: one table of the seven settings drives validate(), the form and the history."""

from __future__ import annotations

import dataclasses

import pytest

from core.training import NOTEBOOK, QUICK, RECIPES, SETTINGS, TrainSettings
from core.training.settings import TYPICAL_LR, optimizer_name


def test_the_table_lists_the_settings_fields_in_order():
    fields = [f.name for f in dataclasses.fields(TrainSettings)]
    assert [s.name for s in SETTINGS] == fields
    assert len(fields) == 7


def test_defaults_are_the_notebook_recipe_and_the_recipes_are_valid():
    assert TrainSettings() == NOTEBOOK
    assert TrainSettings().validate(60_000) == () and QUICK.validate(60_000) == ()
    assert TrainSettings().batch_size == 32  # the notebook's
    assert [r.label for r in RECIPES] == ["Notebook recipe", "Quick recipe"]
    assert [r.settings for r in RECIPES] == [NOTEBOOK, QUICK]
    assert (NOTEBOOK.learning_rate, QUICK.learning_rate) == (TYPICAL_LR["sgd"], TYPICAL_LR["adam"])


@pytest.mark.parametrize(
    "changes, words",
    [
        (dict(epochs=0), "Epochs must be at least 1; got 0"),
        (dict(epochs=-3), "Epochs must be at least 1; got -3"),
        (dict(batch_size=256, n_train=100), "larger than the 100 training images"),
        (dict(learning_rate=0.0), "nothing is learnt"),
        (dict(learning_rate=1e6), "at most 10; got 1e+06"),
        (dict(learning_rate=float("nan")), "finite number; got nan"),
        (dict(learning_rate="fast"), "finite number; got 'fast'"),
        (dict(momentum=1.0), "Momentum must be at least 0 and below 1"),
        (dict(optimizer="rmsprop"), "one of sgd, adam"),
        (dict(n_train=70_000), "from 1 to 60,000; got 70000"),
        (dict(seed=-1), "Seed must be"),
    ],
)
def test_validate_names_the_problem(changes, words):
    problems = TrainSettings(**changes).validate(60_000)
    assert len(problems) == 1 and words in problems[0], problems


BOUNDS = [  # (setting, values just inside its bounds, values just outside)
    ("learning_rate", [1e-9, 10.0], [0.0, -1e-9, 10.000001]),
    ("momentum", [0.0, 0.999], [-1e-9, 1.0]),
    ("batch_size", [1, 2_000], [0, 4_097]),
    ("epochs", [1, 50], [0, 51]),
    ("n_train", [1, 60_000], [0, 60_001]),
    ("seed", [0, 2**31 - 1], [-1, 2**31]),
]


@pytest.mark.parametrize("name, good, bad", BOUNDS)
def test_each_bound_of_the_table_is_checked(name, good, bad):
    subject = next(s.subject or s.label for s in SETTINGS if s.name == name)
    base = dict(n_train=2_000) if name != "n_train" else dict(batch_size=1)
    for value in good:
        assert TrainSettings(**(base | {name: value})).validate(60_000) == (), (name, value)
    for value in bad:
        problems = TrainSettings(**(base | {name: value})).validate(60_000)
        assert len(problems) == 1 and problems[0].startswith(subject), (name, value, problems)


def test_several_problems_are_all_named():
    problems = TrainSettings(optimizer="x", epochs=0, seed=-1).validate(60_000)
    assert [p.split()[0] for p in problems] == ["Optimizer", "Epochs", "Seed"]


def test_describe():
    assert QUICK.describe() == "Adam lr 0.001 · batch 128 · 2 epochs · 60,000 images · seed 0"
    assert TrainSettings(momentum=0.9, epochs=1).describe().startswith("SGD lr 0.01 momentum 0.9")


def test_setting_texts_and_offered_values():
    optimizer, n_train = SETTINGS[0], SETTINGS[5]
    assert optimizer.values == ("sgd", "adam") and optimizer.text("sgd") == "SGD"
    assert n_train.values == (2_000, 6_000, 12_000, 60_000)
    assert n_train.text(60_000) == "60,000 (all)" and n_train.text(2_000) == "2,000 (quick)"
    assert n_train.text(123) == "123"
    assert optimizer_name("adam") == "Adam" and optimizer_name("sgd") == "SGD"


def test_as_dict_follows_the_table():
    assert list(QUICK.as_dict()) == [s.name for s in SETTINGS]
    assert TrainSettings(**QUICK.as_dict()) == QUICK
    assert QUICK.typical_lr() == "0.001" and NOTEBOOK.typical_lr() == "0.01"
