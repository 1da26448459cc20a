"""Smoke test of the real app in Chromium: it starts, shows no error, and navigates."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser_utils import assert_no_exception, goto_page, wait_for_app


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
