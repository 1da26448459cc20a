"""Train: settings, a live run beside the page (progress, curves, filters, stop), then what the model gets wrong."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import evaluation as ev
from core.figures import training as figs
from core.shapes import trace
from core.training import NOTEBOOK, QUICK, SUBSETS, JobSnapshot, TrainSettings, check_compatible
from ui import jobs, resources, runtime, state
from ui.errors import guard
from ui.markdown import escape
from ui.sidebar import format_duration, progress_text

runtime.run_through_app()

K = "train.w."  # widget keys
SAVED = "train.settings"  # the settings as last shown (raw values, maybe invalid)
CELL = "train.cell"  # (true digit, predicted digit, job id) of the confusion-matrix cell shown
FIELDS = ("optimizer", "learning_rate", "momentum", "batch_size", "epochs", "n_train", "seed")
DEFAULT_LR = {"sgd": NOTEBOOK.learning_rate, "adam": QUICK.learning_rate}
PLOT = {"displayModeBar": False}


def use_recipe(settings: TrainSettings) -> None:
    """Callback: fill the settings widgets from a recipe."""
    for name in FIELDS:
        st.session_state[K + name] = getattr(settings, name)


def restore_settings() -> None:
    """Settings survive page switches: Streamlit forgets the widgets' state while another page runs,
    so the values are also kept under SAVED and put back into the widgets when they are missing."""
    saved = st.session_state.get(SAVED) or {name: getattr(NOTEBOOK, name) for name in FIELDS}
    for name in FIELDS:
        st.session_state.setdefault(K + name, saved[name])


def save_settings() -> None:
    st.session_state[SAVED] = {name: st.session_state[K + name] for name in FIELDS}


def on_optimizer_change() -> None:
    """Switching optimizer moves the learning rate to the new one's usual value if it was at the old one's."""
    new = st.session_state[K + "optimizer"]
    if st.session_state[K + "learning_rate"] in DEFAULT_LR.values():
        st.session_state[K + "learning_rate"] = DEFAULT_LR[new]


def settings_form(disabled: bool) -> TrainSettings:
    """The settings widgets; returns what they say (validated later)."""
    a, b, _ = st.columns([1, 1, 2])
    a.button(
        "Notebook recipe",
        on_click=use_recipe,
        args=(NOTEBOOK,),
        disabled=disabled,
        width="stretch",
        help="SGD, learning rate 0.01, batch 32, 3 epochs, all 60,000 images: the notebook's run (minutes).",
    )
    b.button(
        "Quick recipe",
        on_click=use_recipe,
        args=(QUICK,),
        disabled=disabled,
        width="stretch",
        help="Adam, learning rate 0.001, batch 128, 2 epochs: about 98% on the workshop CNN in under a minute.",
    )
    c1, c2, c3, c4 = st.columns(4)
    c1.radio(
        "Optimizer",
        ["sgd", "adam"],
        key=K + "optimizer",
        horizontal=True,
        disabled=disabled,
        format_func={"sgd": "SGD", "adam": "Adam"}.get,
        on_change=on_optimizer_change,
        help="SGD takes plain steps down the gradient (the notebook's choice); Adam adapts the step size per weight.",
    )
    c2.number_input(
        "Learning rate",
        key=K + "learning_rate",
        format="%g",
        step=0.001,
        disabled=disabled,
        help="How big a step each batch takes. Too large and the loss explodes; too small and nothing moves.",
    )
    c3.number_input(
        "Momentum (SGD)",
        key=K + "momentum",
        format="%g",
        step=0.1,
        disabled=disabled or st.session_state[K + "optimizer"] != "sgd",
        help="SGD only: how much of the previous step to keep going in; 0 is plain SGD, 0.9 is common.",
    )
    c4.number_input(
        "Batch size",
        key=K + "batch_size",
        step=1,
        disabled=disabled,
        help="Images per weight update. The notebook used 32.",
    )
    c5, c6, c7, _ = st.columns(4)
    c5.number_input(
        "Epochs",
        key=K + "epochs",
        step=1,
        disabled=disabled,
        help="Passes over the training images.",
    )
    c6.selectbox(
        "Training images",
        SUBSETS,
        key=K + "n_train",
        disabled=disabled,
        format_func=lambda n: f"{n:,}" + (" (all)" if n == 60_000 else " (quick)"),
        help="All 60,000, or a random subset for a quick run. The test set is always all 10,000.",
    )
    c7.number_input(
        "Random seed",
        key=K + "seed",
        step=1,
        disabled=disabled,
        help="Fixes the subset, the initial weights and the order of the batches.",
    )
    return TrainSettings(**{name: st.session_state[K + name] for name in FIELDS})


def live(polling: bool) -> None:
    """The latest run: status, progress, live curves and filters. Polled while the job is active."""
    snap = jobs.snapshot()
    if snap is None:
        return
    if polling and not snap.active:
        st.rerun()  # one full run to show the results; the fragment then stops polling
    with guard("showing the training progress"):
        show_run(snap)


def show_run(snap: JobSnapshot) -> None:
    """Status line or progress with Stop, curves, filters and the per-epoch table of one run."""
    if snap.active:
        left, right = st.columns([5, 1], vertical_alignment="bottom")
        left.progress(snap.progress, text=progress_text(snap))
        right.button(
            "Stop",
            key="train.stop",
            on_click=jobs.stop_training,
            icon=":material/stop_circle:",
            width="stretch",
            help="Stops after the current batch and keeps the weights learnt so far.",
        )
    elif snap.status == "finished":
        done = f"Run finished in {format_duration(snap.train_seconds)} of training."
        hint = snap.message.removeprefix("Finished.").strip()
        if hint:
            st.warning(f"{done} {hint}")
        else:
            st.success(done)
    elif snap.status == "stopped":
        st.info(snap.message)
    else:
        st.error(escape(snap.message))  # a failure quotes Keras, which may look like Markdown
    c = snap.curves
    if c.examples or snap.active:
        ep = snap.epochs
        fig = figs.curves_figure(
            c.examples,
            c.loss,
            c.accuracy,
            snap.settings.n_train,
            [e.epoch for e in ep],
            [e.test_loss for e in ep],
            [e.test_accuracy for e in ep],
            epochs=snap.settings.epochs,
            revision=snap.job_id,
        )
        st.plotly_chart(fig, key="train.curves", config=PLOT)
    left, right = st.columns(2, gap="large")
    with left:
        if snap.filters is not None:
            title = "First convolution's filters" + (", learning live" if snap.active else "")
            st.plotly_chart(
                figs.filters_figure(snap.filters, title), key="train.filters", config=PLOT
            )
            st.caption(
                "Each square is one 3×3 (or larger) filter: red weights add, blue ones subtract."
            )
        else:
            st.caption("This model has no convolution layer, so there are no filters to show.")
    with right:
        if snap.epochs:
            st.markdown("**After each epoch**")
            st.dataframe(
                [
                    {
                        "Epoch": e.epoch,
                        "Train acc.": f"{e.train_accuracy:.2%}",
                        "Test acc.": f"{e.test_accuracy:.2%}",
                        "Test loss": f"{e.test_loss:.4f}",
                        "Time": f"{e.seconds:.1f} s",
                    }
                    for e in snap.epochs
                ],
                hide_index=True,
            )


def choose_cell(model: jobs.TrainedModel, cm: np.ndarray) -> tuple[int, int]:
    """The confusion-matrix cell to show (kept under CELL; a new model starts at its biggest mistake)."""
    cell = st.session_state.get(CELL)
    if cell is None or cell[2] != model.job_id:
        off = np.where(np.eye(10, dtype=bool), -1, cm)
        t, p = np.unravel_index(int(off.argmax()), off.shape)
        cell = st.session_state[CELL] = (int(t), int(p), model.job_id)
        st.session_state.pop(K + "cell_true", None)
        st.session_state.pop(K + "cell_pred", None)
    st.session_state.setdefault(K + "cell_true", cell[0])  # the boxes forget while other pages run
    st.session_state.setdefault(K + "cell_pred", cell[1])
    return cell[0], cell[1]


def set_cell(true_digit: int, pred_digit: int) -> None:
    cell = st.session_state[CELL]
    st.session_state[CELL] = (true_digit, pred_digit, cell[2])
    st.session_state[K + "cell_true"], st.session_state[K + "cell_pred"] = true_digit, pred_digit


def on_cell_click() -> None:
    """A click on the confusion matrix selects a point of its transparent scatter layer."""
    points = st.session_state["train.cm"]["selection"]["points"]
    if points:
        set_cell(int(points[0]["y"]), int(points[0]["x"]))


def on_cell_box() -> None:
    set_cell(st.session_state[K + "cell_true"], st.session_state[K + "cell_pred"])


def results(model: jobs.TrainedModel, x_test: np.ndarray, y_test: np.ndarray) -> None:
    """Test accuracy and loss, confusion matrix with a chosen cell's digits, per-class accuracy, download."""
    st.subheader(f"Your trained model (run #{model.run})")
    if jobs.arch_changed(state.get_arch()):
        st.warning(
            f"These trained weights belong to the previous architecture ({jobs.describe_arch(model.built.arch)}). "
            "You have changed the architecture on the Build page since: train again to get weights for "
            "the new one. Until then Look inside and Draw keep using this trained model."
        )
    predicted = model.test_probs.argmax(axis=1)
    cm = ev.confusion_matrix(y_test, predicted)
    wrong = int(len(y_test) - np.trace(cm))
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Test accuracy", f"{model.test_accuracy:.2%}")
    m2.metric("Test loss", f"{model.test_loss:.4f}")
    m3.metric(f"Wrong, of {len(y_test):,} test digits", f"{wrong:,}")
    m4.metric("Training time", format_duration(model.seconds))
    stopped = " · stopped early, weights kept" if model.status == "stopped" else ""
    st.caption(f"{ev.arch_name(model.built.arch)} · {model.settings.describe()}{stopped}")
    true_digit, pred_digit = choose_cell(model, cm)
    st.markdown("**What it gets wrong.** Each row is a true digit, each column what the model said: the "
                "blue diagonal counts the right answers, red cells the mistakes. Click a cell, or pick it "
                "with the two boxes, to see those test digits.")  # fmt: skip
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.plotly_chart(
            figs.confusion_figure(cm, (true_digit, pred_digit)),
            key="train.cm",
            on_select=on_cell_click,
            selection_mode="points",
            config=PLOT,
        )
    with right:
        a, b = st.columns(2)
        a.selectbox("True digit", range(10), key=K + "cell_true", on_change=on_cell_box)
        b.selectbox("Predicted digit", range(10), key=K + "cell_pred", on_change=on_cell_box)
        idx = ev.cell_examples(y_test, model.test_probs, true_digit, pred_digit, limit=16)
        count = int(cm[true_digit, pred_digit])
        verb = "recognised" if true_digit == pred_digit else f"taken for a {pred_digit}"
        st.markdown(
            f"**{count:,}** test images of a **{true_digit}** {verb}"
            + (f"; the {len(idx)} most confident:" if count else ".")
        )
        if len(idx):
            captions = [f"{model.test_probs[i, pred_digit]:.0%}" for i in idx]
            colour = figs.ACCENT if true_digit == pred_digit else figs.ACCENT_2
            st.plotly_chart(
                figs.cell_digits_figure(x_test[idx], captions, colour=colour),
                key="train.cell_digits",
                config=PLOT,
            )
            st.plotly_chart(
                figs.probabilities_figure(model.test_probs[idx], [f"test #{i}" for i in idx]),
                key="train.cell_probs",
                config=PLOT,
            )
    st.plotly_chart(
        figs.per_class_figure(ev.per_class_accuracy(cm)), key="train.per_class", config=PLOT
    )
    st.download_button(
        "Download the trained model (.keras)",
        data=lambda: jobs.model_file_bytes(model.built),
        file_name=f"layer-by-layer-run{model.run}.keras",
        mime="application/zip",
        on_click="ignore",
        icon=":material/download:",
        help="Load it with keras.saving.load_model(path).",
    )


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
    # Diverged and failed runs stay in the table; their exploding curves would flatten the others.
    labels = {r.label: r for r in runs if r.curves.examples and r.status in ("finished", "stopped")}
    if labels:
        chosen = st.multiselect(
            "Compare runs", list(labels), default=list(labels)[-3:], key="train.compare"
        )
        data = [
            dict(
                label=labels[k].label,
                n_train=labels[k].settings.n_train,
                examples=labels[k].curves.examples,
                loss=labels[k].curves.loss,
                test_epochs=[e.epoch for e in labels[k].epochs],
                test_accuracy=[e.test_accuracy for e in labels[k].epochs],
            )
            for k in chosen
        ]
        if data:
            st.plotly_chart(figs.runs_figure(data), key="train.runs", config=PLOT)


