"""The pages that need no model paint without TensorFlow; TensorFlow is then imported in the background.

Both tests run the app in a fresh Python process: other tests import Keras into pytest's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import lesson

pytestmark = pytest.mark.page

ROOT = Path(__file__).resolve().parents[1]
# The Lesson steps whose figure needs no model (ui.lesson_figures shows them before any wait).
TEXT_STEPS = [
    s.number for s in lesson.STEPS if s.id in {"data", "one-hot", "dense-only", "normalise"}
]

# Runs in the child: visit pages through app.py with AppTest; one JSON line per visit.
VISITS = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
from streamlit.testing.v1 import AppTest
from ui import runtime

def visit(label, page=None, state=None, **query):
    at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=120)
    if page:  # AppTest runs that page on its own unless the patch is missing; then it reruns
        runtime.uninstall()  # through app.py (ui.runtime.run_through_app), as a fresh server does
        at.switch_page(page)
    for key, value in query.items():
        at.query_params[key] = value
    for key, value in (state or {{}}).items():
        at.session_state[key] = value
    at.run()
    print(json.dumps({{
        "label": label,
        "exceptions": [e.value for e in at.exception],
        "errors": [e.value for e in at.error],
        "headings": [h.value for h in [*at.title, *at.header]],
        "markdown": " ".join(m.value for m in at.markdown),
        "sidebar": [c.value for c in at.sidebar.caption],
        "keras": "keras" in sys.modules,
        "tensorflow": "tensorflow" in sys.modules,
    }}))

visit("data")
visit("build", "pages/build.py", state={{"compare-open": True}})
for number in {TEXT_STEPS!r}:
    visit(f"lesson {{number}}", "pages/lesson.py", step=str(number))
"""

# Runs in the child: the first page, then wait for the background import and check the patch.
WARM = f"""
import json, sys, threading, time
sys.path.insert(0, {str(ROOT)!r})
importers = {{}}

class Spy:  # records which thread first imports keras and tensorflow
    def find_spec(self, name, path=None, target=None):
        if name in ("keras", "tensorflow"):
            importers.setdefault(name, threading.current_thread().name)
        return None

sys.meta_path.insert(0, Spy())
from streamlit.testing.v1 import AppTest
from ui import runtime, warmup

at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=120)
at.run()
first = {{"exceptions": [e.value for e in at.exception], "title": [t.value for t in at.title]}}
deadline = time.monotonic() + 180
while not warmup.keras_ready() and time.monotonic() < deadline:
    time.sleep(0.1)
import keras
resets = []
keras.backend.clear_session = lambda *a, **k: resets.append(1)  # what Streamlit would call
at.run()
at.switch_page("pages/build.py").run()
print(json.dumps({{
    "first": first,
    "ready": warmup.keras_ready(),
    "importers": importers,
    "patched": runtime.is_installed(),
    "resets": len(resets),
    "later_exceptions": [e.value for e in at.exception],
}}))
"""


def _child(script: str, **env: str) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no output; stderr:\n{result.stderr[-3000:]}"
    return [json.loads(line) for line in lines]


def test_first_page_build_and_text_steps_paint_without_tensorflow():
    visits = _child(VISITS, LAYER_BY_LAYER_WARMUP="0")  # no background import to race with
    assert [v["label"] for v in visits] == ["data", "build"] + [f"lesson {n}" for n in TEXT_STEPS]
    for v in visits:
        assert not v["exceptions"] and not v["errors"], v
        assert not v["keras"] and not v["tensorflow"], f"{v['label']} imported TensorFlow"
        assert any("Layer by Layer" in c for c in v["sidebar"]), "ran through app.py"
    data, build, *steps = visits
    assert "MNIST at a glance" in data["headings"]
    assert "Build" in build["headings"]
    assert "VGG16" in build["markdown"]  # the comparison box was open, still no TensorFlow
    titles = {s.number: f"{s.number}. {s.title}" for s in lesson.STEPS}
    for number, step in zip(TEXT_STEPS, steps, strict=True):
        assert titles[number] in step["headings"]


@pytest.mark.slow  # imports TensorFlow in a fresh process (about 5 s, more on a busy machine)
def test_keras_is_imported_in_the_background_after_the_first_page_and_stays_unreset():
    (out,) = _child(WARM)
    assert not out["first"]["exceptions"] and out["first"]["title"] == ["MNIST at a glance"]
    assert out["ready"]
    # Neither the page nor Streamlit imported it: the warm-up thread did, after the run.
    assert out["importers"] == {"keras": "keras-warmup", "tensorflow": "keras-warmup"}
    assert out["patched"]
    assert out["resets"] == 0  # later runs, Keras loaded: Streamlit's clear_session is not called
    assert not out["later_exceptions"]
