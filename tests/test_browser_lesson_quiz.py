"""Predict first in Chromium: type a guess, press Enter or Check, see right or wrong; gone when presenting."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core import lesson, quiz
from tests.browser_utils import assert_no_exception, goto_page, wait_for_app

pytestmark = pytest.mark.browser

NUMBER = {s.id: s.number for s in lesson.STEPS}
SLOW = 120_000  # ms: the first model step waits for Keras to load on a shared 2-core machine


def _box(page: Page, question: quiz.Question):
    return page.locator(f".st-key-lesson-quiz-{question.step_id}")


def test_a_guess_is_checked_in_the_page_and_presentation_mode_hides_it(app_url: str, page: Page):
    flatten = quiz.for_step("flatten")
    goto_page(page, app_url, "lesson", {"step": str(NUMBER["flatten"])}, timeout=SLOW)
    wait_for_app(page, timeout=SLOW, run_start=0)
    box = _box(page, flatten)
    expect(box.get_by_text("Predict first.")).to_be_visible()
    expect(box.get_by_text("Right:")).to_have_count(0)
    guess = box.get_by_label("Your guess")
    guess.fill("3,136")
    guess.press("Enter")  # the form submits on Enter, as Check does
    wait_for_app(page, timeout=SLOW)
    expect(box.get_by_text("Right: 3,136.")).to_be_visible()
    expect(box.get_by_text(flatten.working)).to_be_visible()
    assert_no_exception(page)

    dense = quiz.for_step("dense-only")
    goto_page(page, app_url, "lesson", {"step": str(NUMBER["dense-only"])}, timeout=SLOW)
    box = _box(page, dense)
    box.get_by_label("Your guess").fill("lots")
    box.get_by_role("button", name="Check").click()
    wait_for_app(page)
    expect(box.get_by_text("“lots” is not one")).to_be_visible()  # a short message, no traceback
    assert_no_exception(page)
    box.get_by_label("Your guess").fill("2")
    box.get_by_role("button", name="Check").click()
    wait_for_app(page)
    expect(box.get_by_text("Not quite: you said 2; it is (28, 28, 2).")).to_be_visible()

    page.get_by_text("Presentation mode").click()
    wait_for_app(page)
    step = lesson.step(NUMBER["dense-only"])
    expect(page.get_by_role("heading", name=f"{step.number}. {step.title}")).to_be_visible()
    expect(_box(page, dense)).to_have_count(0)
    expect(page.get_by_text("Predict first.")).to_have_count(0)
    assert_no_exception(page)
