"""The sections of the "MNIST at a glance" page, and the two values it keeps per session.

Every figure depends only on the shared MNIST arrays and a seed or a test-image number, never on
a user's data, so each is built once per process (``st.cache_resource``, a few dozen at most) and
shared read-only: a rerun only sends it again.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import data
from core.figures import mnist as figs
from ui import resources

SEED_KEY = "data_sample_seed"  # the seed of the sample grid; "New samples" moves it on
# A first visit shows the grid of this seed and test image #0 (the number input's minimum).
FIRST_SEED = 0
INDEX_KEY = "data_digit_index"  # the number input of the test image shown pixel by pixel
PER_CLASS = 4
# theme=None: the figures carry the app's own scheme (core/figures/style.py), not Streamlit's.
CHART = {"theme": None, "config": {"displaylogo": False}}
KEEP = 32  # figures kept per kind (seeds, test images), for every session of the process


@st.cache_resource(max_entries=KEEP, show_spinner=False)
def grid_figure(seed: int) -> go.Figure:
    """The sample grid of ``seed``: PER_CLASS training images of each digit, a column per digit."""
    m = resources.mnist()
    picks = data.sample_indices(m.y_train, PER_CLASS, seed)
    picks = picks.reshape(10, PER_CLASS).T.ravel()  # one column per digit
    title = f"{PER_CLASS} training images of each digit (seed {seed})"
    return figs.digit_grid(m.x_train[picks], m.y_train[picks], title=title)


@st.cache_resource(max_entries=KEEP, show_spinner=False)
def heatmap_figure(index: int) -> go.Figure:
    """Test image ``index`` as a heatmap of its pixel values."""
    m = resources.mnist()
    return figs.digit_heatmap(m.x_test[index], f"Test image #{index}: a {int(m.y_test[index])}")


@st.cache_resource(show_spinner=False)
def fixed_figures() -> dict[str, go.Figure]:
    """The figures that never change: label counts, one-hot labels and the pixel histograms."""
    m = resources.mnist()
    train, test = m.label_counts("train"), m.label_counts("test")
    return {
        "counts": figs.label_counts_bar(train, test),
        "onehot": figs.one_hot_figure(np.asarray(m.y_train[:5])),
        "pixels": figs.pixel_histograms(resources.train_pixel_counts(), m.pixel_mean, m.pixel_std),
    }


def prepare_default_view() -> None:
    """Build the figures a first visit shows into their caches (``ui.startup``, at server start).

    Also serialises one the way ``st.plotly_chart`` does, which imports Plotly's JSON code.
    """
    import plotly.io

    fixed = fixed_figures()
    grid_figure(FIRST_SEED)
    heatmap_figure(0)
    plotly.io.to_json(fixed["counts"], validate=False)


def load_or_stop() -> data.Mnist:
    """The shared MNIST arrays, or an error on the page (never a traceback) and a stop."""
    try:
        return resources.mnist()
    except (FileNotFoundError, ValueError) as err:
        st.error(
            f"**The MNIST data could not be loaded.** {err}\n\n"
            "To fix it, run this from the project folder, then reload the page:\n\n"
            "```\npython scripts/build_mnist.py\n```",
            icon=":material/error:",
        )
        st.stop()


def _next_seed() -> None:
    st.session_state[SEED_KEY] = st.session_state.get(SEED_KEY, FIRST_SEED) + 1


def _random_digit(n_test: int) -> None:
    st.session_state[INDEX_KEY] = int(np.random.default_rng().integers(n_test))


def sample_grid(m: data.Mnist) -> None:
    """Four training images of each digit, one column per digit, and "New samples"."""
    seed = st.session_state.setdefault(SEED_KEY, FIRST_SEED)
    st.plotly_chart(grid_figure(int(seed)), key="data_grid", **CHART)
    st.button("New samples", icon=":material/refresh:", on_click=_next_seed)
    st.caption(
        "Each column holds one digit. The same digit is written in many ways: "
        "thick or thin, slanted, open or closed. The network has to learn what "
        "stays the same. Hover over a pixel to read its value."
    )


def arrays(m: data.Mnist) -> None:
    """The arrays' shapes and types as the code sees them, and the model's input shape."""
    st.subheader("The arrays, as the code sees them")
    model_in = data.to_model_input(m.x_test[:1])
    st.code(
        f"x_train  {m.x_train.shape}  {m.x_train.dtype}\n"
        f"y_train  {m.y_train.shape}          {m.y_train.dtype}\n"
        f"x_test   {m.x_test.shape}  {m.x_test.dtype}\n"
        f"y_test   {m.y_test.shape}          {m.y_test.dtype}\n"
        f"\nmodel input, one image:\n         {model_in.shape[1:]}    {model_in.dtype}",
        language=None,
    )
    st.markdown(
        "Pixels run from 0 (black) to 255 (white); labels are the digits 0 to 9. A "
        "convolution layer also wants a **channel** axis (1 for grey, 3 for colour), so the "
        "model input is **(28, 28, 1)**, channels last: a batch of 32 is (32, 28, 28, 1)."
    )
    st.caption(
        "The original notebook used Keras 1 with channels first, (1, 28, 28); "
        "Keras 3 puts channels last."
    )


def one_digit(m: data.Mnist) -> None:
    """One test image, chosen by number or at random, as a heatmap of its pixel values."""
    st.subheader("One digit, pixel by pixel")
    n_test = len(m.y_test)
    pick, rand = st.columns([3, 2], vertical_alignment="bottom")
    index = pick.number_input(
        f"Test image (0 to {n_test - 1:,})", min_value=0, max_value=n_test - 1, key=INDEX_KEY
    )
    rand.button(
        "Pick at random",
        icon=":material/casino:",
        on_click=_random_digit,
        args=(n_test,),
        width="stretch",
    )
    index = int(np.clip(index, 0, n_test - 1))
    image = m.x_test[index]
    st.plotly_chart(heatmap_figure(index), key="data_digit", **CHART)
    st.caption(
        f"{int(np.count_nonzero(image))} of its 784 pixels have ink (value > 0). "
        "Hover over a pixel to read its value."
    )


def label_counts(m: data.Mnist) -> None:
    """How many images of each digit the training and test sets hold."""
    st.subheader("How many of each digit?")
    train = m.label_counts("train")
    st.plotly_chart(fixed_figures()["counts"], key="data_counts", **CHART)
    st.markdown(
        f"Every digit has about a tenth of the images (training: from {train.min():,} "
        f"{int(train.argmin())}s to {train.max():,} {int(train.argmax())}s), so always "
        "guessing one digit would be right only about 10% of the time."
    )


def one_hot_labels(m: data.Mnist) -> None:
    """The first five training labels as one-hot targets."""
    st.subheader("One-hot labels")
    st.plotly_chart(fixed_figures()["onehot"], key="data_onehot", **CHART)
    st.markdown(
        "The network ends with **10 outputs, one probability per digit**. To compare its "
        "answer with the truth, the label is written in the same shape: ten numbers, a 1 in "
        "the slot of the right digit and 0 elsewhere. The loss then measures how little "
        "probability the network gave to that slot."
    )


def normalising(m: data.Mnist) -> None:
    """The pixel values before and after subtracting the mean and dividing by the std."""
    st.subheader("Normalising the pixels")
    mean, std = m.pixel_mean, m.pixel_std
    st.plotly_chart(fixed_figures()["pixels"], key="data_pixels", **CHART)
    st.markdown(
        f"Most pixels are 0 (black background). Subtracting the mean (**{mean:.2f}**) and "
        f"dividing by the standard deviation (**{std:.2f}**) puts the inputs around 0 with a "
        f"spread of 1, from {-mean / std:.2f} to {(255 - mean) / std:.2f}: the shape is the "
        "same, and training is steadier on numbers of that size."
    )
    st.caption(
        "The original notebook divided by the mean instead of the standard "
        "deviation, a slip; this app uses the standard deviation."
    )
