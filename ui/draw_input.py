"""Draw's input: the canvas or an uploaded photo, and the centring switch, as MNIST-format steps."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from core import digits, uploads
from ui import draw_state

CANVAS, BRUSH = digits.CANVAS, digits.BRUSH


def digit_input() -> digits.Steps | None:
    """Draw or Upload, then the centring switch; the steps to MNIST's format (None: no upload yet)."""
    source = st.segmented_control("Input", ["Draw", "Upload"], default="Draw", key="draw.source")
    uploading = source == "Upload"
    upload, rgba = (upload_input(), None) if uploading else (None, drawing_input())
    centre = st.toggle(
        "Centre by centre of mass (as MNIST)",
        value=True,
        key="draw.centre",
        help="Off: the digit's bounding box is centred instead. See how the guess changes.",
    )
    if uploading:
        return digits.upload_steps(upload, centre) if upload else None
    return digits.from_canvas(rgba, centre)


def drawing_input() -> np.ndarray | None:
    """The canvas (white ink on black); returns its RGBA image, None while empty.

    The canvas keeps one key: a new key makes Streamlit replace the component in the next rerun,
    and strokes drawn on the old one until that rerun lands are lost. Its toolbar's bin clears
    it in place, in the browser.
    """
    result = st_canvas(
        fill_color="rgba(0, 0, 0, 0)",
        stroke_width=BRUSH,
        stroke_color="#ffffff",
        background_color="#000000",
        height=CANVAS,
        width=CANVAS,
        drawing_mode="freedraw",
        return_image_data=True,
        key=draw_state.CANVAS_KEY,
        on_change=draw_state.canvas_changed,
    )
    st.caption(
        "Hover over the canvas for undo, redo and the bin, which clears it. "
        "The guess updates when a stroke ends."
    )
    return result.image_data


def upload_input() -> uploads.Upload | None:
    """An uploaded PNG/JPEG, decoded safely; None (after a clear message) when unusable."""
    file = st.file_uploader(
        "A photo or scan of one handwritten digit (PNG or JPEG, at most 5 MB)",
        type=["png", "jpg", "jpeg"],
        key="draw.upload",
    )
    if file is None:
        return None
    try:
        upload = uploads.decode_upload(file.getvalue())
    except uploads.UploadError as err:
        st.error(f"{file.name}: {err}")
        return None
    paper = (
        "dark ink on light paper, so it was inverted" if upload.inverted else "light ink on dark"
    )
    st.caption(f"{upload.format}, {upload.size[0]}×{upload.size[1]} pixels: {paper}.")
    return upload
