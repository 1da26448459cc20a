"""The server-wide model budget (core/model_budget.py) and the holders it releases (core/held_model.py)."""

from __future__ import annotations

import gc
import logging
import threading
import weakref

import numpy as np
import pytest

from core.architecture import Architecture
from core.held_model import HeldModel, keras_bytes
from core.keras_model import build_model
from core.model_budget import DEFAULT_BUDGET, MODEL_OVERHEAD, ModelBudget, parse_budget
from core.presets import WORKSHOP_CNN

MB = 2**20


RELEASED: list[str] = []  # names of the Fakes released, in order


class Fake:
    """A holder that records its releases (in RELEASED too); ``busy`` keeps it.

    Held again, it is awake again (as a HeldModel is once its ``.model`` is used).
    """

    def __init__(self, name: str, busy: bool = False) -> None:
        self.name, self.busy, self.released = name, busy, 0

    def releasable(self) -> bool:
        return not self.busy

    def release(self) -> bool:
        self.released += 1
        RELEASED.append(self.name)
        return True


@pytest.fixture(autouse=True)
def _fresh_log():
    RELEASED.clear()


# --- parsing the environment variable -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3GB", 3 * 2**30), ("800MB", 800 * MB), ("1.5g", 3 * 2**29), ("2 GiB", 2 * 2**30)]
    + [("512", 512 * MB), (" 4096 mb ", 4 * 2**30), ("1T", 2**40), ("2048K", 2 * MB)],
)
def test_budget_sizes(text: str, expected: int):
    assert parse_budget(text) == expected


@pytest.mark.parametrize("text", ["lots", "-1GB", "0", "3 XB", "1e9", "0.5MB", "GB"])
def test_a_bad_budget_falls_back_with_a_log_line(text: str, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="core.model_budget"):
        assert parse_budget(text) == DEFAULT_BUDGET
    assert "LAYER_BY_LAYER_MODEL_BUDGET" in caplog.text and "3072 MB" in caplog.text


def test_unset_is_the_default_quietly(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="core.model_budget"):
        assert parse_budget(None) == parse_budget("  ") == DEFAULT_BUDGET == 3 * 2**30
    assert caplog.text == ""


# --- the accounting ------------------------------------------------------------------------------


def budget_of(limit: int) -> ModelBudget:
    return ModelBudget(limit, collect=None)  # Fakes hold no reference cycles to collect


def test_least_recently_used_session_goes_first():
    budget = budget_of(100)
    a, b, c = Fake("a"), Fake("b"), Fake("c")
    for holder, session in ((a, "A"), (b, "B"), (c, "C")):
        budget.hold(holder, 30, session)
    budget.hold(a, 30, "A")  # A is back: B is now the one away longest
    d = Fake("d")
    budget.hold(d, 30, "D")  # 120 > 100: one must go
    assert RELEASED == ["b"]
    e = Fake("e")
    budget.hold(e, 60, "E")  # 150 > 100: the next away longest, then the next
    assert RELEASED == ["b", "c", "a"]
    assert budget.stats().held == 90 and budget.stats().released == 3


def test_a_session_used_recently_keeps_its_old_models():
    budget = budget_of(100)
    old_a, b, new_a = Fake("old_a"), Fake("b"), Fake("new_a")
    budget.hold(old_a, 40, "A")
    budget.hold(b, 40, "B")
    budget.hold(new_a, 40, "A")  # A acts again: B, away longer, is put to sleep first
    assert RELEASED == ["b"]


