"""What the Train page says before Train is pressed: how long the run takes here, and the queue ahead."""

from __future__ import annotations

import math

from core.training.estimate import QueueWait, RunEstimate
from core.training.limit import limit_duration

MEASURING = (
    "Measuring how fast this model trains on this server (a few batches on a throwaway copy; a few "
    "seconds)…"
)
NOT_MEASURED = "How long this run would take could not be measured on this server."


def about(seconds: float) -> str:
    """A rounded duration for an estimate: ``5 s``, ``45 s``, ``1 min 30 s``, ``4 min``, ``1 h 05 min``.

    >>> about(2), about(43), about(97), about(242), about(1_530), about(3_900)
    ('5 s', '45 s', '1 min 40 s', '4 min', '26 min', '1 h 05 min')
    """
    if seconds < 57.5:
        return f"{max(5, 5 * round(seconds / 5))} s"
    if seconds < 600:
        s = 10 * round(seconds / 10)
        minutes, rest = divmod(s, 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def rough(rate: float) -> str:
    """A speed to two significant figures: ``6,700``, ``780``, ``45``.

    >>> rough(6_679.3), rough(784.9), rough(44.6), rough(1.234)
    ('6,700', '780', '45', '1.2')
    """
    if rate <= 0:
        return "0"
    value = round(rate, 1 - math.floor(math.log10(rate)))
    return f"{value:,.0f}" if value >= 10 else f"{value:.2g}"


def run_line(est: RunEstimate, n_train: int, n_test: int) -> str:
    """How long the run takes here, and whether the server's limit stops it early.

    >>> from core.training.estimate import Speed, estimate_run
    >>> from core.training.settings import TrainSettings
    >>> e = estimate_run(Speed(800, eval_ips=4_000), TrainSettings(), 10_000)
    >>> run_line(e, 60_000, 10_000)[:57]
    'This run will take **about 3 min 50 s** on this server: 3'
    >>> cut = estimate_run(Speed(800, eval_ips=4_000), TrainSettings(), 10_000, limit_s=120)
    >>> run_line(cut, 60_000, 10_000).split("; ")[-1][:66]
    'this server stops runs after 2 min, so **it will stop early**, in '
    """
    epochs = f"{est.epochs} epoch{'s' if est.epochs != 1 else ''}"
    how = (
        f"{epochs} of {n_train:,} images at about {rough(est.train_ips)} images/s, and a test pass "
        f"over {n_test:,} images after each"
    )
    source = (
        "measured on a few batches of this model"
        if est.source == "probe"
        else ("the speed of an earlier run of this model")
    )
    if not est.cut:
        return f"This run will take **about {about(est.full_s)}** on this server: {how} ({source})."
    return (
        f"This run would take **about {about(est.full_s)}** here ({how}; {source}); this server "
        f"stops runs after {limit_duration(est.limit_s)}, so **it will stop early**, in epoch "
        f"{est.stop_epoch} of {est.epochs}, keeping the weights learnt by then and testing them. "
        "Fewer images or epochs make it shorter."
    )


def queue_line(wait: QueueWait) -> str:
    """How long a run pressed now would wait for a training slot.

    >>> queue_line(QueueWait(0, 0.0))
    'No queue: your run starts as soon as you press Train.'
    >>> queue_line(QueueWait(1, 38.0, 1))
    'The queue: **1 run ahead of you, about 40 s** (1 training now).'
    >>> queue_line(QueueWait(2, None, 1))
    'The queue: **2 runs ahead of you** (1 training now); how long they take is not known yet.'
    """
    if wait.ahead == 0:
        return "No queue: your run starts as soon as you press Train."
    runs = f"{wait.ahead} run{'s' if wait.ahead != 1 else ''} ahead of you"
    now = f"({wait.training} training now)"
    if wait.seconds is None:
        return f"The queue: **{runs}** {now}; how long they take is not known yet."
    return f"The queue: **{runs}, about {about(wait.seconds)}** {now}."


def queued_text(position: int | None, wait_s: float | None) -> str:
    """The progress line of a queued run.

    >>> queued_text(2, 75.0)
    'Waiting for a free training slot (position 2 in the queue, about 1 min 20 s)'
    >>> queued_text(None, None)
    'Waiting for a free training slot (starting in the queue)'
    """
    where = f"position {position}" if position else "starting"
    wait = f", about {about(wait_s)}" if wait_s is not None and position else ""
    return f"Waiting for a free training slot ({where} in the queue{wait})"
