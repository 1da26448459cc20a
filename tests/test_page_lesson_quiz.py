"""Predict first on the Lesson page under AppTest: guess, see right or wrong, skip; hidden when presenting."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from core import lesson, quiz
from tests.fragments import fragment_id, fragment_scoped
from ui import markdown

pytestmark = pytest.mark.page

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 90  # steps 5-9 import Keras and load the pretrained model on the first run
NUMBER = {s.id: s.number for s in lesson.STEPS}


def _open(step_id: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/lesson.py"), default_timeout=TIMEOUT)
    at.query_params["step"] = str(NUMBER[step_id])
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _guess(at: AppTest, question: quiz.Question, text: str) -> AppTest:
    at.text_input(key=f"lesson.quiz.guess.{question.id}").input(text)
    at.button(key=f"lesson.quiz.check.{question.id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.fixture
def room(monkeypatch) -> list[tuple[str, str]]:
    """A stand-in for ``ui.room_state`` (written by the room helper) that records the answers."""
    calls: list[tuple[str, str]] = []
    fake = types.ModuleType("ui.room_state")
    fake.record_answer = lambda question_id, value: calls.append((question_id, value))
    monkeypatch.setitem(sys.modules, "ui.room_state", fake)
    monkeypatch.setattr(ui, "room_state", fake, raising=False)
    return calls


@pytest.mark.parametrize("question", quiz.questions(), ids=lambda q: q.id)
def test_a_right_guess_says_so_with_the_arithmetic(question, room):
    at = _open(question.step_id)
    assert f"**Predict first.** {question.prompt}" in _markdown(at)
    assert not at.success and not at.warning  # the answer waits for a guess
    _guess(at, question, question.answer_text)
    assert [s.value for s in at.success] == [f"Right: {question.answer_text}."]
    assert question.working in _markdown(at)
    assert room == [(question.id, question.answer_text)]  # the room's board gets the answer


def test_a_wrong_guess_says_what_it_is_and_can_be_tried_again(room):
    question = quiz.for_step("dense-only")
    at = _guess(_open("dense-only"), question, "2")
    assert [w.value for w in at.warning] == ["Not quite: you said 2; it is (28, 28, 2)."]
    assert question.working in _markdown(at)
    at.button(key=f"lesson.quiz.again.{question.id}").click().run()
    _guess(at, question, "28 x 28 x 2")
    assert [s.value for s in at.success] == ["Right: (28, 28, 2)."]
    assert room == [(question.id, "2"), (question.id, "(28, 28, 2)")]


@pytest.mark.parametrize("text", ["", "lots", "3.5", "1, 2, 3, 4, 5, 6, 7", "**3136**"])
def test_a_guess_that_is_not_a_number_gets_a_short_message_and_no_verdict(text, room):
    question = quiz.for_step("flatten")
    at = _guess(_open("flatten"), question, text)
    with pytest.raises(quiz.GuessError) as caught:
        quiz.check(question, text)
    assert [w.value for w in at.warning] == [markdown.escape(str(caught.value))]  # Markdown-safe
    assert len(str(caught.value)) < 120 and not at.success
    assert at.text_input(key=f"lesson.quiz.guess.{question.id}")  # still open for a guess
    assert room == []


def test_showing_the_answer_skips_the_guess_and_records_nothing(room):
    question = quiz.for_step("convolution")
    at = _open("convolution")
    at.button(key=f"lesson.quiz.skip.{question.id}").click().run()
    assert f"**The answer: {question.answer_text}.**" in _markdown(at)
    assert question.working in _markdown(at) and not at.success and not at.warning
    assert not at.text_input and room == []


def test_answers_are_kept_when_moving_through_the_steps():
    question = quiz.for_step("pooling")
    at = _guess(_open("pooling"), question, "(None, 14, 14, 32)")
    at.button(key="lesson.next").click().run()
    assert at.header[0].value.startswith(f"{NUMBER['pooling'] + 1}. ")
    at.button(key="lesson.prev").click().run()
    assert [s.value for s in at.success] == ["Right: (14, 14, 32)."]


def test_checking_a_guess_reruns_only_the_quiz_fragment():
    question = quiz.for_step("flatten")
    at = _open("flatten")
    at.text_input(key=f"lesson.quiz.guess.{question.id}").input("3136")
    with fragment_scoped(fragment_id(at, "_quiz")):
        at.button(key=f"lesson.quiz.check.{question.id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == ["Right: 3,136."]
    assert not at.header and not at.get("plotly_chart")  # the rest of the page did not run


@pytest.mark.parametrize("question", quiz.questions(), ids=lambda q: q.id)
def test_presentation_mode_hides_the_quiz(question):
    at = _open(question.step_id, present="1")
    assert "Predict first" not in _markdown(at)
    assert not at.text_input and not at.success and not at.warning
    assert at.header[0].value.startswith(f"{NUMBER[question.step_id]}. ")


def test_steps_without_a_number_to_find_have_no_quiz():
    asked = {q.step_id for q in quiz.questions()}
    for step in (s for s in lesson.STEPS if s.id not in asked and s.id in {"data", "normalise"}):
        at = _open(step.id)
        assert "Predict first" not in _markdown(at) and not at.text_input


def test_hiding_keeps_the_step_out_of_sight_until_a_guess():
    question = quiz.for_step("flatten")
    at = _open(question.step_id)
    text = lesson.step(NUMBER[question.step_id]).text
    assert text in _markdown(at)  # off by default: the step reads as before
    charts_before = len(at.get("plotly_chart"))
    at.toggle(key="lesson.quiz.hide").set_value(True).run()
    assert not at.exception
    assert text not in _markdown(at) and not at.get("plotly_chart")
    assert any("give the answer away" in c.value for c in at.caption)
    _guess(at, question, question.answer_text)
    assert at.success  # right, and the page came back whole
    assert text in _markdown(at) and len(at.get("plotly_chart")) == charts_before
