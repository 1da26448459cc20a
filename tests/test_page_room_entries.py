"""The Room with real entries under AppTest: a trained run posted from Train, a drawing added on Draw,
then the presenter's board scores them; and the Room page paints without TensorFlow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.charts import chart_specs
from tests.room_page import (
    ENV,
    ROOT,
    TIMEOUT,
    click,
    ok,
    open_room,
    start,
    words,
)

pytestmark = pytest.mark.page
pytest_plugins = ["tests.room_page_fixtures"]  # db: the app's database and a Store on it


def _draw_a_seven() -> None:
    """Run by AppTest as a script of its own: Draw's room panel for MNIST's first test digit."""
    from core import digits
    from ui import resources, room_draw

    room_draw.panel(digits.prepare(resources.mnist().x_test[0]))


def _train_then_post() -> None:
    """Run by AppTest as a script of its own: a quick real training job, then "Post to the room"."""
    import streamlit as st

    from core.presets import WORKSHOP_CNN
    from core.training import TrainSettings
    from ui import jobs, room_post

    if "test.started" not in st.session_state:
        st.session_state["test.started"] = True
        settings = TrainSettings("adam", 0.001, 0.0, 32, 1, 200, 0)
        st.session_state["test.refusal"] = jobs.start_training(WORKSHOP_CNN, settings)
    room_post.panel(jobs.trained())


def member_script(script, code: str, member) -> AppTest:
    at = AppTest.from_function(script, default_timeout=TIMEOUT)
    at.session_state["room.code"] = code
    at.session_state["room.member"] = member
    return ok(at.run())


@pytest.mark.slow
def test_post_a_trained_model_and_add_a_drawing_then_the_board_scores_them(db):
    presenter = open_room()
    code, _ = start(presenter)
    ana = db.join(code, "Ana")

    trainer = member_script(_train_then_post, code, ana)
    assert trainer.session_state["test.refusal"] is None
    end = time.monotonic() + 180
    while trainer.session_state["train.job"].snapshot().active:
        assert time.monotonic() < end, "the training job did not end"
        time.sleep(0.5)
        ok(trainer.run())
    ok(trainer.run())
    click(trainer, "Post to the room")
    (run,) = db.runs(code)
    assert (run.nickname, run.params) == ("Ana", 56_714) and 0 < run.test_accuracy <= 1
    assert "is on the room's board as Ana" in words(trainer)
    click(trainer, "Take it off the board")  # a participant deletes their own run ...
    assert db.runs(code) == ()
    click(trainer, "Post to the room")  # ... and posts it again
    (run,) = db.runs(code)

    drawer = member_script(_draw_a_seven, code, ana)
    assert drawer.dataframe[0].value["Nickname"].tolist() == ["Ana"]  # through the room's models
    drawer.segmented_control(key="room.draw.digit").set_value(7)
    click(ok(drawer.run()), "Add to the room's handwriting")
    (drawing,) = db.drawings(code)
    assert (drawing.label, drawing.nickname, drawing.image.shape) == (7, "Ana", (28, 28))
    click(drawer, "Take it back")  # a participant deletes their own drawing ...
    assert db.drawings(code) == ()
    click(drawer, "Add to the room's handwriting")  # ... and adds it again
    (drawing,) = db.drawings(code)

    ok(presenter.run())  # the board's fragment runs inline: it scores the new run on the drawing
    board = presenter.dataframe[0].value
    assert board["Nickname"].tolist() == ["Ana"]
    assert board["Room handwriting"].tolist()[0] in (0.0, 100.0)
    assert "on the room's 1 drawing." in words(presenter)
    assert json.loads(json.dumps(chart_specs(presenter)["room.counts"]["data"][0]["y"]))[7] == 1


def _post_panel() -> None:
    """Run by AppTest as a script of its own: Train's room panel for a stand-in trained model."""
    from types import SimpleNamespace

    from ui import room_post

    room_post.panel(SimpleNamespace(job_id="job-1", run=1))


def test_with_the_database_down_post_and_add_say_so_and_keep_the_session(db, monkeypatch):
    code, _ = start(open_room())
    ana = db.join(code, "Ana")
    monkeypatch.setenv(ENV, "postgresql+psycopg://learner:s3cret-pw@127.0.0.1:9/rooms")
    for script in (_post_panel, _draw_a_seven):
        at = member_script(script, code, ana)
        (warning,) = at.warning
        assert "unavailable" in warning.value and "s3cret-pw" not in warning.value
        assert not [b for b in at.button if b.label.startswith(("Post", "Add"))]
        assert at.session_state["room.member"] == ana  # nothing of the session is lost


VISIT = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=120)
at.switch_page("pages/room.py")
at.run()
next(b for b in at.button if b.label == "Start a room").click()
at.run()
print(json.dumps({{"exceptions": [e.value for e in at.exception],
                   "code": at.session_state["room.code"],
                   "keras": "keras" in sys.modules, "tensorflow": "tensorflow" in sys.modules}}))
"""


def test_the_room_page_paints_without_tensorflow(db):
    env = {**os.environ, "LAYER_BY_LAYER_WARMUP": "0", "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(
        [sys.executable, "-c", VISIT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert not out["exceptions"] and len(out["code"]) == 6
    assert not out["keras"] and not out["tensorflow"]
