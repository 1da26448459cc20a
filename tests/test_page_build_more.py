"""The Build page under AppTest, beyond editing: the Dense lessons, files, export, VGG16, its charts."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.presets import DENSE_ONLY
from tests.build_page import arch_of, open_build, run, shapes, texts
from tests.charts import array, chart_specs

pytestmark = pytest.mark.page


def test_dense_only_shows_the_lesson_and_its_fix_works():
    at = open_build(DENSE_ONLY.to_url())
    text = texts(at)
    assert "`(28, 28, 1)` → `(28, 28, 10)` → `(28, 28, 5)` → `(28, 28, 2)`" in text
    assert "784" in text and "`(10,)`" in text
    assert "one 1×2 matrix" in text and "W1 (1×10) · W2 (10×5) · W3 (5×2)" in text
    at.button(key="fix-dense").click()
    run(at)
    assert arch_of(at).to_url() == "flatten-dense-dense(5)-dense(10,softmax)"
    assert shapes(at)[-1] == "(None, 10)"
    assert "fix-dense" not in [b.key for b in at.button]
    # Dense(10) and Dense(5) still have no activation: with the softmax layer they are one matrix.
    assert "W1 (784×10) · W2 (10×5) · W3 (5×10) = one 784×10 matrix" in texts(at)
    assert "a single Dense(10, softmax) with 7,850 parameters instead of 7,965" in texts(at)
    at.button(key="fix-collapse-1").click()
    run(at)
    assert arch_of(at).to_url() == "flatten-dense(10,relu)-dense(5,relu)-dense(10,softmax)"
    assert not any(b.key.startswith("fix-") for b in at.button)


def _upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.session_state["export-open"] = True
    run(at)
    at.file_uploader(key="upload").set_value((name, content, "application/json"))
    return run(at)


def test_json_upload_replaces_the_architecture():
    at = open_build("flatten")
    _upload(at, "dense.json", DENSE_ONLY.to_json().encode())
    assert arch_of(at) == DENSE_ONLY
    at.run()  # the same file is not applied twice
    at.button(key="undo").click()
    run(at)
    assert arch_of(at).to_url() == "flatten"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"this is not json", "not valid JSON"),
        (b"\xff\xfe\x00binary", "not UTF-8"),
        (json.dumps({"layers": "conv"}).encode(), 'a "layers" list'),
        (
            json.dumps({"layers": [{"kind": "Conv2D", "params": {"kernel_size": 99}}]}).encode(),
            "kernel size",
        ),
        (json.dumps({"layers": [{"kind": "Lambda"}]}).encode(), "unknown layer kind"),
        (b"[" * 100_000, "too long"),
        (b" " * 300_000, "too large"),
    ],
)
def test_bad_json_files_keep_the_architecture(content, words):
    at = open_build("flatten")
    _upload(at, "bad.json", content)
    assert arch_of(at).to_url() == "flatten"
    assert any(words in e.value for e in at.error), [e.value for e in at.error]


def test_export_shows_code_and_a_share_link():
    at = open_build("norm-conv(8,5)-flatten")
    at.session_state["export-open"] = True
    run(at)
    code = "\n".join(c.value for c in at.code)
    assert "?arch=norm-conv(8,5)-flatten" in code
    assert "keras.Sequential(" in code and "layers.Conv2D(8, 5" in code
    assert at.get("download_button")


def test_compare_with_vgg16():
    at = open_build()
    at.session_state["compare-open"] = True
    run(at)
    text = texts(at)
    assert "138,357,544" in text and "83 times yours" in text
    vgg = at.dataframe[1].value
    assert len(vgg) == 22 and list(vgg["Output"])[:3] == ["224×224×64", "224×224×64", "112×112×64"]
    assert vgg["Output"].iloc[-1] == "1,000" and vgg["Parameters"].iloc[-1] == "4,097,000"


def test_a_huge_dense_stack_gets_its_lesson_from_small_matrices():
    at = open_build("conv(512,3,relu,1,same)-flatten-dense(4096)-dense(10)")
    text = texts(at)
    assert "W1 (401408×4096) · W2 (4096×10) = one 401408×10 matrix" in text
    assert "2 random 8×8 layers" in text and "4,014,090 parameters instead of 1,644,212,234" in text
    at.button(key="fix-collapse-2").click()
    run(at)
    assert arch_of(at).to_url() == "conv(512,3,relu,1,same)-flatten-dense(4096,relu)-dense"


def test_the_tensor_picture_labels_every_output():
    at = open_build("norm-conv(8,5)-maxpool-flatten-dense(10,softmax)")
    fig = chart_specs(at)["tensor-figure"]
    labels = next(
        t["text"] for t in fig["data"] if t.get("mode") == "text" and "24×24×8" in t["text"]
    )
    assert labels == ["28×28×1", "28×28×1", "24×24×8", "12×12×8", "1,152", "10"]
    assert fig["layout"]["yaxis"]["scaleanchor"] == "x"


def test_the_vgg16_comparison_chart_counts_both_models():
    at = open_build()
    at.session_state["compare-open"] = True
    run(at)
    bars = [t for t in chart_specs(at)["compare-figure"]["data"] if t["type"] == "bar"]
    totals = {b["name"]: array(b["y"]) for b in bars}
    assert set(totals) == {"Your model", "VGG16"}
    assert len(totals["VGG16"]) == 16  # 13 convolutions and 3 Dense layers have weights
    assert sum(totals["VGG16"]) == 138_357_544 and sum(totals["Your model"]) == 1_676_266
