"""Process-wide, read-only resources shared by every session (loaded once per process)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import data
from core.figures.mnist import pixel_value_counts


@st.cache_resource(show_spinner="Loading MNIST…")
def mnist() -> data.Mnist:
    """The MNIST arrays (read-only), loaded from data/mnist.npz once per process.

    Raises:
        FileNotFoundError: if the file is missing (the message says how to rebuild it).
        ValueError: if the file is not a valid MNIST .npz.
        Failures are not cached: the next call tries again.
    """
    return data.load_mnist(data.DATA_PATH)


@st.cache_resource(show_spinner=False)
def train_pixel_counts() -> np.ndarray:
    """(256,) read-only counts of each pixel value over the training images, counted once."""
    counts = pixel_value_counts(mnist().x_train)
    counts.flags.writeable = False
    return counts
