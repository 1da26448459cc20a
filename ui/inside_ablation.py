"""Look inside, "Switch filters off": zero some of a Conv2D's filters, see the guess and the accuracy.

The filters are switched off with a mask in a pass of the model's own layers
(``core.ablation``): the model itself, shared or not, is never written to.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import ablation
from core.figures import ablation as figs
from core.inside_captions import layer_name
from core.model_choice import ModelChoice
from core.projection import sample_indices
from ui import inside_cache
from ui.errors import guard
from ui.inside_chart import chart

_LAYER = "inside.ablate.layer"
_MODE = "inside.ablate.mode"
_PICKED = "inside.ablate.picked"  # + ".<layer index>"
_APPLIED = "inside.ablate.applied"  # (model key, layer index, filters off) last switched off
MODES = ("Switch off these", "Keep only these")


@st.fragment
@guard("switching filters off")
def switch_filters_off(
    choice: ModelChoice, image: np.ndarray, x_test: np.ndarray, y_test: np.ndarray
) -> None:
    """Choose a Conv2D and its filters to switch off; the digit's guess and the test accuracy after.

    A fragment: these choices rerun only this part of the page.
    """
    arch, model = choice.built.arch, choice.built.model
    convs = arch.indices("Conv2D")
    if not convs:
        st.info(
            "This model has no Conv2D layer, so it has no filters to switch off. Add a "
            "convolution on the Build page to try it."
        )
        return
    if not _ten_scores(model):
        st.info("This model does not end in ten digit scores, so there is no guess to change.")
        return
    index = st.selectbox(
        "Convolution layer", convs, format_func=lambda i: layer_name(arch, i), key=_LAYER
    )
    n = arch.layers[index].params["filters"]
    off = _chosen(choice, index, n)
    if off is None:
        st.caption(
            "Pick some filters and press **Switch off**: their outputs become zero everywhere, "
            "and the rest of the network has to do without them."
        )
        return
    _digit(choice, image, index, off, n)
    _test_digits(choice, index, off, n, x_test, y_test)


def _chosen(choice: ModelChoice, index: int, n: int) -> tuple[int, ...] | None:
    """The form of filters; the filters last switched off in this layer of this model, or None."""
    with st.form("inside.ablate.form", border=False):
        left, right = st.columns([1, 2.2], vertical_alignment="bottom")
        mode = left.radio("Filters", MODES, key=_MODE)
        picked = right.multiselect(
            f"Which filters (0 to {n - 1})",
            list(range(n)),
            key=f"{_PICKED}.{index}",
            placeholder="none",
        )
        pressed = st.form_submit_button("Switch off", icon=":material/power_settings_new:")
    if pressed:
        off = ablation.switched_off(n, picked, all_but=mode == MODES[1])
        st.session_state[_APPLIED] = (choice.key, index, off)
    applied = st.session_state.get(_APPLIED)
    if applied is None or applied[:2] != (choice.key, index):
        return None
    return applied[2]


def _digit(choice: ModelChoice, image: np.ndarray, index: int, off: tuple, n: int) -> None:
    """The digit's probabilities with every filter on, and with the chosen ones off."""
    model = choice.built.model
    mask = ablation.filter_mask(n, off)
    x = image[np.newaxis]
    before = ablation.as_probabilities(ablation.masked_outputs(model, x))[0]
    after = ablation.as_probabilities(ablation.masked_outputs(model, x, index, mask))[0]
    st.markdown(
        f"{_off_words(off, n)}. With every filter on the model says **{before.argmax()}** "
        f"({before.max():.0%}); now it says **{after.argmax()}** ({after.max():.0%})."
    )
    chart(figs.probabilities(before, after, "This digit's probabilities"))


def _test_digits(
    choice: ModelChoice, index: int, off: tuple, n: int, x_test: np.ndarray, y_test: np.ndarray
) -> None:
    """Accuracy on the fixed 2,000 test digits before and after, per digit, the worst hit."""
    sample = sample_indices(len(y_test))
    images, labels = x_test[sample], y_test[sample]
    before = _outputs(choice, images, None, ())
    after = before if not off else _outputs(choice, images, index, off, n)
    change = ablation.compare(before, after, labels)
    left, right = st.columns(2)
    left.metric(f"Test accuracy, {len(sample):,} digits, every filter on", f"{change.before:.1%}")
    right.metric(
        f"With {len(off)} of {n} filters off",
        f"{change.after:.1%}",
        delta=f"{-100 * change.drop:+.1f} points",
    )
    title = "Share of each digit read right"
    chart(figs.per_class(change.per_class_before, change.per_class_after, change.counts, title))
    st.markdown(_verdict(change, off, n, choice.trained))


def _outputs(
    choice: ModelChoice, images: np.ndarray, index: int | None, off: tuple, n: int = 0
) -> np.ndarray:
    """The model's outputs for the sample with ``off`` switched off, once per session and choice."""

    def run() -> np.ndarray:
        what = "with those filters off" if off else "with every filter on"
        bar = st.progress(0.0, text=f"Testing {len(images):,} digits {what}…")
        try:
            mask = ablation.filter_mask(n, off) if off else None
            return ablation.masked_outputs(
                choice.built.model, images, index, mask, progress=lambda d, t: bar.progress(d / t)
            )
        finally:
            bar.empty()

    return inside_cache.remember("ablate", (choice.key, len(images), index, off), run)


def _off_words(off: tuple, n: int) -> str:
    if not off:
        return "No filter is off"
    if len(off) == n:
        return f"All {n} filters are off"
    names = ", ".join(map(str, off[:12])) + (" …" if len(off) > 12 else "")
    return f"{len(off)} of {n} filters are off ({names})"


def _verdict(change: ablation.AccuracyChange, off: tuple, n: int, trained: bool) -> str:
    """One honest paragraph: who was hurt, or why nothing or everything changed."""
    if not trained:
        return (
            "This model is untrained, so it is at about chance (10%) with or without these "
            "filters: switching off what learnt nothing changes little."
        )
    if not off:
        return "No filter is off, so nothing changed: pick some and press **Switch off**."
    one = change.one_answer
    if len(off) == n or one is not None:
        why = "this layer passes on nothing but zeros, so" if len(off) == n else "now"
        return (
            f"All is lost: {why} the model gives every digit the same answer, **{one}**, right "
            f"only for the {change.after:.0%} of the test digits that are {one}s."
        )
    hurt = change.hurt_most()
    if not hurt:
        return "No digit got worse: the rest of the network does the job without these filters."
    worst = ", ".join(f"**{d}** (−{100 * lost:.1f} points)" for d, lost in hurt)
    return f"Hurt most: {worst}. The other filters cover for the rest."


def _ten_scores(model) -> bool:
    """True when the model gives ten numbers per image (a digit classifier)."""
    shape = tuple(model.outputs[0].shape) if model.outputs else ()
    return len(shape) == 2 and shape[-1] == 10
