"""Look inside's page under AppTest: a fresh session on pages/inside.py, and what it shows.

The page runs inside a small function script so that the session can be set up first through
the other pages' public functions (the Build architecture, a drawing, a training run). Charts are
read from the figure JSON the page sends (``json.loads(chart.proto.spec)``), never escaped text.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "inside.py")
SMALL = "norm-conv(4,3)-maxpool-flatten-dense(10,softmax)"
UNTRAINED = "Your model, untrained"


def _script(page: str, arch: str | None, drawing: bool, train: bool, model: str | None) -> None:
    import runpy

    import numpy as np
    import streamlit as st

    from core.architecture import Architecture
    from core.training import TrainSettings
    from ui import draw_state, jobs, state

    if "test.setup" not in st.session_state:
        st.session_state["test.setup"] = True
        if model is not None:
            st.session_state["inside.model"] = model  # the radio's choice, before it is drawn
        if arch is not None:
            state.set_arch(Architecture.from_url(arch))
        if drawing:
            image = np.zeros((28, 28), np.uint8)
            image[4:24, 13:16] = 255  # a "1"
            draw_state.set_latest_drawing(image)
        if train:
            settings = TrainSettings(
                optimizer="adam", learning_rate=0.003, batch_size=64, epochs=2, n_train=600
            )
            problem = jobs.start_training(state.get_arch(), settings)
            assert problem is None, problem
    if jobs.is_training():
        st.write("training")
        st.stop()
    runpy.run_path(page, run_name="__main__")


def app(
    arch: str | None = SMALL,
    drawing: bool = False,
    train: bool = False,
    model: str | None = UNTRAINED,
) -> AppTest:
    """The page in a fresh session; by default on the small Build architecture, untrained."""
    args = (PAGE, arch, drawing, train, model)
    at = AppTest.from_function(_script, args=args, default_timeout=180)
    at.run()
    deadline = time.monotonic() + 180
    while train and any(m.value == "training" for m in at.markdown):
        assert time.monotonic() < deadline, "the tiny training run did not finish in 3 minutes"
        time.sleep(0.5)
        at.run()
    assert not at.exception, at.exception
    return at


def text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [e.value for e in at.error] + [i.value for i in at.info] + [w.value for w in at.warning]
    )
    return "\n".join(parts)


def figures(at: AppTest) -> list[dict[str, Any]]:
    """Every chart's figure JSON, in page order (most charts here have no key)."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def title(fig: dict[str, Any]) -> str | None:
    return fig["layout"].get("title", {}).get("text")


def titles(at: AppTest) -> list[str | None]:
    return [title(f) for f in figures(at)]


def tab(at: AppTest, name: str) -> AppTest:
    at.session_state["inside.tab"] = name
    at.run()
    assert not at.exception, at.exception
    return at


def at_test_digit(i: int) -> np.ndarray:
    from core.data import load_mnist

    return load_mnist().x_test[i]
