"""The Room in Chromium, two browsers: a presenter starts a room, a participant joins with its code,
trains the workshop CNN on a small subset, posts it, adds a drawing, and the presenter's board
(which refreshes itself) shows both within a few seconds. A reload of the participant's Room page
(a new session) keeps them in the room as themselves, their run still theirs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from core.presets import WORKSHOP_CNN
from tests.browser_utils import (
    VIEWPORT,
    assert_no_exception,
    goto_page,
    start_app,
    stop_app,
    wait_for_app,
)
from tests.test_browser_draw import CANVAS, GUESS, stroke
from tests.test_browser_train import choose

pytestmark = pytest.mark.slow  # the participant trains a model

RUN_TIMEOUT = 180_000  # ms; a shared 2-core machine can be slow, and this is not a timing test
BOARD_TIMEOUT = 15_000  # ms: "within a few seconds" (the board refreshes every 2.5 s)


@pytest.fixture
def room_server(tmp_path, monkeypatch):
    """A server of its own, on a room database of its own."""
    monkeypatch.setenv("LAYER_BY_LAYER_ROOM_DB", f"sqlite:///{tmp_path}/rooms.sqlite3")
    server = start_app("app.py")
    try:
        yield server.url
    finally:
        stop_app(server)


def start_room(page: Page, url: str) -> str:
    goto_page(page, url, "room")
    page.get_by_role("button", name="Start a room").click()
    wait_for_app(page)
    code = page.locator(".room-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{6}", code), code
    assert "presenter=" not in page.url
    expect(page.get_by_role("button", name="Pause posting")).to_be_visible()
    return code


def go(page: Page, title: str) -> None:
    """Another page through the sidebar: the same session (a new address would start a new one)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    wait_for_app(page, timeout=60_000)


def join(page: Page, url: str, code: str, nickname: str) -> None:
    """Opens the app on Train with the workshop CNN, then joins the room by typing its code."""
    goto_page(page, url, "train", {"arch": WORKSHOP_CNN.to_url()})
    go(page, "Room")
    page.get_by_role("textbox", name="Room code").fill(code.lower())
    page.get_by_role("textbox", name="Your nickname").fill(nickname)
    page.get_by_role("button", name="Join the room").click()
    wait_for_app(page)
    expect(page.get_by_text("You are in room")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text(f"Room {code} · as {nickname}")
    expect(page.get_by_role("button", name="Pause posting")).to_have_count(0)


def train_and_post(page: Page) -> None:
    go(page, "Train")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("Small CNN for workshops").first).to_be_visible()
    page.get_by_role("button", name="Quick recipe").click()
    wait_for_app(page)
    choose(page, "Training images", "2,000 (quick)")
    page.get_by_role("button", name="Train", exact=True).click()
    expect(main.get_by_text("Your trained model (run #1)")).to_be_visible(timeout=RUN_TIMEOUT)
    wait_for_app(page)
    page.get_by_role("button", name="Post to the room").click()
    wait_for_app(page)
    expect(main.get_by_text("is on the room's board as Ana")).to_be_visible()


def draw_and_add_a_seven(page: Page) -> None:
    go(page, "Draw")
    page.locator(CANVAS).wait_for(timeout=30_000)
    stroke(page, [(70, 60), (210, 60), (120, 240)])
    expect(page.locator(GUESS).first).to_be_visible(timeout=30_000)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("Your drawing through the room's models")).to_be_visible()
    digits = main.locator(".st-key-room-draw-digit button")  # the segmented control's options
    digits.filter(has_text=re.compile(r"^7$")).click()
    wait_for_app(page)
    main.get_by_role("button", name="Add to the room's handwriting", exact=True).click()
    wait_for_app(page)
    expect(main.get_by_text("This drawing is in the room's handwriting as a 7.")).to_be_visible()


def back_as_ana(page: Page, code: str) -> None:
    """The Room page of a new session from ``?room=CODE&me=...``: Ana again, her run still hers."""
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(f"Welcome back, Ana: you are in room {code} again.")).to_be_visible(
        timeout=60_000
    )
    expect(main.get_by_text(f"You are in room {code} as Ana.")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text(f"Room {code} · as Ana")
    expect(page.get_by_role("button", name="Join the room")).to_have_count(0)
    main.get_by_text("Your runs and drawings in the room").click()
    wait_for_app(page)
    expect(main.get_by_text(re.compile(r"^Run #\d+: .* on MNIST's test digits"))).to_be_visible()
    expect(main.get_by_role("button", name="Delete this run")).to_be_visible()


def test_the_presenter_sees_a_participants_run_and_drawing(room_server: str, browser: Browser):
    presenting = browser.new_context(viewport=VIEWPORT)
    joining = browser.new_context(viewport=VIEWPORT)
    try:
        presenter, participant = presenting.new_page(), joining.new_page()
        code = start_room(presenter, room_server)
        expect(presenter.get_by_text("0 runs, 0 drawings")).to_be_visible()
        join(participant, room_server, code, "Ana")
        train_and_post(participant)
        expect(presenter.get_by_text("1 run, 0 drawings")).to_be_visible(timeout=BOARD_TIMEOUT)
        draw_and_add_a_seven(participant)
        expect(presenter.get_by_text("1 run, 1 drawing")).to_be_visible(timeout=BOARD_TIMEOUT)
        board = presenter.get_by_test_id("stDataFrame").first
        expect(board).to_contain_text("Ana", timeout=BOARD_TIMEOUT)
        expect(presenter.get_by_text(re.compile(r"on the room's 1 drawing\."))).to_be_visible(
            timeout=60_000  # the first scoring imports TensorFlow in the presenter's process
        )
        go(participant, "Room")
        assert f"room={code}&me=" in participant.url
        participant.reload()  # Streamlit starts a new session for the reloaded tab
        wait_for_app(participant)
        back_as_ana(participant, code)
        assert_no_exception(presenter)
        assert_no_exception(participant)
    finally:
        presenting.close()
        joining.close()
