"""Bad input through the pages (AppTest): hostile links, files and settings give a message and lose nothing.

The core-level inventory is in tests/test_bad_input_*.py; this file checks what a user sees.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.architecture import Architecture
from core.presets import NOTEBOOK_CNN, WORKSHOP_CNN

pytestmark = pytest.mark.page

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60  # the first run that builds a model imports TensorFlow
BOUND = 1_000  # characters: a message longer than this is echoing the input back
SCRIPT = "<script>alert(1)</script>"
# A markdown link or image outside a code span would be live on the page: an external image is
# fetched by every browser that opens the link (a tracker), a link can point anywhere.
LIVE_MARKDOWN = re.compile(r"(?<!\\)\]\((?:https?|javascript|data):[^)\s]*\)", re.I)


def open_page(page: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def messages(at: AppTest) -> list[str]:
    return [str(e.value) for kind in (at.warning, at.error, at.info) for e in kind]


def assert_short(texts: list[str]) -> None:
    for text in texts:
        assert len(text) <= BOUND, f"a {len(text):,}-character message: {text[:200]}…"


# --- ?arch= -----------------------------------------------------------------------------------------

HOSTILE_LINKS = {
    "10 kB garbage": "%$#@!" * 2_000,
    "script tag": SCRIPT,
    "unicode": "\u202econv(32)\u200b-\U0001f600",
    "conv(1e308)": "conv(1e308)",
    "conv(nan)": "conv(nan)",
    "null byte": "norm\x00-flatten",
    "too many layers": "-".join(["norm"] * 61),
    "over the size limit": "norm-" * 5_000,
}


@pytest.mark.parametrize("link", HOSTILE_LINKS.values(), ids=HOSTILE_LINKS.keys())
def test_hostile_arch_links_keep_the_default_with_a_warning(link: str):
    at = open_page("pages/build.py", arch=link)
    assert at.session_state["build.arch"] == NOTEBOOK_CNN
    warnings = [w.value for w in at.warning]
    assert any("could not be read" in w for w in warnings), messages(at)
    assert_short(messages(at))
    assert at.query_params["arch"] == NOTEBOOK_CNN.to_url()  # URL = screen (one value: a str)


def test_a_long_value_in_a_link_gives_a_short_warning():
    at = open_page("pages/build.py", arch="conv(" + "x" * 15_000 + ")")
    assert any("could not be read" in w.value for w in at.warning)
    assert_short(messages(at))


@pytest.mark.parametrize(
    "link",
    ["![x](https://tracker.example/pixel.png)", "[Log in again](https://phish.example)"],
    ids=["markdown image", "markdown link"],
)
def test_markdown_in_a_link_is_not_live_in_the_warning(link: str):
    at = open_page("pages/build.py", arch=link)
    assert at.session_state["build.arch"] == NOTEBOOK_CNN
    assert not any(LIVE_MARKDOWN.search(text) for text in messages(at)), messages(at)


def test_a_bad_link_opened_in_a_running_session_keeps_the_layers():
    at = open_page("pages/build.py", arch=WORKSHOP_CNN.to_url())
    assert at.session_state["build.arch"] == WORKSHOP_CNN
    at.query_params["arch"] = SCRIPT
    at.run()
    assert not at.exception
    assert at.session_state["build.arch"] == WORKSHOP_CNN
    assert any("Your layers are unchanged" in w.value for w in at.warning)


# --- the Build page's JSON upload --------------------------------------------------------------------


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.session_state["export-open"] = True
    at.run()
    at.file_uploader(key="upload").set_value((name, content, "application/json"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


BAD_FILES = {
    "deeply nested": ('{"layers": ' + "[" * 5_000 + "]" * 5_000 + "}", "not valid JSON"),
    "NaN units": ('{"layers": [{"kind": "Dense", "params": {"units": NaN}}]}', "finite"),
    "script kind": (json.dumps({"layers": [{"kind": SCRIPT}]}), "unknown layer kind"),
    "Lambda layer": (
        json.dumps({"layers": [{"kind": "Lambda", "params": {"function": "os.system"}}]}),
        "unknown layer kind",
    ),
    "a pickle": (pickle.dumps({"layers": []}), "not UTF-8"),
    "null bytes": ("\x00" * 100, "not valid JSON"),
    "huge input shape": (json.dumps({"layers": [], "input_shape": [10**9, 1, 1]}), "input_shape"),
}


@pytest.mark.parametrize(("content", "words"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_architecture_files_keep_the_architecture(content: str | bytes, words: str):
    at = open_page("pages/build.py", arch="flatten")
    data = content.encode() if isinstance(content, str) else content
    upload(at, "architecture.json", data)
    assert at.session_state["build.arch"].to_url() == "flatten"
    errors = [e.value for e in at.error]
    assert any(words in e and "unchanged" in e for e in errors), errors
    assert_short(errors)


def test_every_uploader_accepts_only_json_or_images():
    build = open_page("pages/build.py", arch="flatten")
    build.session_state["export-open"] = True
    build.run()
    draw = open_page("pages/draw.py")
    draw.segmented_control(key="draw.source").set_value("Upload").run()
    assert not draw.exception, [e.value for e in draw.exception]
    accepted = {
        (page, u.key): list(u.proto.type)
        for page, at in (("build", build), ("draw", draw))
        for u in at.get("file_uploader")
    }
    assert accepted == {
        ("build", "upload"): [".json"],
        ("draw", "draw.upload"): [".png", ".jpg", ".jpeg"],
    }


def test_a_hostile_file_name_is_shown_as_text():
    at = open_page("pages/build.py", arch="flatten")
    upload(at, SCRIPT + "\u202e.json", b"not json")
    assert at.session_state["build.arch"].to_url() == "flatten"
    assert any("could not be read" in e.value for e in at.error)  # Streamlit escapes the HTML


# --- the Train page's settings --------------------------------------------------------------------

K = "train.w."
BAD_SETTINGS = {
    "learning rate 1e308": ("learning_rate", 1e308, "Learning rate must be above 0 and at most 10"),
    "learning rate negative": ("learning_rate", -0.5, "Learning rate must be above 0"),
    "momentum 1": ("momentum", 1.0, "Momentum must be at least 0 and below 1"),
    "batch 0": ("batch_size", 0, "Batch size must be a whole number from 1 to 4,096"),
    "batch 10**9": ("batch_size", 10**9, "Batch size must be a whole number"),
    "epochs 10**6": ("epochs", 10**6, "Epochs must be a whole number from 1 to 50"),
    "seed negative": ("seed", -7, "Seed must be a whole number from 0"),
}


@pytest.fixture(scope="module")
def train_page() -> AppTest:
    """One Train page session reused by the settings cases (each resets what it changed)."""
    return open_page("pages/train.py", arch=WORKSHOP_CNN.to_url())


@pytest.mark.parametrize(("key", "value", "words"), BAD_SETTINGS.values(), ids=BAD_SETTINGS.keys())
def test_out_of_range_settings_give_a_message_and_start_nothing(
    train_page: AppTest, key, value, words
):
    at = train_page
    original = at.number_input(key=K + key).value
    at.number_input(key=K + key).set_value(value).run()
    train = next(b for b in at.button if b.label == "Train")
    train.click().run()
    try:
        assert not at.exception, [e.value for e in at.exception]
        errors = [e.value for e in at.error]
        assert any(words in e for e in errors), errors
        assert_short(errors)
        assert "train.job" not in at.session_state
        assert at.number_input(key=K + key).value == value  # what the user typed is kept
        assert at.session_state["build.arch"] == WORKSHOP_CNN
    finally:
        at.number_input(key=K + key).set_value(original).run()


# --- the Lesson page's ?step= ---------------------------------------------------------------------

HOSTILE_STEPS = {
    "zero": "0",
    "1e308": "1e308",
    "script tag": SCRIPT,
    "10 kB": "9" * 10_000,
    "unicode": "\u202e3\u200b\U0001f600",
}
STEP_PARAMS = [pytest.param(v, id=k) for k, v in HOSTILE_STEPS.items()] + [
    pytest.param("![](http://t.co/x.png)", id="markdown image"),  # 22 characters: quoted whole
]


@pytest.mark.parametrize("step", STEP_PARAMS)
def test_hostile_lesson_steps_open_step_one_with_a_note(step: str):
    at = open_page("pages/lesson.py", step=step)
    assert at.header[0].value.startswith("1.")
    notes = [i.value for i in at.info]
    assert any("There is no step" in n for n in notes), messages(at)
    assert_short(messages(at))
    assert not any(LIVE_MARKDOWN.search(text) for text in messages(at)), messages(at)


def test_the_default_architecture_is_what_a_bad_link_falls_back_to():
    assert Architecture.from_url(NOTEBOOK_CNN.to_url()) == NOTEBOOK_CNN
