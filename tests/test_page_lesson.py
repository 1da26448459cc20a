"""The Lesson page under AppTest: every step renders, bad ?step= falls back, presentation mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import lesson
from core.presets import DEFAULT
from tests.charts import chart_specs

pytestmark = pytest.mark.page

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 90  # the first run imports Keras and loads MNIST and the pretrained model


def _run(query: dict[str, str], script: str = "pages/lesson.py") -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    return "\n".join(
        [m.value for m in at.markdown]
        + [c.value for c in at.caption]
        + [c.value for c in at.code]
        + [h.value for h in at.header]
    )


@pytest.mark.parametrize("step", lesson.STEPS, ids=lambda s: f"{s.number}-{s.id}")
def test_every_step_renders(step):
    at = _run({"step": str(step.number)})
    assert at.header[0].value == f"{step.number}. {step.title}"
    assert not at.error and not at.info
    assert at.query_params["step"] == str(step.number)
    assert at.query_params["arch"] == DEFAULT.to_url()  # ui.state wrote the architecture
    assert at.get("plotly_chart") or at.get("imgs"), "each step shows a figure"


@pytest.mark.parametrize("raw", ["0", "999", "abc", "9" * 400, "<b>4</b>"])
def test_bad_step_falls_back_to_step_one_with_a_note(raw):
    at = _run({"step": raw})
    assert at.header[0].value.startswith("1. ")
    assert len(at.info) == 1 and "steps 1 to 11" in at.info[0].value
    assert at.query_params["step"] == "1"


def test_normalisation_step_shows_the_slip_numerically():
    text = _texts(_run({"step": "4"}))
    for fact in ("78.6", "33.3", "-0.42", "2.82", "-1.00", "6.65", "mnist_stdev = x_trn.mean()"):
        assert fact in text, fact


def test_next_back_and_pills_move_through_the_steps():
    at = _run({"step": "10"})
    at.button(key="lesson.next").click().run()
    assert at.header[0].value.startswith("11. ") and at.query_params["step"] == "11"
    assert at.button(key="lesson.next").disabled
    at.button(key="lesson.prev").click().run()
    assert at.header[0].value.startswith("10. ")
    at.get("button_group")[0].set_value(3).run()
    assert at.header[0].value.startswith("3. ") and at.query_params["step"] == "3"
    assert not at.exception


def test_presentation_mode_from_the_link_and_the_toggle():
    at = _run({"step": "5"})
    assert at.title and at.number_input  # normal: title and the digit chooser
    at.toggle(key="lesson.present_toggle").set_value(True).run()
    assert at.query_params["present"] == "1"
    assert not at.title and not at.number_input and not at.expander  # fewer controls
    at.toggle(key="lesson.present_toggle").set_value(False).run()
    assert "present" not in at.query_params and at.number_input
    at = _run({"step": "5", "present": "1"})
    assert at.toggle(key="lesson.present_toggle").value and not at.number_input


def test_link_with_architecture_and_full_page_links_carry_it():
    arch = "norm-conv(8,5)-maxpool-flatten-dense(10,softmax)"
    at = _run({"step": "7", "arch": arch}, script="app.py")  # through app.py's navigation
    at.switch_page("pages/lesson.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["arch"] == arch
    assert "conv 4,608 → pool 1,152" in _texts(at)  # 24×24×8, then 12×12×8: the link's architecture
    links = at.get("page_link")
    assert links and "arch=" in links[0].proto.query_string


PAGES = {s.page: s for s in lesson.STEPS}  # one step per page it links to


@pytest.mark.parametrize("step", PAGES.values(), ids=PAGES.keys())
def test_open_the_full_page_links_to_the_page_the_step_names(step):
    at = _run({"step": str(step.number)}, script="app.py")
    at.switch_page("pages/lesson.py").run()
    (link,) = at.get("page_link")  # a real link: outside the navigation it would be a caption
    assert link.value == "Open the full page" and link.proto.help.startswith(step.page_label)
    at.switch_page(step.page).run()  # raises unless app.py's navigation has that page
    assert not at.exception, [e.value for e in at.exception]
    assert step.page_label in at.title[0].value


def test_the_normalisation_chart_shows_both_ranges():
    at = _run({"step": "4"})
    spec = chart_specs(at)["lesson.slip"]
    ranges = [a["text"] for a in spec["layout"]["annotations"] if a["text"].startswith("<b>from")]
    assert ranges == ["<b>from -0.42 to 2.82</b>", "<b>from -1.00 to 6.65</b>"]


def test_a_model_step_says_so_when_tensorflow_cannot_load(monkeypatch):
    from ui import warmup

    monkeypatch.setattr(warmup, "_WARMUP", warmup.Warmup(("no_such_module_for_the_lesson_test",)))
    at = AppTest.from_file(str(ROOT / "pages/lesson.py"), default_timeout=TIMEOUT)
    at.query_params["step"] = "5"
    at.run()
    assert not at.exception
    assert at.header[0].value.startswith("5. ")  # the step's text is still there
    (error,) = at.error
    assert error.value.startswith("TensorFlow could not be loaded")
    assert not at.get("plotly_chart")
