"""One room, two app servers, nginx in front, PostgreSQL behind: the presenter's browser is on
server 1, a participant's on server 2 (checked from nginx's X-Upstream header and the servers' own
session counters). The participant trains and posts a run and adds a drawing; the presenter's board,
served by the other process, shows both. Then server 2 stops mid-workshop, the participant
watching the board: their browser reconnects through nginx to server 1 as a new session, is told
so, and is Ana again (from ``?room=...&me=...``, without joining), her run still hers; the
presenter keeps working and the posted run and drawing are still in the room.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from core.presets import WORKSHOP_CNN
from deploy.stack import Stack
from tests import postgres_server
from tests.browser_utils import assert_no_exception, goto_page, wait_for_app
from tests.nginx_stack import (
    context_on,
    nginx_stack,
    sessions,
    since,
    upstreams_seen,
    wait_for_connect,
)
from tests.test_browser_room import back_as_ana, draw_and_add_a_seven, go, train_and_post

pytestmark = pytest.mark.slow  # the participant trains a model

pytest_plugins = ["tests.room_fixtures"]  # pg_server: one PostgreSQL cluster per test session
BOARD_TIMEOUT = 15_000  # ms: "within a few seconds" (the board refreshes every 2.5 s)


@pytest.fixture(scope="module")
def room_db(pg_server: postgres_server.PostgresServer) -> str:
    """A database for this test on the session's PostgreSQL cluster (skipped where it is not installed)."""
    return pg_server.create_database("rooms_two_servers")


@pytest.fixture(scope="module")
def stack(room_db: str) -> Iterator[Stack]:
    """Two servers (TensorFlow warming up in the background, as in a workshop) and nginx."""
    with nginx_stack(2, room_db, env={}) as running:
        yield running


def start_room(page: Page, url: str) -> str:
    goto_page(page, url, "room")
    page.get_by_role("button", name="Start a room").click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Pause posting")).to_be_visible()
    code = page.locator(".room-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{6}", code), code
    return code


def join(page: Page, url: str, code: str) -> None:
    """Opens Train with the workshop CNN, then joins the room as Ana by typing its code."""
    goto_page(page, url, "train", {"arch": WORKSHOP_CNN.to_url()})
    go(page, "Room")
    page.get_by_role("textbox", name="Room code").fill(code)
    page.get_by_role("textbox", name="Your nickname").fill("Ana")
    page.get_by_role("button", name="Join the room").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text(f"Room {code} · as Ana")


def test_a_participant_on_server_2_shows_on_the_board_of_a_presenter_on_server_1(
    stack: Stack, browser: Browser
):
    one, two = stack.servers
    presenting, joining = context_on(browser, stack, 1), context_on(browser, stack, 2)
    try:
        presenter, participant = presenting.new_page(), joining.new_page()
        on_one, on_two = upstreams_seen(presenter), upstreams_seen(participant)
        connects = sessions(two.url)["connect"]
        code = start_room(presenter, stack.public_url)
        expect(presenter.get_by_text("0 runs, 0 drawings")).to_be_visible()
        join(participant, stack.public_url, code)
        assert sessions(two.url)["connect"] == connects + 1  # the participant's websocket
        train_and_post(participant)
        expect(presenter.get_by_text("1 run, 0 drawings")).to_be_visible(timeout=BOARD_TIMEOUT)
        draw_and_add_a_seven(participant)
        expect(presenter.get_by_text("1 run, 1 drawing")).to_be_visible(timeout=BOARD_TIMEOUT)
        expect(presenter.get_by_test_id("stDataFrame").first).to_contain_text("Ana")
        expect(presenter.get_by_text(re.compile(r"on the room's 1 drawing\."))).to_be_visible(
            timeout=60_000  # server 1 loads the run posted on server 2, from PostgreSQL, to score it
        )
        assert since(on_one) == {one.address} and since(on_two) == {two.address}

        go(participant, "Room")  # the participant watches the board
        assert f"room={code}&me=" in participant.url
        connects = sessions(one.url)["connect"]
        stack.stop_server(2)
        stopped_ms = time.time() * 1000
        wait_for_connect(one.url, connects)  # the participant's browser reconnected, to server 1
        restarted = participant.get_by_text("so your session restarted here")
        expect(restarted).to_be_visible(timeout=60_000)  # the reconnect reruns the Room page there
        expect(restarted).not_to_contain_text("join it again")
        back_as_ana(participant, code)
        assert since(on_two, stopped_ms) == {one.address}  # what it asked for since, server 1 sent

        presenter.get_by_role("button", name="Pause posting").click()
        wait_for_app(presenter)  # the presenter's session on server 1 is untouched
        expect(presenter.get_by_role("button", name="Reopen the room")).to_be_visible()
        expect(presenter.get_by_text("1 run, 1 drawing")).to_be_visible(timeout=BOARD_TIMEOUT)
        expect(presenter.get_by_test_id("stDataFrame").first).to_contain_text("Ana")
        assert_no_exception(presenter)
        assert_no_exception(participant)
    finally:
        presenting.close()
        joining.close()