def test_busy_and_pinned_models_are_never_released(caplog: pytest.LogCaptureFixture):
    budget = budget_of(100)
    budget.pin("pretrained", 50)
    training = Fake("training", busy=True)
    budget.hold(training, 40, "A")
    idle = Fake("idle")
    budget.hold(idle, 40, "B")  # 130 > 100: only the idle one may go... but it was just used
    assert RELEASED == []
    new = Fake("new")
    with caplog.at_level(logging.WARNING, logger="core.model_budget"):
        budget.hold(new, 40, "C")
    assert RELEASED == ["idle"]
    assert "the rest is training, in use or asleep" in caplog.text  # still over: said once
    stats = budget.stats()
    assert (stats.held, stats.pinned, stats.models, stats.sessions) == (130, 50, 2, 2)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="core.model_budget"):
        budget.hold(new, 40, "C")
    assert caplog.text == ""  # at most one line a minute
    assert budget.is_held(training) and budget.is_held(new)
    training.busy = False
    budget.hold(Fake("later"), 10, "D")
    assert RELEASED == ["idle", "training"]


def test_the_model_just_used_is_kept_even_alone_over_the_limit():
    budget = budget_of(10)
    big = Fake("big")
    budget.hold(big, 50, "A")
    assert not big.released and budget.is_held(big)


def test_gone_holders_are_no_longer_counted():
    budget = budget_of(1000)
    holder = Fake("x")
    budget.hold(holder, 300, "A")
    assert budget.stats().held == 300
    del holder
    gc.collect()
    assert budget.stats().held == 0 and budget.stats().models == 0


def test_a_failing_release_is_logged_and_others_go_on(caplog: pytest.LogCaptureFixture):
    class Broken(Fake):
        def release(self) -> bool:
            raise RuntimeError("boom")

    budget = budget_of(50)
    broken, fine = Broken("broken"), Fake("fine")
    budget.hold(broken, 30, "A")
    budget.hold(fine, 30, "B")
    with caplog.at_level(logging.ERROR, logger="core.model_budget"):
        budget.hold(Fake("new"), 30, "C")
    assert "releasing a model failed" in caplog.text and fine.released == 1


def test_many_threads_at_once_keep_the_accounting_right():
    budget = budget_of(50 * 10)
    holders = [[Fake(f"{t}.{i}") for i in range(40)] for t in range(8)]
    errors = []

    def act(mine: list[Fake], session: str) -> None:
        try:
            for _ in range(5):
                for holder in mine:
                    budget.hold(holder, 10, session)
        except Exception as err:  # noqa: BLE001 - reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=act, args=(h, f"S{t}")) for t, h in enumerate(holders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    everyone = [h for mine in holders for h in mine]
    stats = budget.stats()
    assert stats.held <= stats.limit and stats.held == 10 * stats.models
    assert stats.models == sum(budget.is_held(h) for h in everyone)
    assert stats.released == sum(h.released for h in everyone)


# --- HeldModel: a real Keras model put to sleep and rebuilt --------------------------------------


def _trained_like(seed: int = 3):
    """The workshop CNN with weights no seed gives (as if trained)."""
    built = build_model(WORKSHOP_CNN, seed=0)
    rng = np.random.default_rng(seed)
    built.model.set_weights([rng.normal(0, 0.1, w.shape) for w in built.model.get_weights()])
    return built


def _digits() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (8, 28, 28, 1)).astype(np.float32)


def test_a_released_model_comes_back_with_the_same_predictions():
    built = _trained_like()
    before = np.asarray(built.model(_digits(), training=False))
    budget = ModelBudget(limit=DEFAULT_BUDGET)
    held = HeldModel(built, session="A").register(budget)
    old = weakref.ref(built.model)
    del built
    assert held.release() and held.asleep and not budget.is_held(held)
    gc.collect()
    assert old() is None, "the Keras model is freed once released"
    assert held.kept_bytes() == 4 * WORKSHOP_CNN_PARAMS
    after = np.asarray(held.model(_digits(), training=False))
    np.testing.assert_array_equal(after, before)
    assert not held.asleep and held.rebuilds == 1 and held.kept_bytes() == 0
    assert budget.is_held(held) and budget.stats().held == held.nbytes()


WORKSHOP_CNN_PARAMS = 56_714


