"""Smoke test of the real app in Chromium: it starts, shows no error, and navigates."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser_utils import assert_no_exception, goto_page, start_app, stop_app, wait_for_app


def test_app_starts_and_navigates_to_build(app_url: str, page: Page) -> None:
    goto_page(page, app_url)
    assert_no_exception(page)
    expect(page.get_by_test_id("stHeading").first).to_contain_text("MNIST at a glance")

    nav = page.get_by_test_id("stSidebarNav")
    build_link = nav.get_by_test_id("stSidebarNavLink").filter(has_text="Build")
    expect(build_link).to_be_visible()

    build_link.click()
    # the new page's run has begun (Build then mirrors its architecture into ?arch=)
    expect(page).to_have_url(re.compile(r"/build/?(\?.*)?$"))
    wait_for_app(page)
    expect(page.get_by_test_id("stHeading").first).to_contain_text("Build")
    assert_no_exception(page)


def test_look_inside_right_after_a_restart_waits_for_tensorflow_behind_a_spinner(
    page: Page,
) -> None:
    # A server of its own: the session-wide one has TensorFlow warm already.
    server = start_app("app.py")
    try:
        goto_page(page, server.url)  # the first page paints; the background import starts
        expect(page.get_by_test_id("stHeading").first).to_contain_text("MNIST at a glance")
        page.get_by_test_id("stSidebarNav").get_by_text("Look inside", exact=True).click()
        expect(
            page.get_by_text("Loading TensorFlow (first time after the server starts")
        ).to_be_visible()
        wait_for_app(page, timeout=120_000)
        expect(page.get_by_test_id("stHeading").first).to_contain_text("Look inside")
        expect(page.get_by_text("Loading TensorFlow")).to_have_count(0)
        assert_no_exception(page)
    except AssertionError as failure:  # the server's side of it (ui.warmup logs there)
        raise AssertionError(f"{failure}\nserver log:\n{server.log_tail()}") from failure
    finally:
        stop_app(server)
