"""pages/draw.py under AppTest: the canvas is an UnknownElement here, so uploads drive the flow."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from core import predict

pytestmark = [
    pytest.mark.page,
    pytest.mark.skipif(not predict.MODEL_PATH.is_file(), reason="models/pretrained.keras missing"),
]
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
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.button_group(key="draw.source").set_value("Upload").run()
    at.file_uploader(key="draw.upload").upload(name, data, "image/png").run()
    assert not at.exception
    return at


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
    assert len(at.get("image")) == 6  # the preprocessing steps, side by side
    assert len(at.get("plotly_chart")) == 2  # probabilities and the occlusion map
    assert at.session_state["draw.latest_drawing"].shape == (28, 28)


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


def test_both_models_are_shown_when_the_session_has_trained_one(app):
    jobs = pytest.importorskip("ui.jobs")
    from core.keras_model import build_model
    from core.presets import WORKSHOP_CNN

    own = SimpleNamespace(built=build_model(WORKSHOP_CNN, seed=0), run=1, test_accuracy=0.1)
    app.session_state[jobs._MODEL] = own  # what ui.jobs keeps after a finished run
    at = upload(app, "one.png", a_one_on_paper())
    guesses = [m.value for m in at.markdown if "font-size:4.5rem" in m.value]
    assert len(guesses) == 2 and "Your model" in guesses[0] and "Pretrained" in guesses[1]
    assert at.radio(key="draw.explain").options == ["Your model", "Pretrained"]
    at.radio(key="draw.explain").set_value("Pretrained").run()
    assert not at.exception and "belief in **1**" in at.markdown[-1].value