def test_a_sleeping_models_arrays_still_count():
    budget = ModelBudget(limit=DEFAULT_BUDGET)
    held = HeldModel(_trained_like(), session="A").register(budget)
    awake = budget.stats()
    assert (awake.held, awake.models, awake.asleep, awake.kept) == (held.nbytes(), 1, 0, 0)
    held.release()
    asleep = budget.stats()
    assert (asleep.models, asleep.asleep, asleep.sessions) == (0, 1, 1)
    assert asleep.held == asleep.kept == 4 * WORKSHOP_CNN_PARAMS < awake.held
    _ = held.model
    assert budget.stats() == awake


def test_arrays_kept_push_out_more_models_until_the_total_fits():
    budget = ModelBudget(limit=3 * (MODEL_OVERHEAD + 4 * WORKSHOP_CNN_PARAMS))
    holders = [HeldModel(_trained_like(i), session=f"S{i}").register(budget) for i in range(6)]
    stats = budget.stats()
    assert stats.held <= stats.limit and stats.asleep == sum(h.asleep for h in holders) >= 3
    assert [h.asleep for h in holders] == [True] * stats.asleep + [False] * stats.models


def test_a_seeded_model_is_rebuilt_from_its_seed_without_arrays():
    held = HeldModel(build_model(WORKSHOP_CNN, seed=5), seed=5)
    before = np.asarray(held.model(_digits(), training=False))
    assert held.release() and held.kept_bytes() == 0
    np.testing.assert_array_equal(np.asarray(held.model(_digits(), training=False)), before)


def test_a_busy_model_is_not_released_and_a_discarded_one_says_so():
    held = HeldModel(_trained_like(), busy=lambda: True)
    assert not held.releasable() and not held.release() and not held.asleep
    held.busy = None
    held.discard()
    with pytest.raises(RuntimeError, match="discarded"):
        _ = held.model


def test_the_size_counts_weights_optimizer_slots_and_the_overhead():
    import keras

    built = build_model(WORKSHOP_CNN, seed=0)
    weights = 4 * WORKSHOP_CNN_PARAMS
    assert keras_bytes(built.model) == weights + MODEL_OVERHEAD
    assert keras_bytes(built.model, slots=2) == 3 * weights + MODEL_OVERHEAD  # before training
    built.model.compile(optimizer=keras.optimizers.Adam(), loss="mse")
    built.model.optimizer.build(built.model.trainable_variables)
    made = keras_bytes(built.model)
    assert 3 * weights + MODEL_OVERHEAD <= made <= 3 * weights + MODEL_OVERHEAD + 64


def test_budget_releases_a_real_idle_model_for_a_new_one():
    tiny = Architecture.from_url("norm-flatten-dense(10,softmax)")
    budget = ModelBudget(limit=MODEL_OVERHEAD + 40_000 * 4)
    first = HeldModel(build_model(tiny, seed=0), seed=0, session="A").register(budget)
    second = HeldModel(build_model(tiny, seed=1), seed=1, session="B").register(budget)
    assert first.asleep and not second.asleep
    _ = first.model  # A is back: rebuilt, and B (now the one away longest) goes to sleep
    assert not first.asleep and second.asleep and first.rebuilds == 1


def test_results_kept_with_a_model_count_awake_and_asleep():
    budget = ModelBudget(limit=DEFAULT_BUDGET)
    held = HeldModel(_trained_like(), session="A").register(budget)
    awake = budget.stats().held
    held.keep_results(24_000_000)  # e.g. a run's recorded feature frames
    assert budget.stats().held == awake + 24_000_000 == held.nbytes()
    held.release()
    assert budget.stats().kept == 4 * WORKSHOP_CNN_PARAMS + 24_000_000 == held.kept_bytes()
    _ = held.model
    assert budget.stats().held == awake + 24_000_000 and held.kept_bytes() == 0
