"""The Train page in Chromium: a quick run of the workshop CNN shows its live curve and test accuracy; Stop works."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from core.presets import WORKSHOP_CNN
from tests.browser_utils import VIEWPORT, assert_no_exception, goto_page, wait_for_app

pytestmark = pytest.mark.slow  # both tests train models

RUN_TIMEOUT = 180_000  # ms; a shared 2-core machine can be slow, and this is not a timing test
# The live progress line ("Epoch 1/2 · ... · 812 images/s · ..."), not the estimate before a run
# ("at about 7,600 images/s"), which shows while a job still waits in the queue.
PROGRESS = re.compile(r"· [\d,]+ images/s")


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (reopening it if a rerun closed it)."""
    item = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        page.get_by_test_id("stSelectbox").filter(has_text=label).click()
        try:
            item.wait_for(timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: the list closed again
            wait_for_app(page)
    item.click()
    wait_for_app(page)


def test_quick_run_shows_curves_and_test_accuracy_then_stop_keeps_weights(app_url: str, page: Page):
    goto_page(page, app_url)  # open the app at its root first, as a visitor would
    goto_page(page, app_url, "train", {"arch": WORKSHOP_CNN.to_url()})
    assert_no_exception(page)
    expect(page.get_by_text("Small CNN for workshops").first).to_be_visible()

    page.get_by_role("button", name="Quick recipe").click()
    wait_for_app(page)
    choose(page, "Training images", "2,000 (quick)")
    # Before Train: how long the run takes here (measured in the background) and the queue.
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("This run will take")).to_be_visible(timeout=RUN_TIMEOUT)
    expect(main.get_by_text("2 epochs of 2,000 images")).to_be_visible()
    expect(main.get_by_text(re.compile(r"No queue|ahead of you"))).to_be_visible()
    page.get_by_role("button", name="Train", exact=True).click()

    expect(main.get_by_text("Your trained model (run #1)")).to_be_visible(timeout=RUN_TIMEOUT)
    wait_for_app(page)
    assert_no_exception(page)
    expect(main.get_by_text("Run finished in")).to_be_visible()
    curves = main.get_by_test_id("stPlotlyChart").first
    expect(curves.locator("svg.main-svg").first).to_be_attached()
    expect(curves.locator("path.js-line").first).to_be_attached()  # the curve is drawn
    accuracy = main.get_by_test_id("stMetric").filter(has_text="Test accuracy")
    expect(accuracy).to_contain_text(re.compile(r"\d+\.\d\d%"))
    expect(page.get_by_test_id("stSidebar")).to_contain_text("test accuracy (run #1)")

    # Clicking a confusion-matrix cell (a point of its transparent scatter layer) shows its digits.
    matrix = main.get_by_test_id("stPlotlyChart").filter(has_text="predicted digit")
    matrix.scroll_into_view_if_needed()
    cell = matrix.locator("g.trace.scatter path.point").nth(1 * 10 + 1).bounding_box()
    page.mouse.click(cell["x"] + cell["width"] / 2, cell["y"] + cell["height"] / 2)
    wait_for_app(page)
    expect(main.get_by_text(re.compile(r"test images of a 1 recognised"))).to_be_visible()

    # A longer run, stopped from the page: the weights so far become the model.
    choose(page, "Training images", "60,000 (all)")
    page.get_by_role("spinbutton", name="Batch size").fill("16")
    page.get_by_role("spinbutton", name="Batch size").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()
    expect(main.get_by_text(PROGRESS)).to_be_visible(timeout=RUN_TIMEOUT)
    expect(page.get_by_test_id("stSidebar").get_by_test_id("stProgress")).to_be_visible()
    main.get_by_role("button", name="Stop").click()
    expect(main.get_by_text("Stopped: the weights learnt so far are kept.")).to_be_visible(
        timeout=RUN_TIMEOUT
    )
    expect(main.get_by_text("Your trained model (run #2)")).to_be_visible(timeout=RUN_TIMEOUT)
    wait_for_app(page)
    assert_no_exception(page)
    expect(main.get_by_text("stopped early, weights kept")).to_be_visible()

    with page.expect_download(timeout=60_000) as download:
        main.get_by_role("button", name="Download the trained model (.keras)").click()
    assert download.value.suggested_filename == "layer-by-layer-run2.keras"
    with open(download.value.path(), "rb") as f:
        assert f.read(4) == b"PK\x03\x04"  # a .keras file is a zip archive


def test_closing_the_tab_stops_its_job_and_frees_its_slot(app_url: str, browser: Browser):
    """On this 2-core machine there is one training slot: a second session waits until the first
    session's job stops, which happens a few seconds after its tab closes (not when it would end)."""
    first = browser.new_context(viewport=VIEWPORT)
    page = first.new_page()
    goto_page(page, app_url)
    goto_page(page, app_url, "train", {"arch": WORKSHOP_CNN.to_url()})
    page.get_by_role("spinbutton", name="Epochs").fill("20")  # minutes of SGD, batch 32
    page.get_by_role("spinbutton", name="Epochs").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text(PROGRESS).first).to_be_visible(timeout=RUN_TIMEOUT)
    first.close()

    second = browser.new_context(viewport=VIEWPORT)
    try:
        other = second.new_page()
        goto_page(other, app_url, "train", {"arch": WORKSHOP_CNN.to_url()})
        other.get_by_role("button", name="Quick recipe").click()
        wait_for_app(other)
        other.get_by_role("button", name="Train", exact=True).click()
        main = other.get_by_test_id("stMain")
        expect(main.get_by_text(PROGRESS)).to_be_visible(timeout=60_000)
        main.get_by_role("button", name="Stop").click()
        expect(main.get_by_text("Your trained model (run #1)")).to_be_visible(timeout=RUN_TIMEOUT)
        assert_no_exception(other)
    finally:
        second.close()
