"""Unexpected errors: a short message for the user, the traceback and context in the server log.

Wrap a risky action on a page::

    from ui.errors import guard

    with guard("training your model"):
        error = jobs.start_training(arch, settings)

or a whole function::

    @guard("drawing the feature maps")
    def every_layer(...): ...

An exception raised inside is logged on ``logging.getLogger("layer_by_layer")`` with its
traceback, what the user was doing and the page, and the user sees only
"Something went wrong while <what>; your model and settings are kept. The details are in the
server log." Nothing is re-raised, so the rest of the page still draws (a decorated function
then returns None). Streamlit's own control flow (``st.rerun()``, ``st.stop()``, ``switch_page``)
passes through untouched, and so do KeyboardInterrupt and SystemExit.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

log = logging.getLogger("layer_by_layer")
# Set to "1" by tests/conftest.py: guard() still logs but re-raises, so AppTest and browser tests
# see a broken page as an exception instead of a polite message.
STRICT_ENV = "LAYER_BY_LAYER_STRICT"
if not log.handlers:  # under `streamlit run` nothing else configures it: give it time and level
    _handler = logging.StreamHandler()  # stderr, i.e. the server's log
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)  # our few start-up lines too (e.g. when TensorFlow is warm)

# Raised on purpose by st.rerun(), st.stop() and st.switch_page(): never "something went wrong".
_CONTROL_FLOW = (RerunException, StopException)


def user_message(what: str) -> str:
    """The text the user sees: what failed, that nothing is lost, where the details are.

    >>> user_message("loading the preset")
    'Something went wrong while loading the preset; your model and settings are kept. The details are in the server log.'
    """
    return (
        f"Something went wrong while {what}; your model and settings are kept. "
        "The details are in the server log."
    )


def _where() -> str:
    """The page's address and the browser session's id, or "?" outside a script run."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        return f"page {st.context.url or '?'}, session {ctx.session_id if ctx else '?'}"
    except Exception:  # noqa: BLE001 - the log line must never fail because of its decoration
        return "?"


class _Guard(contextlib.ContextDecorator):
    """``guard(what)``: a context manager and a decorator (see the module docstring)."""

    def __init__(self, what: str, show: Callable[[str], Any] | None = None) -> None:
        self.what = what
        self.show = show

    def __enter__(self) -> _Guard:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: Any
    ) -> bool:
        if error is None or isinstance(error, _CONTROL_FLOW) or not isinstance(error, Exception):
            return False  # no error, Streamlit's own control flow, or KeyboardInterrupt/SystemExit
        log.error(
            "unexpected %s while %s (%s)",
            type(error).__name__,
            self.what,
            _where(),
            exc_info=(kind, error, tb),
        )
        if os.environ.get(STRICT_ENV) == "1":
            return False  # tests: let it raise, so a broken page still fails its test
        try:
            (self.show or st.error)(user_message(self.what), icon=":material/error:")
        except Exception:  # noqa: BLE001 - no script run (a worker thread): the log is enough
            log.debug("could not show the error message for %s", self.what, exc_info=True)
        return True  # swallowed: the page goes on


def guard(what: str, show: Callable[..., Any] | None = None) -> _Guard:
    """Catch an unexpected exception, log it with its traceback, show a short message instead.

    Args:
        what: what the user was doing, in words that finish "Something went wrong while ...",
            e.g. ``"training your model"``.
        show: how to show the message (default ``st.error``; e.g. ``st.toast``); called with the
            text and ``icon=``.

    Returns:
        A context manager that is also a decorator.
    """
    return _Guard(what, show)