st.title("Train")
st.caption(
    "Teach your model to read digits: it sees the training images batch by batch and nudges its "
    "weights to make fewer mistakes. Training goes on while you visit other pages."
)
restore_settings()
try:
    mnist = resources.mnist()
except (FileNotFoundError, ValueError) as err:
    st.error(f"MNIST could not be loaded, so there is nothing to train on: {err}")
    st.stop()
state.sync_url()  # a link may carry ?arch=...: train that architecture
notice = state.take_notice()
if notice is not None:
    getattr(st, notice.kind, st.info)(notice.text)
arch = state.get_arch()
snap = jobs.settle()
active = snap is not None and snap.active
t = trace(arch)
st.markdown(
    f"**Model:** {ev.arch_name(arch)} · {len(arch)} layers · "
    + (f"{t.total_params:,} parameters" if t.ok else "does not fit together yet")
)
problem = check_compatible(arch)
if problem:
    st.error(problem, icon=":material/block:")
    st.caption("Change it on the Build page; nothing you built is lost.")
settings = settings_form(disabled=active)
save_settings()
if st.button(
    "Train",
    type="primary",
    disabled=active or bool(problem),
    icon=":material/play_arrow:",
    help="Builds a fresh model with these settings and trains it beside the page.",
):
    issues = settings.validate(len(mnist.y_train))
    with guard("starting the training"):
        error = " ".join(issues) if issues else jobs.start_training(arch, settings)
        if error:
            st.error(error)
        else:
            st.rerun()  # draws the page with the job running and polling on
st.fragment(run_every=0.5 if active else None)(live)(active)
model = jobs.trained()
if model is not None and not active:
    with guard("showing the results"):
        results(model, mnist.x_test, mnist.y_test)
with guard("showing the run history"):
    history()
