"""The Train page's results: the trained model's test figures, what it gets wrong, and the run history."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import evaluation as ev
from core.figures import training_results as result_figs
from core.figures.style import ACCENT, ACCENT_2
from core.figures.training import runs_figure
from core.training import texts
from core.training.export import model_file_bytes
from ui import jobs, session_cache, state, train_state
from ui.train_run import PLOT

_CACHE = "train.cache"  # this session's result figures, by run (job id) and chosen cell
MISTAKES = (
    "**What it gets wrong.** Each row is a true digit, each column what the model said: the blue "
    "diagonal counts the right answers, red cells the mistakes. Click a cell, or pick it with the "
    "two boxes, to see those test digits."
)


def results(model: jobs.TrainedModel, x_test: np.ndarray, y_test: np.ndarray) -> None:
    """Test accuracy and loss, confusion matrix with a chosen cell's digits, per-class accuracy, download."""
    st.subheader(f"Your trained model (run #{model.run})")
    if jobs.arch_changed(state.get_arch()):
        st.warning(texts.old_weights_warning(model.built.arch))
    cm = _memo(
        "cm", model.job_id, lambda: ev.confusion_matrix(y_test, model.test_probs.argmax(axis=1))
    )
    wrong = int(len(y_test) - np.trace(cm))
    metrics = texts.result_metrics(
        model.test_accuracy, model.test_loss, wrong, len(y_test), model.seconds
    )
    for column, (label, value) in zip(st.columns(len(metrics)), metrics, strict=True):
        column.metric(label, value)
    st.caption(texts.model_caption(model.built.arch, model.settings, model.status))
    cell = train_state.chosen_cell(model.job_id, cm)
    st.markdown(MISTAKES)
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.plotly_chart(
            _memo("matrix", (model.job_id, cell), lambda: result_figs.confusion_figure(cm, cell)),
            key=train_state.MATRIX,
            on_select=train_state.on_cell_click,
            selection_mode="points",
            config=PLOT,
        )
    with right:
        _cell_digits(model, x_test, y_test, cm, cell)
    st.plotly_chart(
        _memo(
            "per_class",
            model.job_id,
            lambda: result_figs.per_class_figure(ev.per_class_accuracy(cm)),
        ),
        key="train.per_class",
        config=PLOT,
    )
    st.download_button(
        "Download the trained model (.keras)",
        data=lambda: model_file_bytes(model.built),
        file_name=f"layer-by-layer-run{model.run}.keras",
        mime="application/zip",
        on_click="ignore",
        icon=":material/download:",
        help="Load it with keras.saving.load_model(path).",
    )


def _cell_digits(
    model: jobs.TrainedModel,
    x_test: np.ndarray,
    y_test: np.ndarray,
    cm: np.ndarray,
    cell: tuple[int, int],
) -> None:
    """The two boxes choosing a cell, and the most confident test digits in it."""
    a, b = st.columns(2)
    a.selectbox(
        "True digit", range(10), key=train_state.CELL_TRUE, on_change=train_state.on_cell_box
    )
    b.selectbox(
        "Predicted digit", range(10), key=train_state.CELL_PRED, on_change=train_state.on_cell_box
    )
    true_digit, pred_digit = cell
    idx, figures = _memo(
        "cell", (model.job_id, cell), lambda: _cell_figures(model, x_test, y_test, cell)
    )
    st.markdown(
        texts.cell_sentence(int(cm[true_digit, pred_digit]), true_digit, pred_digit, len(idx))
    )
    if figures:
        digits_figure, probs_figure = figures
        st.plotly_chart(digits_figure, key="train.cell_digits", config=PLOT)
        st.plotly_chart(probs_figure, key="train.cell_probs", config=PLOT)


def _cell_figures(
    model: jobs.TrainedModel, x_test: np.ndarray, y_test: np.ndarray, cell: tuple[int, int]
) -> tuple[np.ndarray, tuple | None]:
    """The most confident test digits of one cell, and their two figures (None when it is empty)."""
    true_digit, pred_digit = cell
    idx = ev.cell_examples(y_test, model.test_probs, true_digit, pred_digit, limit=16)
    if not len(idx):
        return idx, None
    captions = [f"{model.test_probs[i, pred_digit]:.0%}" for i in idx]
    colour = ACCENT if true_digit == pred_digit else ACCENT_2
    return idx, (
        result_figs.cell_digits_figure(x_test[idx], captions, colour=colour),
        result_figs.probabilities_figure(model.test_probs[idx], [f"test #{i}" for i in idx]),
    )


def _memo(kind: str, key, make):
    """A result figure or array of this session, made once per run (and cell) it shows."""
    return session_cache.remember(_CACHE, kind, key, make)


def history() -> None:
    """The session's runs as a table, and the curves of the chosen ones overlaid."""
    runs = jobs.run_history()
    if not runs:
        return
    st.subheader("Run history")
    st.dataframe(
        ev.history_rows(runs),
        hide_index=True,
        column_config={"Test accuracy": st.column_config.NumberColumn(format="%.2f%%")},
    )
    labels = {r.label: r for r in runs if r.comparable}
    if labels:
        chosen = st.multiselect(
            "Compare runs", list(labels), default=list(labels)[-3:], key="train.compare"
        )
        if chosen:
            figure = _memo(
                "runs", tuple(chosen), lambda: runs_figure([labels[k].series() for k in chosen])
            )
            st.plotly_chart(figure, key="train.runs", config=PLOT)
