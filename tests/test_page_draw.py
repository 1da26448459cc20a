"""pages/draw.py under AppTest: the canvas is an UnknownElement here, so uploads drive the flow."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.charts import array
from ui import jobs
from ui.draw_state import DROVE_OPEN, MOVE_OPEN

pytestmark = pytest.mark.page
PAGE = Path(__file__).resolve().parent.parent / "pages" / "draw.py"


def png(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, "PNG")
    return buf.getvalue()


def a_one_on_paper() -> bytes:
    """A '1': a slightly slanted dark stroke on light paper."""
    paper = np.full((300, 240), 225, np.uint8)
    for row in range(50, 260):
        col = 110 + (260 - row) // 12
        paper[row, col : col + 22] = 30
    return png(paper)


@pytest.fixture
def app() -> AppTest:
    """The Draw page with both explorations open (they are closed until a user opens them)."""
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.session_state[DROVE_OPEN] = at.session_state[MOVE_OPEN] = True
    at.run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.button_group(key="draw.source").set_value("Upload").run()
    at.file_uploader(key="draw.upload").upload(name, data, "image/png").run()
    assert not at.exception
    return at


def charts(at: AppTest) -> list[dict]:
    """Every chart's figure JSON, in page order."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def big_guess(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "font-size:4.5rem" in m.value)


def test_empty_canvas_shows_a_hint_and_no_prediction(app):
    assert [i.body for i in app.info] == ["Nothing drawn yet: draw a digit."]
    assert not [m for m in app.markdown if "font-size:4.5rem" in m.value]
    assert app.get("plotly_chart") == []
    assert any(type(e).__name__ == "UnknownElement" for e in app.main)  # the canvas


def test_an_uploaded_digit_is_classified(app):
    at = upload(app, "one.png", a_one_on_paper())
    assert "inverted" in " ".join(c.value for c in at.caption)
    assert "1</div>" in big_guess(at)
    assert len(at.get("image")) == 7  # the 6 preprocessing steps, side by side, and the moved digit
    probs, occlusion, _sweep = charts(at)
    (bars,) = probs["data"]  # one model: the pretrained
    assert bars["type"] == "bar" and bars["name"] == "Pretrained" and bars["x"] == list(range(10))
    assert np.isclose(array(bars["y"]).sum(), 1.0) and int(np.argmax(array(bars["y"]))) == 1
    assert probs["layout"]["xaxis"]["title"]["text"] == "digit"
    heat, outline = occlusion["data"]
    assert (heat["type"], outline["type"]) == ("heatmap", "contour")
    assert heat["colorbar"]["title"]["text"] == "drop in P(1)" and heat["zmin"] == -heat["zmax"]
    drawn = at.session_state["draw.latest_drawing"]
    assert drawn.shape == (28, 28)
    np.testing.assert_array_equal(array(outline["z"]).reshape(28, 28), drawn)


def test_centring_switch_changes_the_placement(app):
    at = upload(app, "one.png", a_one_on_paper())
    on = at.session_state["draw.latest_drawing"]
    at.toggle(key="draw.centre").set_value(False).run()
    assert any("Placed by centre of mass instead" in c.value for c in at.caption)
    assert not np.array_equal(at.session_state["draw.latest_drawing"], on)


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty (0 bytes)"), (b"definitely not a picture", "not a PNG or JPEG")],
)
def test_bad_uploads_get_a_message(app, data, message):
    at = upload(app, "bad.png", data)
    assert message in at.error[0].body
    assert not [m for m in at.markdown if "font-size:4.5rem" in m.value]


def test_both_models_are_shown_when_the_session_has_trained_one(app, monkeypatch):
    from core.keras_model import build_model
    from core.presets import WORKSHOP_CNN

    # The fields of ui.jobs.TrainedModel that ui.models reads, for a run that has ended.
    own = SimpleNamespace(
        built=build_model(WORKSHOP_CNN, seed=0),
        run=1,
        test_accuracy=0.1,
        job_id="j1",
        filter_epochs=(),
    )
    monkeypatch.setattr(jobs, "trained", lambda: own)
    at = upload(app, "one.png", a_one_on_paper())
    guesses = [m.value for m in at.markdown if "font-size:4.5rem" in m.value]
    assert len(guesses) == 2
    assert ">Your model (run 1, 10.00% on the test digits)<" in guesses[0]
    assert "Pretrained model (" in guesses[1]
    probs = charts(at)[0]
    assert [bar["name"] for bar in probs["data"]] == ["Your model", "Pretrained"]
    assert at.radio(key="draw.explain").options == ["Your model", "Pretrained"]
    at.radio(key="draw.explain").set_value("Pretrained").run()
    assert not at.exception and any("belief in **1**" in m.value for m in at.markdown)


def test_a_rerun_reuses_the_guess_and_the_occlusion_map(app, monkeypatch):
    from core import predict

    calls = {"probabilities": 0, "occlusion": 0}
    for name in calls:
        real = getattr(predict, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(predict, name, spy)
    at = upload(app, "one.png", a_one_on_paper())
    first = dict(calls)  # the occlusion map asks predict.probabilities too
    assert first["occlusion"] == 1 and first["probabilities"] >= 1
    at.run()  # a rerun with the same digit (any click elsewhere on the page)
    assert calls == first and "1" in big_guess(at)
    at.toggle(key="draw.centre").set_value(False).run()  # another placement: a new input
    assert calls["occlusion"] == 2 and calls["probabilities"] > first["probabilities"]


def test_the_explorations_cost_nothing_until_their_section_is_opened(monkeypatch):
    """Closed (the default), a new drawing costs one guess per model, no occlusion, no sweep."""
    from core import predict, transform_sweep

    calls = {"occlusion": 0, "sweep": 0}
    real_occlusion, real_sweep = predict.occlusion, transform_sweep.sweep_probabilities

    def occlusion(*args, **kwargs):
        calls["occlusion"] += 1
        return real_occlusion(*args, **kwargs)

    def sweep(*args, **kwargs):
        calls["sweep"] += 1
        return real_sweep(*args, **kwargs)

    monkeypatch.setattr(predict, "occlusion", occlusion)
    monkeypatch.setattr(transform_sweep, "sweep_probabilities", sweep)
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    at = upload(at, "one.png", a_one_on_paper())
    assert "1" in big_guess(at) and calls == {"occlusion": 0, "sweep": 0}
    assert len(charts(at)) == 1  # the probabilities only
    labels = [e.label for e in at.expander]
    assert any(label.startswith("What drove the guess") for label in labels)
    assert any(label.startswith("Move it, turn it, thicken it") for label in labels)
    at.session_state[DROVE_OPEN] = True  # what a click on the section's header does
    at.run()
    assert calls == {"occlusion": 1, "sweep": 0} and len(charts(at)) == 2
    at.session_state[MOVE_OPEN] = True
    at.run()
    assert calls == {"occlusion": 1, "sweep": 1} and len(charts(at)) == 3
