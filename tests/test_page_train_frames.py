"""The Train page's "How your model groups digits" under AppTest: the frames of a run of this session.

The section (``ui.inside_projection.train_frames``) runs in a small function script after a tiny
training run started through ``ui.jobs``, as the Train page shows it below the results.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.projection import sample_indices
from tests.charts import array
from tests.inside_page import figures, text, title

pytestmark = pytest.mark.page
ROOT = Path(__file__).resolve().parents[1]
# A hidden Dense layer before the last: the layer whose values are pictured.
ARCH = "norm-conv(4,3)-maxpool-flatten-dense(32,relu)-dense(10,softmax)"


def _script(arch: str) -> None:
    import streamlit as st

    from core.architecture import Architecture
    from core.training import TrainSettings
    from ui import inside_projection, jobs, resources

    if "test.setup" not in st.session_state:
        st.session_state["test.setup"] = True
        settings = TrainSettings(
            optimizer="adam", learning_rate=0.003, batch_size=64, epochs=3, n_train=2_000
        )
        problem = jobs.start_training(Architecture.from_url(arch), settings)
        assert problem is None, problem
    if jobs.is_training():
        st.write("training")
        st.stop()
    mnist = resources.mnist()
    inside_projection.train_frames(jobs.trained(), mnist.x_test, mnist.y_test)


def trained_app(arch: str = ARCH) -> AppTest:
    at = AppTest.from_function(_script, args=(arch,), default_timeout=180)
    at.run()
    deadline = time.monotonic() + 180
    while any(m.value == "training" for m in at.markdown):
        assert time.monotonic() < deadline, "the tiny training run did not finish in 3 minutes"
        time.sleep(0.5)
        at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.slow
def test_the_frames_of_a_run_from_the_untrained_start() -> None:
    at = trained_app()
    scatter = figures(at)[0]
    assert title(scatter) == "Run 1: 2,000 test digits by the 32 values of layer 5, Dense(32, relu)"
    steps = scatter["layout"]["sliders"][0]["steps"]
    names = ["before training", "after epoch 1", "after epoch 2", "after epoch 3"]
    assert [s["label"] for s in steps] == names
    assert scatter["layout"]["sliders"][0]["active"] == 3  # the trained model shows first
    frames = scatter["frames"]
    assert [f["name"] for f in frames] == ["0", "1", "2", "3"]

    def spread(frame: dict) -> float:
        """How far apart the digits' centres are, for their own spread: the classes pulling apart."""
        xy = [np.c_[array(t["x"]), array(t["y"])] for t in frame["data"]]
        centres = np.array([p.mean(axis=0) for p in xy])
        within = np.mean([p.std(axis=0).mean() for p in xy])
        return float(np.linalg.norm(centres - centres.mean(axis=0), axis=1).mean() / within)

    assert spread(frames[3]) > 1.5 * spread(frames[0])
    custom = np.concatenate([array(t["customdata"]).reshape(-1, 3) for t in frames[0]["data"]])
    np.testing.assert_array_equal(np.sort(custom[:, 0]), sample_indices(10_000))
    # each frame's crosses are that frame's mistakes
    for frame in (frames[0], frames[3]):
        traces = frame["data"]
        custom = np.concatenate([array(t["customdata"]).reshape(-1, 3) for t in traces])
        symbols = np.concatenate([t["marker"]["symbol"] for t in traces])
        np.testing.assert_array_equal(symbols == "x", custom[:, 2] != custom[:, 1])
    assert "the first is the untrained start" in text(at)

    pick = at.number_input(key="train.groups.pick")
    chosen = int(sample_indices(10_000)[10])
    pick.set_value(chosen).run()
    assert not at.exception
    assert f"Test digit #{chosen:,}" in [title(f) for f in figures(at)]


def test_the_train_pages_section_does_not_import_keras() -> None:
    """The Train page imports ui.inside_projection: that alone must not load TensorFlow."""
    code = "import sys, ui.inside_projection; print('keras' in sys.modules, 'tensorflow' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "False"], done.stderr
