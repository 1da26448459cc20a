"""Every session's script run: page config, navigation over pages/, and the sidebar model card.

``app.py`` calls ``run()`` on every script run. Start-up order matters, and the imports below keep
it (they happen once per process: at server start in ``ui.startup``, else on the first run):
Streamlit's Keras reset is patched out first, MNIST starts loading in the background, and
TensorFlow is imported in the background only once a page has been served (``ui.warmup``); the
pages that need it wait for it behind a spinner.
"""

from pathlib import Path

import streamlit as st

from ui import runtime

runtime.install()  # first: stop Streamlit resetting Keras after every run (see ui/runtime.py)

from ui import resources  # noqa: E402

resources.preload()  # MNIST is read in a background thread while the rest imports

from ui import activity, reconnect, sidebar, warmup  # noqa: E402
from ui.errors import guard  # noqa: E402

ICON = Path(__file__).parent.parent / "assets" / "icon.png"  # shipped: no web font needed offline

# (script and URL path, title, Material icon), in the sidebar's order; the first is the default.
# None of them imports TensorFlow at the top except those in NEEDS_KERAS.
PAGES = [
    ("data", "MNIST at a glance", "grid_on"),
    ("lesson", "Lesson", "school"),
    ("build", "Build", "construction"),
    ("inside", "Look inside", "visibility"),
    ("train", "Train", "model_training"),
    ("draw", "Draw", "draw"),
    ("room", "Room", "groups"),
]
NEEDS_KERAS = {"inside", "train", "draw"}  # these wait for ui.warmup before they run


def page(name: str, title: str, icon: str) -> st.Page:
    """The ``st.Page`` of ``pages/<name>.py``, at the URL path ``/<name>``."""
    return st.Page(
        f"pages/{name}.py",
        title=title,
        icon=f":material/{icon}:",
        url_path=name,
        default=name == PAGES[0][0],
    )


def run() -> None:
    """One script run: the page chosen in the navigation, with the sidebar, inside a guard."""
    runtime.install()  # marks this script thread as running through app.py (ui.runtime)
    activity.install()  # count every run, so training gives way to clicks (core/training/courtesy.py)
    st.set_page_config(page_title="Layer by Layer", page_icon=str(ICON), layout="wide")
    navigation = st.navigation([page(*row) for row in PAGES])
    with guard("showing your model in the sidebar", show=st.sidebar.error):
        sidebar.model_card()
    st.sidebar.caption(
        "Layer by Layer — how a convolutional network sees a digit, one layer at a time."
    )
    # Last line of defence: an unexpected error anywhere in a page is logged with its traceback and
    # the user gets a short message; session state (the model, the training job, runs) is untouched.
    with guard("showing this page"):
        reconnect.notice()  # once: this browser's session was on a server that stopped
        if navigation.url_path not in NEEDS_KERAS or warmup.wait_for_keras():
            navigation.run()
    warmup.start_after_page()  # reached once the page has run (not on st.rerun or st.stop)
