"""Draw's "Move it, turn it, thicken it" under AppTest: sliders on an uploaded digit, guess and sweep."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import predict
from core import transform as tf
from core.figures.style import ACCENT, ACCENT_2
from tests.charts import array, chart_specs
from tests.fragments import fragment_id, fragment_scoped
from tests.test_page_draw import PAGE, a_one_on_paper, upload
from ui import draw_transform, jobs
from ui.draw_state import MOVE_OPEN

pytestmark = pytest.mark.page


@pytest.fixture(scope="module")
def fresh() -> predict.Pretrained:
    """A copy of the pretrained model of our own, to compute the expected answers independently."""
    return predict.load_pretrained()


@pytest.fixture
def drawn() -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.session_state[MOVE_OPEN] = True
    at.run()
    return upload(at, "one.png", a_one_on_paper())


def moved_guesses(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "draw-moved-guess" in m.value]


def probs_of(model: predict.Pretrained, images: np.ndarray) -> np.ndarray:
    return predict.probabilities(model.built.model, images[..., None].astype(np.float32))


def test_sliders_start_unchanged_and_the_sweep_is_the_model_s_own(drawn, fresh):
    image = drawn.session_state["draw.latest_drawing"]
    assert {k: drawn.slider(key=f"draw.move.{k}").value for k in tf.KINDS} == {
        k: knob.identity for k, knob in tf.KNOBS.items()
    }
    (guess,) = moved_guesses(drawn)
    assert ">1</div>" in guess and "P(1): 100% → 100%" in guess
    spec = chart_specs(drawn)[draw_transform.CHART_KEY]
    assert [t["meta"] for t in spec["data"]] == list(tf.KINDS)
    assert spec["data"][0]["name"] == "Pretrained: P(1)"
    for trace in spec["data"]:
        values = tf.KNOBS[trace["meta"]].values()
        expected = probs_of(fresh, tf.sweep(image, trace["meta"], values))[:, 1]
        np.testing.assert_allclose(array(trace["x"]), values)
        np.testing.assert_allclose(array(trace["y"]), expected, atol=1e-5)
    assert any("±12°" in m.value and "max pooling" in m.value for m in drawn.markdown)
    assert any(c.value.startswith("Pretrained: P(1) stays within 10 points") for c in drawn.caption)


def test_moving_sliders_updates_the_guess_and_marks_the_chart(drawn, fresh):
    image = drawn.session_state["draw.latest_drawing"]
    drawn.slider(key="draw.move.rotate").set_value(45).run()
    at = drawn.slider(key="draw.move.thickness").set_value(1.5).run()
    assert not at.exception
    p = probs_of(fresh, tf.apply(image, tf.Settings(rotate=45, thickness=1.5))[None])[0]
    (guess,) = moved_guesses(at)
    top = int(np.argmax(p))
    assert f">{top}" in guess and f"<b>{p[top]:.0%}</b>" in guess
    assert f"P(1): 100% → {p[1]:.0%}" in guess
    spec = chart_specs(at)[draw_transform.CHART_KEY]
    axes = {t["meta"]: t["xaxis"] for t in spec["data"]}
    marks = {s["xref"]: s["x0"] for s in spec["layout"]["shapes"]}
    assert marks[axes["rotate"]] == 45 and marks[axes["thickness"]] == 1.5
    assert marks[axes["shift_x"]] == 0 and marks[axes["scale"]] == 1
    at.button(key="draw.move.reset").click().run()
    assert at.slider(key="draw.move.rotate").value == 0
    assert at.slider(key="draw.move.thickness").value == 0
    assert "P(1): 100% → 100%" in moved_guesses(at)[0]


def test_a_slider_reruns_only_its_fragment_with_one_forward_pass(drawn, monkeypatch):
    batches = []
    real = predict.probabilities

    def spy(model, images):
        batches.append(images.shape[0])
        return real(model, images)

    monkeypatch.setattr(predict, "probabilities", spy)
    drawn.toggle(key="draw.centre").set_value(False).run()  # a new digit: the whole page
    assert batches.count(90) == 1  # the sweep: every transform's range, one batched pass
    batches.clear()
    with fragment_scoped(fragment_id(drawn, "experiment")):
        at = drawn.slider(key="draw.move.shift_x").set_value(3).run()
    assert not at.exception and batches == [1]  # the moved digit, once; the sweep is kept
    assert not at.subheader and len(at.slider) == len(tf.KINDS)  # only the section ran
    assert len(moved_guesses(at)) == 1 and draw_transform.CHART_KEY in chart_specs(at)


@pytest.mark.parametrize(
    "moves",
    [
        {"thickness": -2.0},
        {"shift_x": 8, "shift_y": -8},
        {"scale": 0.6, "noise": 0.5, "rotate": -45, "thickness": 2.0},
        {"scale": 1.4, "rotate": 45, "shift_y": 8},
    ],
)
def test_extreme_values_give_an_honest_guess(drawn, moves):
    for kind, value in moves.items():
        drawn.slider(key=f"draw.move.{kind}").set_value(value).run()
    assert not drawn.exception
    (guess,) = moved_guesses(drawn)
    notes = " ".join(c.value for c in drawn.caption)
    if moves == {"thickness": -2.0}:  # the 2-pixel stroke of this "1" is eroded away
        assert "Nothing is left of the digit" in notes and "?</div>" in guess
    if "shift_x" in moves:
        assert "touches the edge" in notes


def test_the_session_s_model_gets_its_own_lines_and_an_honest_note(monkeypatch):
    from core.keras_model import build_model
    from core.presets import WORKSHOP_CNN

    own = SimpleNamespace(
        built=build_model(WORKSHOP_CNN, seed=0),
        run=1,
        test_accuracy=0.1,
        job_id="j1",
        filter_epochs=(),
    )  # the fields of ui.jobs.TrainedModel that ui.models reads, as in tests/test_page_draw.py
    monkeypatch.setattr(jobs, "trained", lambda: own)
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.session_state[MOVE_OPEN] = True
    at.run()
    at = upload(at, "one.png", a_one_on_paper())
    at.slider(key="draw.move.scale").set_value(0.8).run()
    assert not at.exception and len(moved_guesses(at)) == 2
    spec = chart_specs(at)[draw_transform.CHART_KEY]
    colours = {t["legendgroup"]: t["line"]["color"] for t in spec["data"]}
    assert colours == {"Your model": ACCENT, "Pretrained": ACCENT_2}
    assert len(spec["data"]) == 2 * len(tf.KINDS)
    notes = [c.value for c in at.caption if "guesses at random" in c.value]
    assert len(notes) == 1 and "Your model" in notes[0]


def test_the_shared_pretrained_model_is_never_changed(drawn, fresh):
    from ui import models

    for kind, value in (("rotate", -30), ("noise", 0.3), ("scale", 1.2)):
        drawn.slider(key=f"draw.move.{kind}").set_value(value).run()
    shared = models.pretrained().built.model
    for mine, theirs in zip(shared.get_weights(), fresh.built.model.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_without_a_digit_the_section_says_draw_first():
    def script():
        from ui import draw_transform

        draw_transform.section(None, [], {})

    at = AppTest.from_function(script, default_timeout=30)
    at.run()
    assert not at.exception
    assert [i.body for i in at.info] == [
        "Draw a digit first (or upload one), then move it, turn it and thicken it here."
    ]
    assert not at.slider
