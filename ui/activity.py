"""Counts every script run of this process (pages and fragments) in ``core.training.courtesy``.

Streamlit runs each page run and each fragment rerun through ``ScriptRunner._run_script``;
``install()`` wraps it once so the training jobs can give way while any run is in progress
(see ``core/training/courtesy.py``). ``tests/test_activity.py`` fails if Streamlit renames it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

from core.training.courtesy import COURTESY

_TARGET = "_run_script"
_MARK = "__layer_by_layer_counted__"


def install() -> None:
    """Wrap ``ScriptRunner._run_script`` so every run is counted; idempotent.

    Raises:
        RuntimeError: if Streamlit no longer has ``ScriptRunner._run_script``.
    """
    original: Callable[..., Any] | None = getattr(ScriptRunner, _TARGET, None)
    if original is None:
        raise RuntimeError(
            f"streamlit's ScriptRunner.{_TARGET} is missing: re-check ui/activity.py against the "
            "installed Streamlit before changing its pinned version."
        )
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def counted(self: ScriptRunner, *args: Any, **kwargs: Any) -> Any:
        with COURTESY.running():
            return original(self, *args, **kwargs)

    setattr(counted, _MARK, True)
    setattr(ScriptRunner, _TARGET, counted)
