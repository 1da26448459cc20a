"""The Lesson's "Predict first" box: an optional guess before the answer, kept per question in the session.

``box(step_id, present)`` draws it at the steps ``core.quiz`` has a question for (never in
presentation mode) as a fragment, so typing and checking rerun only the box. The answers live
under one session key, behind ``result``, ``keep`` and ``forget``; each checked guess is also
given to the room (``ui.room_state.record_answer``) when that module is there.
"""

from __future__ import annotations

import streamlit as st

from core import quiz
from core.quiz import Question, Verdict
from ui import markdown

SKIPPED = "skipped"  # what ``result`` holds for a question whose answer was shown without a guess
_RESULTS = "lesson.quiz.results"  # {question id: Verdict or SKIPPED}
_PROBLEM = "lesson.quiz.problem"  # {question id: why the last guess could not be read}
_HIDE = "lesson.quiz.hide"  # the toggle: keep each step's answer out of sight until guessed
_HIDDEN = "lesson.quiz.hidden"  # question ids whose step text and figure are hidden right now
HIDDEN_NOTE = (
    "This step's text and figure give the answer away: they show once you have guessed "
    "(or pressed Show the answer)."
)


def _key(question: Question, part: str) -> str:
    return f"lesson.quiz.{part}.{question.id}"


def result(question_id: str) -> Verdict | str | None:
    """The checked guess, SKIPPED, or None while the question is open."""
    return st.session_state.get(_RESULTS, {}).get(question_id)


def keep(question_id: str, value: Verdict | str) -> None:
    """Keeps a checked guess (or SKIPPED) for the rest of the session."""
    st.session_state.setdefault(_RESULTS, {})[question_id] = value
    st.session_state.setdefault(_PROBLEM, {}).pop(question_id, None)


def forget(question_id: str) -> None:
    """Opens the question again (after a wrong guess: "Try again")."""
    st.session_state.setdefault(_RESULTS, {}).pop(question_id, None)


def problem(question_id: str) -> str | None:
    """Why the last guess typed could not be read, or None."""
    return st.session_state.get(_PROBLEM, {}).get(question_id)


def _record(question_id: str, value: str) -> None:
    """Gives the answer to the room, when room mode (``ui.room_state``) is part of this app."""
    try:
        from ui import room_state
    except ImportError:  # room mode is not there: the answer stays in this session only
        return
    record = getattr(room_state, "record_answer", None)
    if record is not None:
        record(question_id, value)


def _checked(question: Question) -> None:
    """The Check button's callback: judge the guess typed, or say why it cannot be read."""
    try:
        verdict = quiz.check(question, st.session_state.get(_key(question, "guess"), ""))
    except quiz.GuessError as err:
        st.session_state.setdefault(_PROBLEM, {})[question.id] = str(err)
        return
    keep(question.id, verdict)
    _record(question.id, verdict.text)


def box(step_id: str, present: bool) -> None:
    """The step's question with a guess box, or its answer once guessed or shown; nothing when presenting."""
    question = quiz.for_step(step_id)
    if question is None or present:
        return
    st.toggle(
        "Hide the answer until I guess",
        key=_HIDE,
        help="Keeps the step's text and figure out of sight until you have guessed.",
    )
    _quiz(question)


def hides_answer(step_id: str, present: bool) -> bool:
    """True when the step's text and figure must wait: the toggle is on and the question is open.

    The fragment reruns the whole page once the question is answered, so they then show.
    """
    question = quiz.for_step(step_id)
    hidden = st.session_state.setdefault(_HIDDEN, set())
    hide = (
        question is not None
        and not present
        and bool(st.session_state.get(_HIDE))
        and result(question.id) is None
    )
    if hide:
        hidden.add(question.id)
    return hide


@st.fragment
def _quiz(question: Question) -> None:
    with st.container(border=True, key=f"lesson-quiz-{question.step_id}"):
        st.markdown(f":material/psychology_alt: **Predict first.** {question.prompt}")
        done = result(question.id)
        if done is None:
            _form(question)
            return
        hidden = st.session_state.get(_HIDDEN, set())
        if question.id in hidden:  # answered while the step waited: show it, with the whole page
            hidden.discard(question.id)
            st.rerun()
        _answer(question, done)


def _form(question: Question) -> None:
    with st.form(_key(question, "form"), border=False):
        st.text_input(
            "Your guess",
            key=_key(question, "guess"),
            max_chars=quiz.MAX_GUESS,
            placeholder=question.example,
        )
        with st.container(horizontal=True):
            st.form_submit_button(
                "Check",
                key=_key(question, "check"),
                type="primary",
                on_click=_checked,
                args=(question,),
            )
            st.form_submit_button(
                "Show the answer",
                key=_key(question, "skip"),
                on_click=keep,
                args=(question.id, SKIPPED),
                help="Skip the guess: the answer shows and nothing is recorded.",
            )
    why = problem(question.id)
    if why:
        st.warning(markdown.escape(why), icon=":material/edit:")  # it quotes the guess


def _answer(question: Question, done: Verdict | str) -> None:
    if isinstance(done, Verdict):
        show = st.success if done.right else st.warning
        icon = ":material/check_circle:" if done.right else ":material/lightbulb:"
        show(done.message, icon=icon)
    else:
        st.markdown(f"**The answer: {question.answer_text}.**")
    st.markdown(question.working)
    if isinstance(done, Verdict) and not done.right:
        st.button(
            "Try again",
            key=_key(question, "again"),
            on_click=forget,
            args=(question.id,),
            type="tertiary",
            icon=":material/replay:",
        )
