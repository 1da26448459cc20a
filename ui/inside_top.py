"""Look inside, "What a filter looks for": the 9 test-digit patches that excite a filter most."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core.figures import inside as figs
from core.figures import inside_patches as patch_figs
from core.inside_captions import layer_name
from core.model_choice import ModelChoice
from core.top_patches import TopPatches, top_patches
from ui import inside_cache
from ui.errors import guard
from ui.inside_chart import chart

_TOP = "inside.top_patches"  # {(model key, layer, filter, n): TopPatches}, a few at most
TOP_KEEP = 12
SEARCHED = [500, 2000, 5000]  # how many test digits the search may cover


def cached_top_patches(
    key: tuple, compute: Callable[[], TopPatches] | None = None
) -> TopPatches | None:
    """A stored top-patches result for ``key``; computes and stores it when ``compute`` is given.

    The store is per session and keeps the latest TOP_KEEP results.
    """
    store: dict = st.session_state.setdefault(_TOP, {})
    if key not in store and compute is not None:
        store[key] = compute()
        while len(store) > TOP_KEEP:
            store.pop(next(iter(store)))
    return store.get(key)


@st.fragment
@guard("finding what a filter looks for")
def what_a_filter_looks_for(choice: ModelChoice, x_test: np.ndarray) -> None:
    """Choose a Conv2D, a filter and how many digits to search; show its strongest patches.

    A fragment: these choices (and the search button) rerun only this part of the page.
    """
    arch = choice.built.arch
    convs = arch.indices("Conv2D")
    if not convs:
        st.info("This model has no Conv2D layer, so there is no filter to study.")
        return
    a, b, c = st.columns([1.4, 1, 0.8])
    index = a.selectbox(
        "Convolution layer",
        convs,
        format_func=lambda i: layer_name(arch, i),
        key="inside.top.layer",
    )
    filt = b.slider(
        "Filter", 0, arch.layers[index].params["filters"] - 1, 0, key=f"inside.top.filter.{index}"
    )
    n = c.selectbox("Digits searched", SEARCHED, index=1, key="inside.top.n")
    result = _search(choice, index, filt, x_test[:n], first=index == convs[0])
    if result is not None:
        _show(choice, result, x_test, index, filt, first=index == convs[0])


def _search(
    choice: ModelChoice, index: int, filt: int, images: np.ndarray, first: bool
) -> TopPatches | None:
    """The stored result, or a search now: at once for the first Conv2D, on a click for deeper ones."""
    key = (choice.key, index, filt, len(images))
    result = cached_top_patches(key)
    if result is not None:
        return result
    slot = st.empty()  # the button (deeper layers take seconds), gone once there are results
    if not first and not slot.button("Find its 9 strongest patches", icon=":material/search:"):
        st.caption(
            f"Searching {len(images):,} digits through {index + 1} layers takes a few seconds."
        )
        return None
    slot.empty()
    with st.spinner(f"Running {len(images):,} test digits through the first {index + 1} layers…"):
        built = choice.built
        return cached_top_patches(
            key, lambda: top_patches(built.model, built.arch, index, filt, images)
        )


def _show(
    choice: ModelChoice, result: TopPatches, x_test: np.ndarray, index: int, filt: int, first: bool
) -> None:
    """The 9 digits with their boxes, the patches enlarged and, for a first layer, the filter."""
    key = ("top", choice.key, index, filt, result.searched)
    boxes, patches, kernel = inside_cache.figure(
        key, lambda: _charts(choice, result, x_test, index, filt, first)
    )
    size = result.patches.shape[1]
    chart(boxes)
    left, right = st.columns([3, 1]) if kernel is not None else (st.container(), None)
    with left:
        chart(patches)
    if right is not None:
        with right:
            chart(kernel)
    st.caption(
        f"Out of the first {result.searched:,} test digits, the 9 where this filter fired hardest. "
        f"The red box is the {size}×{size} patch that one output pixel sees (its receptive field); "
        "the number is the filter's output there; light grey is outside the digit."
    )
    if not choice.trained:
        st.caption(
            "An untrained filter also has favourite patches, but they share no clear pattern."
        )


def _charts(
    choice: ModelChoice, result: TopPatches, x_test: np.ndarray, index: int, filt: int, first: bool
) -> tuple[go.Figure, go.Figure, go.Figure | None]:
    """The digits with their boxes, the patches enlarged, and a first layer's filter (else None)."""
    size = result.patches.shape[1]
    title = f"Filter {filt} of layer {index + 1}: the 9 test digits it responds to most"
    digits = x_test[result.image_indices]
    boxes = patch_figs.digits_with_boxes(digits, result.boxes, result.values, title)
    title = f"The {size}×{size} patches, enlarged"
    patches = patch_figs.patches_grid(result.patches, result.values, title)
    if not first:
        return boxes, patches, None
    kernel = np.asarray(choice.built.model.layers[index].kernel)[..., filt : filt + 1]
    return boxes, patches, figs.kernels(kernel, 0, f"Filter {filt}'s weights", px=24)
