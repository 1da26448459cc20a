"""TensorFlow and Keras, imported once per process in a background thread after the first page is served.

``import keras`` costs about 4.5 s here, and MNIST at a glance, Build and the Lesson's text steps
need none of it. ``ui.shell`` calls ``start()`` at the end of a script run, so the first page paints
first and TensorFlow is warm by the time someone opens Train, Look inside or Draw; before running
those, ``ui.shell`` calls ``wait_for_keras()``, which shows a spinner saying what it waits for (and
starts the import itself if nothing has). A failed import is logged with its traceback, the page
shows one short line, and the next ``wait_for_keras()`` (the next click) tries again.

Only one thread imports at a time: a page that needs Keras waits here instead of importing it
beside the warm-up, because Python's per-module import locks can report a deadlock when two
threads import ``keras`` and ``tensorflow`` (which import each other) in opposite orders.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
import time

import streamlit as st

from core.text import short_error
from ui import runtime

log = logging.getLogger("layer_by_layer")

# What "warm" means: Keras (which imports TensorFlow) and our modules built on it. pandas goes first,
# alone: a page's lazy `import pandas` (Plotly, st.dataframe) racing TensorFlow's own import of it
# raised "partially initialized module 'pandas'"; now that window is pandas' 0.4 s, not Keras's 4.5 s.
MODULES = ("pandas", "keras", "tensorflow", "core.keras_model", "core.activations", "core.predict")
WAIT_TEXT = "Loading TensorFlow (first time after the server starts, about 5 s)…"
ENV = "LAYER_BY_LAYER_WARMUP"  # "0": no background import; pages still import Keras when needed
# After the first page's run, its browser still fetches the JavaScript of the page's elements
# (Plotly's is the biggest) from this server's event loop; TensorFlow's import holds the GIL for
# long stretches and, started 0.3 s after the run, held those files up by about a second.
AFTER_PAGE_S = 1.5


def _fully_imported(name: str) -> bool:
    module = sys.modules.get(name)
    spec = getattr(module, "__spec__", None)
    return module is not None and not getattr(spec, "_initializing", False)


class Warmup:
    """Imports ``modules`` in one background thread at a time; safe to use from every session."""

    def __init__(self, modules: tuple[str, ...] = MODULES) -> None:
        self.modules = modules
        self.error: BaseException | None = None  # the last failed attempt's exception
        self.seconds: float | None = None  # how long the successful import took
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def ready(self) -> bool:
        """True once every module is imported (by this warm-up or by anything else)."""
        idle = not self._ready.is_set() and not self.busy()
        if idle and all(_fully_imported(name) for name in self.modules):
            self.error = None
            self._ready.set()
        return self._ready.is_set()

    def busy(self) -> bool:
        """True while the import thread runs."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self, delay: float = 0.0) -> threading.Thread | None:
        """Start the import thread unless it runs or is done; returns the running thread, if any.

        After a failure this starts a new attempt. Streamlit's post-run Keras reset is patched
        out first (``ui.runtime``), so it is off before Keras exists.
        """
        runtime.install()
        with self._lock:
            if self.ready():
                return None
            if not self.busy():
                self._thread = threading.Thread(
                    target=self._run, args=(delay,), name="keras-warmup", daemon=True
                )
                self._thread.start()
            return self._thread

    def _run(self, delay: float) -> None:
        time.sleep(delay)
        began = time.perf_counter()
        try:
            for name in self.modules:
                importlib.import_module(name)
        except Exception as err:  # noqa: BLE001 - logged; the next wait() tries again
            self.error = err
            log.error("importing %s in the background failed", name, exc_info=True)
            return
        self.error, self.seconds = None, time.perf_counter() - began
        self._ready.set()
        log.info("TensorFlow and Keras imported in the background in %.1f s", self.seconds)

    def wait(self, text: str = WAIT_TEXT) -> bool:
        """Block behind a spinner saying ``text`` until the modules are imported.

        Returns:
            True when they are; False after a failed import, with a short error on the page
            (the traceback is in the server log; the next call tries again).
        """
        thread = self.start()
        if thread is not None:
            with st.spinner(text):
                thread.join()
        if self.ready():
            return True
        st.error(
            "TensorFlow could not be loaded, so this part cannot run: "
            f"{short_error(self.error) if self.error else 'unknown error'}. "
            "Reload the page to try again; the details are in the server log.",
            icon=":material/error:",
        )
        return False


_WARMUP = Warmup()


def enabled() -> bool:
    """False when the environment turns the background import off (``LAYER_BY_LAYER_WARMUP=0``)."""
    return os.environ.get(ENV, "1") != "0"


def start_after_page() -> None:
    """Start the background import (once per process) now that a page has been served."""
    if enabled():
        _WARMUP.start(delay=AFTER_PAGE_S)


def keras_ready() -> bool:
    """True once TensorFlow and Keras are imported: a page can use them without waiting."""
    return _WARMUP.ready()


def wait_for_keras(text: str = WAIT_TEXT) -> bool:
    """Wait behind a spinner until TensorFlow and Keras are imported; False (shown) if that failed."""
    return _WARMUP.wait(text)


def seconds() -> float | None:
    """How long the background import took, once it is done (for logs and benchmarks)."""
    return _WARMUP.seconds
