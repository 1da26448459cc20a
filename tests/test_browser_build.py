"""The Build page in Chromium: add layers through the real widgets, open share links, no exceptions."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser_utils import assert_no_exception, goto_page, wait_for_app

TABLE = "[data-testid='stTable']"


def open_build(page: Page, app_url: str, arch: str | None = None) -> None:
    goto_page(page, app_url, "build", {"arch": arch} if arch is not None else "")
    expect(page.locator(TABLE)).to_be_visible()
    assert_no_exception(page)


def test_add_layers_through_the_ui(app_url: str, page: Page) -> None:
    open_build(page, app_url, "norm-conv(8,5)")
    table = page.locator(TABLE)
    expect(table).to_contain_text("(None, 24, 24, 8)")
    expect(table).not_to_contain_text("(None, 22, 22, 32)")

    page.locator(
        ".st-key-add-button button:visible"
    ).click()  # the palette starts at Conv2D(32, 3×3)
    wait_for_app(page)
    expect(table).to_contain_text("(None, 22, 22, 32)")
    expect(table).to_contain_text("3·3·8·32 + 32 = 2,336")

    page.locator(".st-key-add-kind").click()
    page.get_by_role("option", name="Max pooling").click()
    wait_for_app(page)
    page.locator(".st-key-add-button button:visible").click()
    wait_for_app(page)
    expect(table).to_contain_text("(None, 11, 11, 32)")
    expect(page).to_have_url(re.compile(r"arch=norm-conv%288%2C5%29-conv-maxpool$"))
    assert_no_exception(page)


def test_remove_and_undo_buttons(app_url: str, page: Page) -> None:
    open_build(page, app_url, "norm-conv(8,5)-maxpool")
    table = page.locator(TABLE)
    page.locator(".st-key-row-remove-2 button:visible").click()
    wait_for_app(page)
    expect(table).not_to_contain_text("(None, 12, 12, 8)")
    page.locator(".st-key-undo button:visible").click()
    wait_for_app(page)
    expect(table).to_contain_text("(None, 12, 12, 8)")
    assert_no_exception(page)


def test_a_share_link_shows_its_shapes(app_url: str, page: Page) -> None:
    open_build(page, app_url, "norm-conv(8,5)-maxpool-flatten-dense(10,softmax)")
    table = page.locator(TABLE)
    for shape in ("(None, 24, 24, 8)", "(None, 12, 12, 8)", "(None, 1152)", "(None, 10)"):
        expect(table).to_contain_text(shape)
    expect(page.get_by_test_id("stMetric").first).to_contain_text("11,738")
    expect(
        page.get_by_test_id("stPlotlyChart").first.locator("svg.main-svg").first
    ).to_be_attached()
    assert_no_exception(page)


def test_a_broken_link_and_a_bad_link_show_messages(app_url: str, page: Page) -> None:
    open_build(page, app_url, "conv(32,5)-maxpool(8)-conv(8,5)")
    expect(page.locator(TABLE)).to_contain_text("does not fit a 3×3 input")
    expect(page.get_by_test_id("stAlert").first).to_contain_text("breaks")
    open_build(page, app_url, "conv(0)")
    expect(page.get_by_test_id("stAlert").first).to_contain_text("could not be read")
    expect(page.locator(TABLE)).to_contain_text("(None, 10)")  # the notebook's CNN instead
    assert_no_exception(page)


def test_json_upload_in_the_browser(app_url: str, page: Page, tmp_path) -> None:
    open_build(page, app_url, "flatten")
    page.get_by_text("Export: Keras code, JSON file, share link").click()
    wait_for_app(page)
    uploader = page.locator(".st-key-upload input[type='file']")
    expect(uploader).to_be_attached(timeout=60_000)  # opening the box imports Keras for the code
    wait_for_app(page)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    uploader.set_input_files(str(bad))
    wait_for_app(page)
    expect(page.get_by_test_id("stAlert").first).to_contain_text("not valid JSON")
    expect(page.locator(TABLE)).to_contain_text("(None, 784)")
    wait_for_app(page)
    good = tmp_path / "good.json"
    good.write_text('{"layers": [{"kind": "Conv2D", "params": {"filters": 4}}]}')
    uploader.set_input_files(str(good))
    wait_for_app(page)
    expect(page.locator(TABLE)).to_contain_text("(None, 26, 26, 4)")
    assert_no_exception(page)
