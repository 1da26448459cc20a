"""Rerun one ``@st.fragment`` under AppTest, as the browser does when a widget inside it changes.

AppTest always reruns the whole script, so a test (or ``bench/bench_reruns.py``) that wants to
see what a fragment rerun does asks the script runner for it::

    from tests.fragments import fragment_id, fragment_scoped

    at.run()  # a full run registers the page's fragments
    with fragment_scoped(fragment_id(at, "pixel_explained")):
        at.slider(key="inside.window.row.2").set_value(3).run()  # only that fragment runs

After a fragment run ``at`` holds only what the fragment drew, as the browser's update does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.testing.v1 import AppTest


def fragment_id(at: AppTest, name: str) -> str:
    """The id of the fragment whose function is named ``name``, as the last full run stored it.

    Raises:
        LookupError: if no stored fragment wraps a function of that name.
    """
    fragments = at._fragment_storage._fragments  # AppTest has no public way to list them
    for fid, wrapped in fragments.items():
        cells = [cell.cell_contents for cell in (wrapped.__closure__ or ())]
        if any(getattr(c, "__qualname__", "").split(".")[-1] == name for c in cells):
            return fid
    raise LookupError(f"no fragment {name!r} among the {len(fragments)} stored fragments")


@contextlib.contextmanager
def fragment_scoped(fid: str) -> Iterator[None]:
    """Inside this block every ``at.run()`` runs only fragment ``fid``.

    AppTest queues a full rerun when it creates its script runner, and a fragment request would
    only join it, so the request is rewritten where the runner starts the run.
    """
    original = ScriptRunner._run_script

    def run_fragment(self: ScriptRunner, rerun_data: RerunData) -> None:
        scoped = replace(rerun_data, fragment_id_queue=[fid], is_fragment_scoped_rerun=True)
        return original(self, scoped)

    ScriptRunner._run_script = run_fragment
    try:
        yield
    finally:
        ScriptRunner._run_script = original
