"""Start-up patches: stop Streamlit from resetting Keras after every script run, and skip its REPL check.

Streamlit's script runner calls ``_clean_problem_modules()`` after every script run and
every fragment run. Whenever ``keras`` is imported, that calls
``keras.backend.clear_session()``, which

* costs about 200 ms holding the GIL on this machine with TensorFlow loaded (plus a
  ``gc.collect()``), so a training thread beside the page barely advances while the page
  polls, and every click pays for it;
* swaps Keras's global state for a fresh one, for every thread in the process: one user's
  click resets the Keras state of every other user's model and training job.

``install()`` replaces that function with a no-op, once, at start-up (``ui.shell`` calls it
first). Do not call ``clear_session()`` anywhere in this app for the same reason. The other
half of the fix is ``[runner] postScriptGC = false`` in ``.streamlit/config.toml``.
``tests/test_runtime.py`` pins Streamlit's version and fails if the function moves.

``install()`` also makes Plotly wait for a module another thread is still importing (pandas, by
the warm-up), and marks Streamlit's "are we in a REPL?" warning as already shown: on the first
element a process writes, ``delta_generator._maybe_print_use_warning()`` calls ``inspect.stack()``
over the script thread's deep stack, which resolves the file of every loaded module (1,000+
``realpath`` calls): 0.1–0.6 s on the first page's critical path, to print a warning that never
applies under ``streamlit run``.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading

# Keep TensorFlow's C++ logging to errors; must be set before TensorFlow is imported.
# (A few lines printed before absl initialises still reach stderr; no variable stops them.)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from collections.abc import Callable  # noqa: E402

from streamlit import delta_generator  # noqa: E402
from streamlit.runtime.scriptrunner import script_runner  # noqa: E402

_TARGET = "_clean_problem_modules"
_REPL_WARNING = "_use_warning_has_been_displayed"  # delta_generator's "warning shown once" flag
_WHOLE = "__layer_by_layer_whole__"  # marks our Plotly get_module
_original: Callable[[], None] | None = None
_thread = threading.local()  # .through_app: this thread ran app.py; .rerun_asked: it reran once


def _keep_keras_state() -> None:
    """Stand-in for Streamlit's ``_clean_problem_modules``: leave Keras alone.

    We import no matplotlib.pyplot, the other module Streamlit tidies there.
    """


def install() -> None:
    """Replace Streamlit's post-run Keras reset with a no-op and skip its REPL check; idempotent.

    Call it before Keras is imported (``ui.shell`` does, first thing; so does ``ui.warmup``): the
    no-op then covers every run from the one that imports Keras on.

    Raises:
        RuntimeError: if Streamlit no longer has ``script_runner._clean_problem_modules``.
    """
    global _original
    _thread.through_app = True  # this script thread runs app.py (see run_through_app)
    if hasattr(delta_generator, _REPL_WARNING):  # only a start-up cost: fine if Streamlit drops it
        setattr(delta_generator, _REPL_WARNING, True)
    current = getattr(script_runner, _TARGET, None)
    if current is None:
        raise RuntimeError(
            f"streamlit.runtime.scriptrunner.script_runner.{_TARGET} is missing: Streamlit "
            "changed how it resets Keras after a script run. Re-check ui/runtime.py against "
            "the installed Streamlit before changing its pinned version."
        )
    _wait_for_whole_modules()
    if current is _keep_keras_state:
        return
    _original = current
    setattr(script_runner, _TARGET, _keep_keras_state)


def _wait_for_whole_modules() -> None:
    """Make Plotly wait for a module another thread is still importing; idempotent.

    Plotly asks ``sys.modules`` whether pandas is there (``get_module(name, should_load=False)``)
    without taking the import lock. While the warm-up thread imports pandas, a page serialising a
    figure got the half-made module: "partially initialized module 'pandas' has no attribute
    'Series'". The replacement imports such a module properly, which waits for the other thread.
    Plotly's modules bind ``get_module`` when they load, so the ones already loaded are rebound.
    """
    from _plotly_utils import optional_imports

    original = optional_imports.get_module
    if getattr(original, _WHOLE, False):
        return

    def get_module(name: str, should_load: bool = True):  # noqa: ANN202 - Plotly's signature
        module = sys.modules.get(name)
        if module is not None and getattr(
            getattr(module, "__spec__", None), "_initializing", False
        ):
            return importlib.import_module(name)  # blocks until the importing thread is done
        return original(name, should_load)

    setattr(get_module, _WHOLE, True)
    for module in list(sys.modules.values()):
        if getattr(module, "get_module", None) is original:
            module.get_module = get_module


def run_through_app() -> None:
    """Make sure a page runs inside ``app.py``'s navigation, not on its own; call it first in each page.

    Streamlit still honours its old multipage mode for a folder named ``pages/``: until some run
    has called ``st.navigation``, a first visit to ``/build`` (say, a shared link right after the
    server starts) runs ``pages/build.py`` by itself, with file-name navigation, no page config
    and no patch. The flag behind that is class-wide, so switching it off once and rerunning
    sends this and every later run through ``app.py``. In a normal run this is a no-op.
    """
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager

    # "Not installed" means app.py has not run yet in this process. A server installs the patch
    # at start (ui.startup), so there a run whose thread app.py did not mark says the same.
    # (AppTest re-arms the flag before every run and runs pages on their own: left alone.)
    if PagesManager.uses_pages_directory and (
        not is_installed() or (_unmarked_server_run() and not _under_app_test())
    ):
        PagesManager.uses_pages_directory = False
        st.rerun()
    # Several browsers opening deep links on a fresh server at once: the first switched the flag
    # off (and installed the patch) while the others' runs had already started on their own. Such
    # a run is of app.py's server but did not go through app.py (app.py marks its script thread
    # in install()): it reruns, once.
    elif (
        not PagesManager.uses_pages_directory
        and _unmarked_server_run()
        and not getattr(_thread, "rerun_asked", False)
    ):
        _thread.rerun_asked = True
        st.rerun()


def _unmarked_server_run() -> bool:
    """True when this run is of app.py's session but app.py did not mark its thread."""
    return not getattr(_thread, "through_app", False) and _served_by_app_py()


def _under_app_test() -> bool:
    from streamlit import config

    return bool(config.get_option("global.appTest"))


def _served_by_app_py() -> bool:
    """True when this session's main script is app.py (a server), not a test's own script."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    manager = getattr(ctx, "pages_manager", None)
    main = getattr(manager, "main_script_path", None)
    return bool(main) and os.path.basename(str(main)) == "app.py"


def is_installed() -> bool:
    """Return True if Streamlit's post-run Keras reset is currently the no-op."""
    return getattr(script_runner, _TARGET, None) is _keep_keras_state


def uninstall() -> None:
    """Put Streamlit's original function back (for tests that show what the patch prevents)."""
    if _original is not None and is_installed():
        setattr(script_runner, _TARGET, _original)
