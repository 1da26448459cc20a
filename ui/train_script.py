"""The Train page's "Take it home": a runnable Keras script that reproduces the trained run, to download."""

from __future__ import annotations

import streamlit as st

from core.evaluation import arch_name
from core.training.script import training_script
from ui import jobs, session_cache

_CACHE = "train.script"  # this session's script text, by run (job id)
DOWNLOAD = "train.script.download"


def file_name(model: jobs.TrainedModel) -> str:
    """``layer_by_layer_run3.py``: what the download is saved as."""
    return f"layer_by_layer_run{model.run}.py"


def script(model: jobs.TrainedModel) -> str:
    """The script of this run (made once per run)."""
    return session_cache.remember(
        _CACHE,
        "source",
        model.job_id,
        lambda: training_script(
            model.built.arch,
            model.settings,
            title=f"run #{model.run}, {arch_name(model.built.arch)}",
            accuracy=model.test_accuracy,
            file_name=file_name(model),
        ),
        keep=2,
    )


def section(model: jobs.TrainedModel) -> None:
    """The section: what the script does, the download, and the script itself to read."""
    st.subheader("Take it home")
    name = file_name(model)
    st.markdown(
        f"A plain Keras 3 script that trains run #{model.run}'s architecture with its settings "
        f"({model.settings.describe()}) on the same training images, then tests it. Run it with "
        f"`python {name}`, or `python {name} --data mnist.npz` with a local copy of MNIST."
    )
    if model.status == "stopped":
        st.caption(
            f"This run was stopped early; the script trains all {model.settings.epochs} epochs."
        )
    source = script(model)
    st.download_button(
        "Download the script (.py)",
        data=source,
        file_name=name,
        mime="text/x-python",
        key=DOWNLOAD,
        on_click="ignore",
        icon=":material/download:",
        help="Needs Python with Keras 3 and TensorFlow: pip install keras tensorflow",
    )
    with st.expander("Read the script", icon=":material/code:"):
        st.code(source, language="python", line_numbers=True)
