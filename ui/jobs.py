"""This session's training: its job, its trained model and run history, and the server-wide job queue.

Pages call these functions instead of touching ``st.session_state`` keys (prefix ``train.``).
The job itself (``core.training.TrainingJob``) runs in a worker thread that never touches
Streamlit; everything here runs in the script thread.

* ``start_training(arch, settings)`` builds a fresh model and starts a job (one per session).
* ``snapshot()`` is what pages poll; ``settle()`` turns an ended job into a run-history record
  and, when its weights are worth keeping, the session's trained model. The accessors call it.
* ``trained()`` is what the Look inside and Draw pages read; ``run_history()`` the Train page.

The job's model is a ``core.held_model.HeldModel`` registered with the server's model budget
(``ui.model_budget``): never released while its job runs; once the run has ended (it is then the
session's trained model) an idle session's may be put to sleep, its weights kept as arrays, and
it is rebuilt on its next use. A run not worth keeping is discarded at once.

Importing this module does not import Keras (the sidebar of every page imports it): the model
is built, and the job's module loaded, only when someone trains.
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st
from streamlit import runtime

from core.architecture import Architecture, ArchitectureError
from core.evaluation import RunRecord, make_record
from core.training import GRACE_S, JobSlots, JobSnapshot, TrainSettings, check_compatible
from ui import model_budget, resources
from ui import runtime as ui_runtime

if TYPE_CHECKING:
    from collections.abc import Callable

    from core.held_model import HeldModel
    from core.training import TrainingJob

SLOTS_ENV = "LAYER_BY_LAYER_TRAINING_SLOTS"  # override the server-wide limit of concurrent jobs
RUN_HISTORY_LIMIT = 20

_JOB = "train.job"
_MODEL = "train.model"
_RUNS = "train.runs"
_SETTLED = "train.settled"  # id of the last job whose end was recorded


@dataclass(frozen=True, eq=False, kw_only=True)
class TrainedModel:
    """The session's trained model and what is known about it (built by keyword only).

    Attributes:
        built: the model and the architecture it was built from (a ``HeldModel``: the server may
            put it to sleep, and ``built.model`` then rebuilds it from its weights).
        run: its number in the run history.
        status: "finished" or "stopped" (stopped early, weights kept).
        settings: how it was trained.
        test_accuracy: on the test set.
        test_loss: likewise.
        test_probs: (N, 10) predicted probabilities on the test set.
        filter_epochs: (epoch, first Conv2D kernel) pairs; epoch 0 is before training.
        job_id: the job that trained it (also its weights version).
        seconds: training time (without the test evaluations).
        feature_sample: test-digit indices of ``feature_frames`` (None when none were kept).
        feature_frames: ``core.training.snapshot.FeatureFrame`` per epoch; epoch 0 is before training.
    """

    built: HeldModel
    run: int
    status: str
    settings: TrainSettings
    test_accuracy: float
    test_loss: float
    test_probs: np.ndarray
    filter_epochs: tuple
    job_id: str
    seconds: float
    feature_sample: np.ndarray | None = None
    feature_frames: tuple = ()


@st.cache_resource(show_spinner=False)
def slots() -> JobSlots:
    """The server-wide queue: at most max(1, cores // 2) jobs train at once (or $LAYER_BY_LAYER_TRAINING_SLOTS)."""
    try:
        limit = int(os.environ.get(SLOTS_ENV, ""))
    except ValueError:
        limit = max(1, (os.cpu_count() or 2) // 2)
    return JobSlots(limit)


session_id = model_budget.session_id  # this browser session's id (None outside a script run)


def session_alive_check() -> Callable[[], bool] | None:
    """A thread-safe callable telling whether this session's browser tab is still connected.

    None when there is no Streamlit server (AppTest, bare scripts): the job is then never stopped
    for a closed tab.
    """
    sid = session_id()
    if sid is None or not runtime.exists():
        return None
    instance = runtime.get_instance()
    return lambda: instance.is_active_session(sid)


def current_job() -> TrainingJob | None:
    """This session's latest job (running or ended), or None."""
    return st.session_state.get(_JOB)


def snapshot() -> JobSnapshot | None:
    """The latest job's snapshot, or None when this session has not trained yet."""
    job = current_job()
    return job.snapshot() if job is not None else None


def is_training() -> bool:
    """True while this session's job is queued or running."""
    snap = snapshot()
    return snap is not None and snap.active


def start_training(arch: Architecture, settings: TrainSettings) -> str | None:
    """Builds a fresh model of ``arch`` and starts training it beside the page.

    Returns:
        None when the job started, else a message saying why not (nothing is changed then).
    """
    # Idempotent; app.py does it first, but a page run without app.py (Streamlit serves a pages/
    # script directly to a fresh server's first sub-URL visit) would otherwise let Streamlit reset
    # Keras after every poll and starve the training thread.
    ui_runtime.install()
    if is_training():
        return "A training run is already going on in this session: stop it first."
    problem = check_compatible(arch)  # before anything reaches Keras
    if problem:
        return problem
    mnist = resources.mnist()
    problems = settings.validate(len(mnist.y_train))
    if problems:
        return " ".join(problems)
    from core.keras_model import build_model
    from core.training import TrainingJob

    try:
        built = build_model(arch, seed=settings.seed)
    except ArchitectureError as err:
        return f"The model cannot be built: {err}"
    settle()
    held = model_budget.held(built, slots=optimizer_slots(settings), register=False)
    job = TrainingJob(held, settings)
    held.busy = _while_running(job)
    job.start(mnist, slots=slots(), session_alive=session_alive_check(), grace_s=GRACE_S)
    held.register(model_budget.budget())
    st.session_state[_JOB] = job
    return None


def optimizer_slots(settings: TrainSettings) -> int:
    """Values the optimizer keeps per weight: Adam 2, SGD with momentum 1, plain SGD 0."""
    if settings.optimizer == "adam":
        return 2
    return 1 if float(settings.momentum) else 0


def _while_running(job: TrainingJob) -> Callable[[], bool]:
    """True while the job's worker thread runs (queued or training); weak, so it keeps no job alive."""
    running = weakref.WeakMethod(job.is_alive)
    return lambda: (alive := running()) is not None and alive()


def stop_training() -> None:
    """Asks this session's job to stop after the current batch; the weights learnt so far are kept."""
    job = current_job()
    if job is not None:
        job.request_stop()


def settle() -> JobSnapshot | None:
    """Records an ended job once: a run-history entry, and the trained model when usable.

    A diverged or failed run is recorded but leaves the previous trained model in place.
    Returns the latest job's snapshot (None without a job).
    """
    job = current_job()
    if job is None:
        return None
    snap = job.snapshot()
    if snap.active or st.session_state.get(_SETTLED) == job.job_id:
        return snap
    st.session_state[_SETTLED] = job.job_id
    runs: list[RunRecord] = st.session_state.setdefault(_RUNS, [])
    number = (runs[-1].number + 1) if runs else 1
    runs.append(make_record(snap, job.built.arch, number))
    del runs[:-RUN_HISTORY_LIMIT]
    if not snap.usable:
        _discard(job.built)  # its weights are not worth keeping; the previous model stays
    else:
        st.session_state[_MODEL] = TrainedModel(
            built=job.built,
            run=number,
            status=snap.status,
            settings=snap.settings,
            test_accuracy=snap.test_accuracy,
            test_loss=snap.test_loss,
            test_probs=snap.test_probs,
            filter_epochs=snap.filter_epochs,
            job_id=job.job_id,
            seconds=snap.train_seconds,
            feature_sample=snap.feature_sample,
            feature_frames=snap.feature_frames,
        )
        keep = getattr(job.built, "keep_results", None)
        if keep is not None:  # the server's model budget counts the results it keeps too
            keep(snap.results_nbytes)
    return snap


def _discard(built: object) -> None:
    discard = getattr(built, "discard", None)
    if discard is not None:
        discard()


def trained() -> TrainedModel | None:
    """The session's trained model with its test results, or None."""
    settle()
    return st.session_state.get(_MODEL)


def run_history() -> list[RunRecord]:
    """This session's runs, oldest first (at most RUN_HISTORY_LIMIT)."""
    settle()
    return list(st.session_state.get(_RUNS, []))


def arch_changed(current: Architecture) -> bool:
    """True when there is a trained model and ``current`` is not the architecture it was built from."""
    model = trained()
    return model is not None and model.built.arch != current
