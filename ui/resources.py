"""Process-wide, read-only resources shared by every session (loaded once per process).

``ui.shell`` calls ``preload()`` first thing (imported at server start by ``ui.startup``), so
MNIST is read, then its pixel values counted (which gives their mean and spread too), in a
background thread while the first page's modules import;
``mnist()`` and ``train_pixel_counts()`` take those results (each as soon as it is ready) instead
of computing them again.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import streamlit as st

from core import data


@dataclass
class _Early:
    """What ``preload()`` reads in the background, from ``path``."""

    path: Path
    mnist: Future[data.Mnist] = field(default_factory=Future)
    counts: Future[np.ndarray] = field(default_factory=Future)

    def read(self) -> None:
        """Load MNIST, then count its training pixels; a failure goes into the futures."""
        try:
            m = data.load_mnist(self.path)
        except Exception as err:  # noqa: BLE001 - mnist() reads again and shows the error
            self.mnist.set_exception(err)
            self.counts.set_exception(err)
            return
        self.mnist.set_result(m)
        try:
            self.counts.set_result(m.pixel_counts)  # the mean and spread follow from them
        except Exception as err:  # noqa: BLE001 - train_pixel_counts() counts again
            if not self.counts.done():
                self.counts.set_exception(err)

    def result(self, part: Future, path: Path) -> object | None:
        """``part``'s value if it was read from ``path`` without error, else None."""
        if path != self.path:
            return None
        try:
            return part.result()
        except Exception:  # noqa: BLE001 - the caller reads the file again and reports the error
            return None


_lock = threading.Lock()
_early: _Early | None = None  # set once by preload()


def preload() -> None:
    """Start reading MNIST in a background thread, once per process; later calls do nothing."""
    global _early
    with _lock:
        if _early is not None:
            return
        _early = _Early(Path(data.DATA_PATH))
    threading.Thread(target=_early.read, name="mnist-preload", daemon=True).start()


@st.cache_resource(show_spinner="Loading MNIST…")
def mnist() -> data.Mnist:
    """The MNIST arrays (read-only), loaded from data/mnist.npz once per process.

    Raises:
        FileNotFoundError: if the file is missing (the message says how to rebuild it).
        ValueError: if the file is not a valid MNIST .npz.
        Failures are not cached: the next call tries again.
    """
    early = _early.result(_early.mnist, Path(data.DATA_PATH)) if _early else None
    return early if isinstance(early, data.Mnist) else data.load_mnist(data.DATA_PATH)


@st.cache_resource(show_spinner=False)
def train_pixel_counts() -> np.ndarray:
    """(256,) read-only counts of each pixel value over the training images, counted once."""
    m = mnist()
    path = Path(data.DATA_PATH)
    if _early is not None and _early.result(_early.mnist, path) is m:
        counts = _early.result(_early.counts, path)
        if isinstance(counts, np.ndarray):
            return counts
    return m.pixel_counts
