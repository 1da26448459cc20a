"""Predict first: every answer agrees with Keras's own shapes and parameter counts; guesses are read fairly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import lesson, quiz
from core.architecture import Architecture
from core.keras_model import build_model
from core.presets import DENSE_ONLY, NOTEBOOK_CNN, WORKSHOP_CNN

ROOT = Path(__file__).resolve().parents[1]
OTHER_CNN = Architecture.from_url(
    "norm-conv(8,5)-maxpool(3)-conv(12,3,relu,1,same)-flatten-dense(10,softmax)"
)


def _keras_answer(question: quiz.Question) -> tuple[int, ...]:
    """What Keras itself says: the layer's output shape, or its parameter count."""
    layer = build_model(question.arch, seed=0).model.layers[question.layer]
    if question.kind == quiz.COUNT:
        return (layer.count_params(),)
    return tuple(int(d) for d in layer.output.shape[1:])


@pytest.mark.parametrize(
    "cnn", [NOTEBOOK_CNN, WORKSHOP_CNN, OTHER_CNN], ids=["notebook", "workshop", "other"]
)
def test_every_answer_is_what_keras_computes_for_the_real_layer(cnn):
    questions = quiz.questions(DENSE_ONLY, cnn)
    assert [q.step_id for q in questions] == ["dense-only", "convolution", "pooling", "flatten"]
    for question in questions:
        assert question.answer == _keras_answer(question), question.id


def test_the_lessons_questions_ask_about_the_models_it_shows():
    answers = {q.id: q.answer for q in quiz.questions()}
    assert answers == {
        "dense-only.shape": (28, 28, 2),
        "convolution.params": (320,),
        "pooling.shape": (14, 14, 32),
        "flatten.length": (3136,),
    }
    meta = json.loads((ROOT / "models" / "pretrained.json").read_text())
    shown = Architecture.from_url(meta["architecture"])  # the model steps 5-9 draw
    assert all(q.arch == shown for q in quiz.questions() if q.step_id != "dense-only")
    assert quiz.for_step("dense-only").arch == DENSE_ONLY


def test_each_question_belongs_to_a_step_and_never_gives_its_answer_away():
    ids = {s.id for s in lesson.STEPS}
    for question in quiz.questions():
        assert question.step_id in ids
        assert quiz.for_step(question.step_id) is question
        assert quiz.by_id(question.id) is question
        for text in (question.prompt, question.example):
            assert question.answer_text not in text and str(question.answer[-1]) + ")" not in text
        assert question.answer_text.replace(",", "") in question.working.replace(",", "")
    assert quiz.for_step("normalise") is None and quiz.by_id("no.such") is None


@pytest.mark.parametrize(
    "text, kind, expected",
    [
        ("3136", quiz.SHAPE, (3136,)),
        ("3,136", quiz.SHAPE, (3136,)),
        (" 3 136 ", quiz.COUNT, (3136,)),
        ("1_676_266", quiz.COUNT, (1_676_266,)),
        ("(14, 14, 32)", quiz.SHAPE, (14, 14, 32)),
        ("14x14x32", quiz.SHAPE, (14, 14, 32)),
        ("14 × 14 × 32", quiz.SHAPE, (14, 14, 32)),
        ("None, 14, 14, 32", quiz.SHAPE, (14, 14, 32)),
        ("(None, 14, 14, 32)", quiz.SHAPE, (14, 14, 32)),
        ("(None, 3,136)", quiz.SHAPE, (3136,)),
        ("(3136,)", quiz.SHAPE, (3136,)),
        ("[28 28 2]", quiz.SHAPE, (28, 28, 2)),
        ("28;28;2", quiz.SHAPE, (28, 28, 2)),
        ("320 parameters", quiz.COUNT, (320,)),
        ("320", quiz.COUNT, (320,)),
    ],
)
def test_the_parser_accepts_reasonable_spellings(text, kind, expected):
    assert quiz.parse_guess(text, kind) == expected


@pytest.mark.parametrize(
    "text, kind, words",
    [
        ("", quiz.SHAPE, "Type a guess first"),
        ("   ", quiz.COUNT, "Type a guess first"),
        ("three thousand", quiz.COUNT, "“three” is not one"),
        ("3.5", quiz.COUNT, "“3.5” is not one"),
        ("-320", quiz.COUNT, "is not one"),
        ("1e3", quiz.COUNT, "is not one"),
        ("(((", quiz.SHAPE, "is not one"),
        ("14, 14, 32", quiz.COUNT, "one number"),
        ("9" * 40, quiz.COUNT, "too large"),
        ("1, 2, 3, 4, 5, 6, 7", quiz.SHAPE, "too large"),
        ("7" * 200, quiz.SHAPE, "too long"),
        ("\u202e<b>9</b>", quiz.SHAPE, "is not one"),
    ],
)
def test_the_parser_refuses_anything_else_with_a_short_message(text, kind, words):
    with pytest.raises(quiz.GuessError) as caught:
        quiz.parse_guess(text, kind)
    message = str(caught.value)
    assert words in message and len(message) < 120
    assert "\u202e" not in message  # quoted back printable only


def test_check_says_right_or_wrong_with_the_answer():
    flatten, pooling = quiz.for_step("flatten"), quiz.for_step("pooling")
    right = quiz.check(flatten, "3,136")
    assert (right.right, right.text, right.message) == (True, "3,136", "Right: 3,136.")
    wrong = quiz.check(pooling, "28x28x32")
    assert not wrong.right and wrong.text == "(28, 28, 32)"
    assert wrong.message == "Not quite: you said (28, 28, 32); it is (14, 14, 32)."
    same_count = quiz.check(pooling, "6272")  # 14 · 14 · 32 numbers, but not the shape
    assert not same_count.right and same_count.message.endswith("arranged differently.")
    assert quiz.check(quiz.for_step("convolution"), "320").right
    with pytest.raises(quiz.GuessError):
        quiz.check(flatten, "lots")
