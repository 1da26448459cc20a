"""The Build page's export box: the share link, the JSON file (download and open), the Keras code."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from core.architecture import Architecture
from core.build_view import MAX_UPLOAD_BYTES, read_upload
from ui import state, warmup
from ui.build_actions import apply

_SEEN = "build.upload_seen"  # the uploaded file already applied (a rerun must not apply it twice)


def json_upload() -> tuple[str, bytes] | None:
    """The architecture file uploader; returns (name, content) once per newly uploaded file.

    Returns:
        The file's name and bytes (at most MAX_UPLOAD_BYTES + 1 are read) the first time it is
        seen, else None.
    """
    file = st.file_uploader(
        "Open an architecture file (.json)", type=["json"], key="upload", max_upload_size=1
    )
    if file is None or st.session_state.get(_SEEN) == file.file_id:
        return None
    st.session_state[_SEEN] = file.file_id
    return file.name, file.read(MAX_UPLOAD_BYTES + 1)


def open_file(name: str, content: bytes) -> None:
    """Replaces the architecture with the file's (undoable), or says why it could not be read."""
    arch, error = read_upload(name, content)
    if arch is None:
        state.notify("error", error or f"“{name}” could not be read.")
        st.rerun()
    apply(lambda _: arch, f"opened “{name}”", select=None)


def export(arch: Architecture) -> None:
    """Share link, Download as JSON, Open a file, and the same model as Keras code."""
    link = f"{st.context.url or '/build'}?arch={quote(arch.to_url(), safe='(),=-')}"
    st.markdown("**Share this architecture:** anyone opening the link sees these layers.")
    st.code(link, language=None, wrap_lines=True)
    left, right = st.columns(2)
    with left:
        st.download_button(
            "Download as JSON",
            arch.to_json(),
            file_name="architecture.json",
            mime="application/json",
            icon=":material/download:",
            on_click="ignore",
            key="download-json",
        )
    with right:
        upload = json_upload()
    if upload is not None:
        open_file(*upload)
    st.markdown("**The same model in Keras** (copy it into a notebook):")
    # core.keras_model imports Keras (seconds after the server starts), so only once this box is open.
    if warmup.wait_for_keras(
        "Loading Keras to write the code (first time after the server starts)…"
    ):
        from core.keras_model import to_python

        st.code(to_python(arch), language="python")
