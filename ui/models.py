"""Which models a page can use: the shipped one, this session's trained one, the Build page's untrained one.

Look inside offers all three (``for_look_inside``); Draw asks the trained ones (``for_draw``).
Each is a ``core.model_choice.ModelChoice``. The session's own models are ``HeldModel`` holders
registered with the server's model budget (``ui.model_budget``): an idle session's may be put to
sleep and are rebuilt on their next use; ``ModelChoice.slept`` says so, and ``sleep_notices``
gives the page's sentence (``for_look_inside`` adds it to its list of notes).

Importing this module does not import Keras (the models are built or loaded on first use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from core.architecture import MNIST_SHAPE, Architecture, ArchitectureError
from core.held_model import HeldModel
from core.model_choice import PRETRAINED, TRAINED, UNTRAINED, ModelChoice
from ui import jobs, model_budget, state

if TYPE_CHECKING:
    from core import predict

SEED = 0  # the seed of the random (untrained) models
_UNTRAINED = "models.untrained"  # {arch link text: HeldModel}, the last two architectures
UNTRAINED_KEEP = 2


@st.cache_resource(show_spinner="Loading the pretrained model…")
def pretrained() -> predict.Pretrained:
    """The shipped model (models/pretrained.keras), loaded once per process in Keras's safe mode.

    It is shared by every session and counted in the model budget, which never releases it.

    Raises:
        FileNotFoundError: if the file is missing (the message says how to make it).
        ValueError: if it does not load or does not match its recorded architecture.
        Failures are not cached: the next call tries again.
    """
    from core import predict

    shipped = predict.load_pretrained()
    model_budget.pin("pretrained", shipped.built.model)
    return shipped


def untrained(arch: Architecture) -> HeldModel:
    """A model of ``arch`` with random initial weights (seed SEED), kept per session per arch.

    It reads like a ``BuiltModel`` (``.arch``, ``.model``); the budget may put it to sleep, and
    ``.model`` then rebuilds the same weights from the seed.

    Raises:
        ArchitectureError: when the architecture cannot be built (the message says why).
    """
    if tuple(arch.input_shape) != MNIST_SHAPE:
        shape = "×".join(map(str, arch.input_shape))
        raise ArchitectureError(f"this architecture takes {shape} images, not 28×28×1 MNIST digits")
    cache = st.session_state.setdefault(_UNTRAINED, {})
    key = arch.to_url()
    if key not in cache:
        from core.keras_model import build_model

        cache[key] = model_budget.held(build_model(arch, seed=SEED), seed=SEED)
        while len(cache) > UNTRAINED_KEEP:
            cache.pop(next(iter(cache)))
    return cache[key]


def pretrained_choice() -> ModelChoice:
    """The shipped model.

    Raises:
        FileNotFoundError, ValueError: as :func:`pretrained`.
    """
    shipped = pretrained()
    return ModelChoice(PRETRAINED, shipped.built, "pretrained", test_accuracy=shipped.test_accuracy)


def trained_choice() -> ModelChoice | None:
    """This session's trained model (Train page) once its run has ended, else None.

    ``ui.jobs`` only hands over a model after its job has finished or stopped (a new run trains
    a new model), so its layers never change under a page. A model for other images than MNIST's
    28×28×1 is not offered.
    """
    model = jobs.trained()
    if model is None or tuple(model.built.arch.input_shape) != MNIST_SHAPE:
        return None
    return ModelChoice(
        TRAINED,
        model.built,
        f"own:{model.job_id}",
        test_accuracy=model.test_accuracy,
        run=model.run,
        snapshots=tuple(model.filter_epochs),
        arch_changed=model.built.arch != state.get_arch(),
        slept=_asleep(model.built),
    )


def untrained_choice(arch: Architecture) -> ModelChoice:
    """The Build page's architecture with random weights.

    Raises:
        ArchitectureError: when it cannot be built.
    """
    held = untrained(arch)
    return ModelChoice(UNTRAINED, held, f"untrained:{arch.to_url()}", slept=_asleep(held))


def _asleep(built: object) -> bool:
    return bool(getattr(built, "asleep", False))


def sleep_notices(choices: list[ModelChoice]) -> list[str]:
    """A sentence for each of ``choices`` that was put to sleep and is rebuilt on this visit.

    Call it before the models are used (using one wakes it).
    """
    return [c.sleep_note for c in choices if c.slept]


def for_look_inside() -> tuple[list[ModelChoice], list[str]]:
    """Pretrained, trained, untrained (those available now), and a sentence for each missing one.

    The sentences end with one for each model that was put to sleep and is rebuilt now.
    """
    choices, missing = [], []
    try:
        choices.append(pretrained_choice())
    except (FileNotFoundError, ValueError) as err:
        missing.append(f"The pretrained model is not available: {err}")
    if jobs.is_training():
        missing.append("A model is training on the Train page; it appears here when it ends.")
    own = trained_choice()
    if own is not None:
        choices.append(own)
    try:
        choices.append(untrained_choice(state.get_arch()))
    except ArchitectureError as err:
        missing.append(f"Your Build page architecture cannot be looked inside yet: {err}.")
    return choices, missing + sleep_notices(choices)


def for_draw() -> list[ModelChoice]:
    """This session's trained model when there is one (first: the accent colour), then the pretrained.

    Raises:
        FileNotFoundError, ValueError: when the pretrained model cannot be loaded.
    """
    shipped = pretrained_choice()
    own = trained_choice()
    return ([own] if own is not None else []) + [shipped]
