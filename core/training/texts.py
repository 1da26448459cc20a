"""What the pages write about training: progress and ETA, how a run ended, results, the model card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.architecture import Architecture
from core.evaluation import arch_name, describe_arch
from core.shapes import trace
from core.training.estimate_texts import queued_text
from core.training.settings import TrainSettings
from core.training.snapshot import EpochResult, JobSnapshot

NOT_TRAINED = "Not trained yet: train it on the Train page."
NO_FILTERS = "This model has no convolution layer, so there are no filters to show."
FILTERS_CAPTION = "Each square is one 3×3 (or larger) filter: red weights add, blue ones subtract."


def format_duration(seconds: float) -> str:
    """``45 s``, ``3 min 05 s``, ``1 h 02 min``.

    >>> format_duration(185)
    '3 min 05 s'
    >>> format_duration(3_725), format_duration(-3)
    ('1 h 02 min', '0 s')
    """
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def progress_text(snap: JobSnapshot, short: bool = False) -> str:
    """``Epoch 2/3 · 34,560 of 180,000 examples seen · 812 images/s · about 1 min 05 s left``.

    Or the queue position while waiting, or "Preparing..." before the first batch. ``short``
    leaves out the examples (the sidebar's version).
    """
    if snap.status == "queued":
        return queued_text(snap.queue_position, snap.queue_wait_s)
    if snap.phase == "preparing" or (snap.phase == "training" and snap.examples_seen == 0):
        return "Preparing the model (the first batch takes a few seconds)"
    parts = [f"Epoch {max(snap.epoch, 1)}/{snap.settings.epochs}"]
    if not short:
        parts.append(f"{snap.examples_seen:,} of {snap.examples_total:,} examples seen")
    if snap.images_per_s:
        parts.append(f"{snap.images_per_s:,.0f} images/s")
    limit_left = snap.limit_left_s
    if limit_left is not None and limit_left <= 0:
        parts.append("stopped at this server's time limit")
    elif limit_left is not None and (snap.eta_s is None or snap.eta_s > limit_left):
        parts.append(f"this server's time limit stops it in {format_duration(limit_left)}")
    elif snap.eta_s is not None:
        parts.append(f"about {format_duration(snap.eta_s)} left")
    if snap.phase == "evaluating":
        parts.append("testing")
    return " · ".join(parts)


def outcome(snap: JobSnapshot) -> tuple[str, str]:
    """How an ended run went: (kind, text), kind one of "success", "warning", "info", "error".

    The text of a failure quotes Keras: show it as plain text, not Markdown.
    """
    if snap.status == "finished":
        done = f"Run finished in {format_duration(snap.train_seconds)} of training."
        hint = snap.message.removeprefix("Finished.").strip()
        return ("warning", f"{done} {hint}") if hint else ("success", done)
    if snap.status == "stopped":
        return "info", snap.message
    return "error", snap.message


def filters_title(active: bool) -> str:
    """The live filters chart's title."""
    return "First convolution's filters" + (", learning live" if active else "")


def epoch_rows(epochs: Sequence[EpochResult]) -> list[dict[str, Any]]:
    """The per-epoch table: one row of text per finished epoch.

    >>> epoch_rows([EpochResult(1, 0.3, 0.91, 0.2, 0.95, 4.25)])
    [{'Epoch': 1, 'Train acc.': '91.00%', 'Test acc.': '95.00%', 'Test loss': '0.2000', 'Time': '4.2 s'}]
    """
    return [
        {
            "Epoch": e.epoch,
            "Train acc.": f"{e.train_accuracy:.2%}",
            "Test acc.": f"{e.test_accuracy:.2%}",
            "Test loss": f"{e.test_loss:.4f}",
            "Time": f"{e.seconds:.1f} s",
        }
        for e in epochs
    ]


def model_line(arch: Architecture) -> str:
    """The Train page's line about the model it would train.

    >>> from core.presets import WORKSHOP_CNN
    >>> model_line(WORKSHOP_CNN)
    '**Model:** Small CNN for workshops · 8 layers · 56,714 parameters'
    """
    t = trace(arch)
    size = f"{t.total_params:,} parameters" if t.ok else "does not fit together yet"
    return f"**Model:** {arch_name(arch)} · {len(arch)} layers · {size}"


def result_metrics(
    test_accuracy: float, test_loss: float, wrong: int, n_test: int, seconds: float
) -> list[tuple[str, str]]:
    """(label, value) of the four headline figures of a trained model.

    >>> result_metrics(0.9812, 0.06, 188, 10_000, 75)[2:]
    [('Wrong, of 10,000 test digits', '188'), ('Training time', '1 min 15 s')]
    """
    return [
        ("Test accuracy", f"{test_accuracy:.2%}"),
        ("Test loss", f"{test_loss:.4f}"),
        (f"Wrong, of {n_test:,} test digits", f"{wrong:,}"),
        ("Training time", format_duration(seconds)),
    ]


def model_caption(arch: Architecture, settings: TrainSettings, status: str) -> str:
    """What was trained and how, e.g. ``Small CNN for workshops · Adam lr 0.001 · ...``."""
    stopped = " · stopped early, weights kept" if status == "stopped" else ""
    return f"{arch_name(arch)} · {settings.describe()}{stopped}"


def old_weights_warning(trained_arch: Architecture) -> str:
    """The Train page's warning once the architecture changed after training."""
    return (
        f"These trained weights belong to the previous architecture ({describe_arch(trained_arch)}). "
        "You have changed the architecture on the Build page since: train again to get weights for "
        "the new one. Until then Look inside and Draw keep using this trained model."
    )


def cell_sentence(count: int, true_digit: int, predicted_digit: int, shown: int) -> str:
    """What the chosen confusion-matrix cell holds.

    >>> cell_sentence(12, 4, 9, 12)
    '**12** test images of a **4** taken for a 9; the 12 most confident:'
    >>> cell_sentence(0, 7, 7, 0)
    '**0** test images of a **7** recognised.'
    """
    verb = "recognised" if true_digit == predicted_digit else f"taken for a {predicted_digit}"
    more = f"; the {shown} most confident:" if count else "."
    return f"**{count:,}** test images of a **{true_digit}** {verb}{more}"


# --- the sidebar's model card ------------------------------------------------------------------


def card_title(arch: Architecture) -> str:
    """``**Your model** · Small CNN for workshops``."""
    return f"**Your model** · {arch_name(arch)}"


def card_size(arch: Architecture) -> str:
    """``56,714 parameters``, or ``does not build yet`` (also for no layers).

    >>> card_size(Architecture())
    'does not build yet'
    """
    t = trace(arch)
    return f"{t.total_params:,} parameters" if t.ok and arch.layers else "does not build yet"


def card_trained(status: str, test_accuracy: float, run: int) -> str:
    """The card's line about the trained model.

    >>> card_trained("stopped", 0.9, 2)
    ':material/check_circle: Stopped early: **90.00%** test accuracy (run #2)'
    """
    how = "Stopped early" if status == "stopped" else "Trained"
    return f":material/check_circle: {how}: **{test_accuracy:.2%}** test accuracy (run #{run})"


def card_old_weights(trained_arch: Architecture) -> str:
    """The card's warning once the architecture changed after training."""
    return (
        f":material/warning: These weights belong to the previous architecture "
        f"({describe_arch(trained_arch)}), not to the one you are building now."
    )


def card_last_run(status: str | None) -> str | None:
    """A note when the last run diverged or failed, else None.

    >>> card_last_run("diverged"), card_last_run("finished")
    (':material/error: The last run diverged.', None)
    """
    return f":material/error: The last run {status}." if status in ("diverged", "failed") else None
