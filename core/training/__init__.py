"""Training beside the page: settings, a model check, a fair job queue, and a job run in a worker thread.

The worker never touches Streamlit. Pages poll ``job.snapshot()`` (an immutable copy) and call
``job.request_stop()``; everything else happens in the worker::

    job = TrainingJob(build_model(WORKSHOP_CNN, seed=0), QUICK)
    job.start(load_mnist(), slots=JobSlots(1))
    while job.snapshot().active:
        time.sleep(0.5)
    print(job.snapshot().test_accuracy)

One job per module:

* ``settings``: the table of the seven settings, ``TrainSettings``, the recipes and limits.
* ``keras_fixes``: patches for Keras behaviour a long-running server cannot afford.
* ``check``: ``check_compatible``, whether a model can be trained on MNIST here.
* ``slots``: ``JobSlots``, the server-wide queue.
* ``snapshot``: ``JobSnapshot``, ``Curves``, ``EpochResult``: what pages see.
* ``record``, ``job``: a job's progress behind a lock, and ``TrainingJob``, the worker.
* ``progress``: the Keras callback, talking to the job through ``JobLink``.
* ``alive``: whether the job's browser tab is still open. ``dataset``: ``make_dataset``.
* ``texts``, ``export``: what the pages write about a run; the trained model as a file.
* ``limit``: the optional server-wide time limit per run (``$LAYER_BY_LAYER_RUN_LIMIT_S``).
* ``estimate``, ``estimate_texts``: how long a run takes and waits, from measured speeds.
* ``probe``, ``speeds``: a few batches of a throwaway copy measure a speed; the server's book of
  them, measured in the background. ``outlook``: what the page says before Train is pressed.

Importing this package does not import Keras: the names that need it (``TrainingJob``,
``JobLink``, ``Progress``) load on first use, so the sidebar of every page can
use the settings and texts without paying for TensorFlow.
"""

from __future__ import annotations

import importlib
from typing import Any

from core.training.alive import GRACE_S
from core.training.check import check_compatible
from core.training.dataset import make_dataset
from core.training.settings import (
    MAX_BATCH,
    MAX_EPOCHS,
    MAX_LEARNING_RATE,
    NOTEBOOK,
    OPTIMIZERS,
    QUICK,
    RECIPES,
    SETTINGS,
    SUBSETS,
    Recipe,
    Setting,
    TrainSettings,
)
from core.training.slots import JobSlots
from core.training.snapshot import Curves, EpochResult, JobSnapshot

# Names whose modules import Keras (or TensorFlow): loaded when first asked for.
_LAZY = {
    "TrainingJob": "core.training.job",
    "JobLink": "core.training.progress",
    "Progress": "core.training.progress",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "GRACE_S",
    "MAX_BATCH",
    "MAX_EPOCHS",
    "MAX_LEARNING_RATE",
    "NOTEBOOK",
    "OPTIMIZERS",
    "QUICK",
    "RECIPES",
    "SETTINGS",
    "SUBSETS",
    "Curves",
    "EpochResult",
    "JobLink",
    "JobSlots",
    "JobSnapshot",
    "Progress",
    "Recipe",
    "Setting",
    "TrainSettings",
    "TrainingJob",
    "check_compatible",
    "make_dataset",
]
