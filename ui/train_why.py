"""The Train page's "What it looked at when it was wrong": pick a mistake, see its occlusion and gradient maps.

A fragment: choosing another mistake or digit reruns only this section. The maps are computed
by ``core.saliency`` on the session's trained model (only read) and kept per run and digit in
this session (``ui.session_cache``); Keras is imported only when they are first drawn.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.evaluation import cell_examples, confusion_matrix
from core.figures.saliency import saliency_figure
from core.saliency import mistake_cells
from ui import jobs, session_cache
from ui.errors import guard
from ui.train_run import PLOT

_CACHE = "train.why.cache"  # this session's maps, by (job id, test digit)
MAPS = "train.why.maps"  # the chart
LIMIT = 16  # test digits offered per mistake, most confident first
BARELY_TRAINED = 0.5  # below this test accuracy, say that the maps show noise more than strokes
INTRO = (
    "Pick a mistake and one of its test digits: two maps show what drove the wrong answer. "
    "Both are computed now, on your trained model."
)


def cell_key(model: jobs.TrainedModel) -> str:
    """The key of the mistake chooser (one per run: another run has other mistakes)."""
    return f"train.why.cell.{model.job_id}"


def digit_key(model: jobs.TrainedModel) -> str:
    """The key of the test-digit chooser."""
    return f"train.why.digit.{model.job_id}"


def a(digit: int) -> str:
    """ "a 4", "an 8"."""
    return f"{'an' if digit == 8 else 'a'} {digit}"


def mistake_label(cell: tuple[int, int, int]) -> str:
    """``an 8 read as 5: 96 digits``: how the chooser names a confusion-matrix cell."""
    true_digit, predicted, count = cell
    return f"{a(true_digit)} read as {predicted}: {count:,} digit{'s' * (count != 1)}"


def caption(top: int, patch: int) -> str:
    """How to read the two maps, in our own words (``patch``: the occlusion square's side)."""
    return (
        f"**Hiding:** a {patch}×{patch} black square slides over the digit; red where "
        f"covering the ink lowers P({top}) (the model used those strokes as evidence for {top}), "
        f"blue where it raises it. **Gradient:** how P({top}) would change if a pixel got "
        f"brighter: red pushes towards {top}, blue away from it. The first map shows what the "
        "model relies on; the second, pixel by pixel, what it is sensitive to, and is noisier."
    )


@st.fragment
def section(model: jobs.TrainedModel, x_test: np.ndarray, y_test: np.ndarray) -> None:
    """The section for the session's trained model and the test set it was scored on."""
    with guard("explaining the model's mistakes"):
        st.subheader("What it looked at when it was wrong")
        st.markdown(INTRO)
        probs = model.test_probs
        if probs is None or len(probs) != len(y_test):
            st.info("This model has no test results to pick a mistake from.")
            return
        cells = mistake_cells(confusion_matrix(y_test, probs.argmax(axis=1)))
        if not cells:
            st.success("It gets every test digit right: there is no mistake to look at.")
            return
        left, right = st.columns(2)
        with left:
            cell = st.selectbox(
                f"Mistake ({len(cells)} kinds, most frequent first)",
                cells,
                key=cell_key(model),
                format_func=mistake_label,
            )
        with right:
            index = _digit(model, y_test, cell)
        if index is not None:
            _maps(model, x_test, y_test, index)


def _digit(model: jobs.TrainedModel, y_test: np.ndarray, cell: tuple[int, int, int]) -> int | None:
    """The test digit chosen among the cell's most confidently wrong ones; None for an empty cell."""
    true_digit, pred_digit, _ = cell
    idx = cell_examples(y_test, model.test_probs, true_digit, pred_digit, limit=LIMIT)
    if not len(idx):
        st.info(f"No test digit is {a(true_digit)} read as {pred_digit}.")
        return None
    p = model.test_probs
    return st.selectbox(
        "Test digit (most confidently wrong first)",
        [int(i) for i in idx],
        key=digit_key(model),
        format_func=lambda i: f"#{i:,}: P({pred_digit}) = {p[i, pred_digit]:.0%}",
    )


def _maps(model: jobs.TrainedModel, x_test: np.ndarray, y_test: np.ndarray, index: int) -> None:
    """The digit, its occlusion and gradient maps, and how to read them."""
    from core.predict import PATCH  # Keras and TensorFlow: only once the maps are drawn
    from core.saliency import explain

    def work_out() -> tuple:  # the maps and their figure, once per run and digit
        why = explain(model.built.model, x_test[index])
        fig = saliency_figure(
            why.image,
            why.occlusion.drop,
            why.gradient.grad,
            (why.top, float(why.probs[why.top])),
            (why.second, float(why.probs[why.second])),
            title=f"Test #{index:,}, {a(int(y_test[index]))}: ",
        )
        return why, fig

    with st.spinner("Computing the maps…"):
        why, fig = session_cache.remember(_CACHE, "maps", (model.job_id, index), work_out)
    st.plotly_chart(fig, key=MAPS, config=PLOT)
    st.caption(caption(why.top, PATCH))
    if model.test_accuracy < BARELY_TRAINED:
        st.caption(
            f"This model gets only {model.test_accuracy:.0%} of the test digits right: "
            "its maps show noise more than strokes."
        )
