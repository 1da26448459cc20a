"""Before Train is pressed: what the page says about the run's time, the queue and the limit."""

from __future__ import annotations

from dataclasses import dataclass

from core.architecture import Architecture
from core.data import Mnist
from core.training import estimate_texts as words
from core.training.estimate import estimate_run
from core.training.limit import limit_line
from core.training.settings import TrainSettings
from core.training.slots import JobSlots
from core.training.speeds import speed_key


@dataclass(frozen=True)
class Outlook:
    """The lines of text before Train (None: nothing to say), and whether they will change.

    Attributes:
        run: how long the run takes here (or that its speed is being measured).
        queue: how long it would wait for a training slot.
        limit: the server's time limit per run.
        measuring: the speed is being measured: ask again in a moment.
        busy: runs are training or waiting: the queue line changes as they go.
    """

    run: str | None
    queue: str | None
    limit: str | None
    measuring: bool
    busy: bool


def outlook(
    slots: JobSlots, arch: Architecture, settings: TrainSettings, mnist: Mnist, can_train: bool
) -> Outlook:
    """What to say before Train: asks the server's speed book (which measures in the background).

    Args:
        slots: the server's queue, with its time limit and speed book.
        arch: the architecture the Train button would train.
        settings: the settings as the form holds them (nothing is said of invalid ones).
        mnist: the data (a few batches of it are used to measure an unknown speed).
        can_train: False while this session trains or when the model cannot be trained: only
            the limit is said then.
    """
    limit = limit_line(slots.run_limit_s) if slots.run_limit_s is not None else None
    if not can_train or settings.validate(len(mnist.y_train)):
        return Outlook(None, None, limit, False, False)
    running, waiting = slots.counts()
    wait = slots.wait()
    speed = slots.speeds.request(arch, settings, mnist)
    if speed is not None:
        est = estimate_run(speed, settings, len(mnist.y_test), slots.run_limit_s)
        run = words.run_line(est, settings.n_train, len(mnist.y_test))
        measuring = False
    else:
        measuring = slots.speeds.status(speed_key(arch, settings)) == "pending"
        run = words.MEASURING if measuring else words.NOT_MEASURED
    return Outlook(run, words.queue_line(wait), limit, measuring, running + waiting > 0)
