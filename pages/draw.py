"""Draw: a digit on a canvas (or a photo) made into MNIST's format, step by step, and classified."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit_drawable_canvas import st_canvas

from core import digits, predict
from core.figures import draw as figs
from core.figures.style import ACCENT, MUTED
from ui import draw_state, runtime
from ui.errors import guard

runtime.run_through_app()

CANVAS = 280  # 10x MNIST's 28 pixels
BRUSH = 20  # a 20 px brush on a ~200 px tall digit becomes a ~2 px stroke at 20x20, like MNIST


def drawing_input() -> np.ndarray | None:
    """The canvas (white ink on black); returns its RGBA image, None while empty."""
    result = st_canvas(
        fill_color="rgba(0, 0, 0, 0)",
        stroke_width=BRUSH,
        stroke_color="#ffffff",
        background_color="#000000",
        height=CANVAS,
        width=CANVAS,
        drawing_mode="freedraw",
        return_image_data=True,
        key=draw_state.canvas_key(),
    )
    st.button("Clear", icon=":material/delete:", on_click=draw_state.clear_canvas)
    st.caption(
        "Hover over the canvas for undo, redo and clear. The guess updates when a stroke ends."
    )
    return result.image_data


def upload_input() -> digits.Upload | None:
    """An uploaded PNG/JPEG, decoded safely; None (after a clear message) when unusable."""
    file = st.file_uploader(
        "A photo or scan of one handwritten digit (PNG or JPEG, at most 5 MB)",
        type=["png", "jpg", "jpeg"],
        key="draw.upload",
    )
    if file is None:
        return None
    try:
        upload = digits.decode_upload(file.getvalue())
    except digits.UploadError as err:
        st.error(f"{file.name}: {err}")
        return None
    paper = (
        "dark ink on light paper, so it was inverted" if upload.inverted else "light ink on dark"
    )
    st.caption(f"{upload.format}, {upload.size[0]}×{upload.size[1]} pixels: {paper}.")
    return upload


def models() -> list[draw_state.ModelChoice]:
    """This session's own trained model when there is one (first: the accent colour), and the pretrained."""
    shipped = draw_state.pretrained()
    acc = shipped.test_accuracy
    note = f"{acc:.2%} on MNIST's 10,000 test digits" if acc else ""
    own = draw_state.own_model()
    return ([own] if own else []) + [draw_state.ModelChoice("Pretrained", shipped.built, note)]


def big_guess(name: str, guess: predict.Guess) -> None:
    """The top guess, large; greyed out with a question mark when confidence is low."""
    colour = MUTED if guess.low else ACCENT
    mark = "?" if guess.low else ""
    st.markdown(
        f"<div style='font-size:0.9rem;color:{MUTED}'>{name}</div>"
        f"<div class='draw-guess' style='font-size:4.5rem;font-weight:700;line-height:1;color:{colour}'>"
        f"{guess.digit}{mark}</div>"
        f"<div><b>{guess.probability:.0%}</b> · {guess.label}</div>",
        unsafe_allow_html=True,
    )


def show_steps(steps: digits.Steps) -> None:
    """The preprocessing steps as small images side by side."""
    titles = [
        "Your drawing",
        "Greyscale",
        "Cropped to the ink",
        "Scaled to fit 20×20",
        "Placed by centre of mass" if steps.centred else "Placed by bounding box",
        "Normalised model input",
    ]
    normalised = figs.diverging_rgb(steps.normalised())
    images = [steps.raw, steps.grey, steps.cropped, steps.scaled, steps.image, normalised]
    for col, title, image in zip(st.columns(6, gap="small"), titles, images, strict=True):
        col.image(figs.tile(image), caption=title, width=figs.TILE)
    st.caption(
        f"Cropped {steps.cropped.shape[0]}×{steps.cropped.shape[1]} → scaled "
        f"{steps.scaled.shape[0]}×{steps.scaled.shape[1]} (aspect kept, area-averaged, hence the "
        f"grey edges) → placed at row {steps.offset[0]}, column {steps.offset[1]} of 28×28. "
        "Last: (pixel − 33.3) / 78.6, MNIST's mean and spread — blue below the mean pixel, red above."
    )


def look_inside_link() -> None:
    """Link to Look inside when that page exists; the drawing is kept in session state for it."""
    try:
        st.page_link(
            "pages/inside.py",
            label="See its feature maps in Look inside",
            icon=":material/visibility:",
        )
    except (StreamlitAPIException, KeyError):
        st.caption("Your digit is kept for the Look inside page, which will show its feature maps.")


st.title("Draw a digit")
st.caption(
    "Draw a digit the way MNIST's writers did, then follow it through MNIST's own preprocessing "
    "into the network."
)
try:
    choices = models()
except (FileNotFoundError, ValueError) as err:
    st.error(str(err))
    st.stop()

left, right = st.columns([1, 1.35], gap="large")
with left:
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
        steps = digits.upload_steps(upload, centre) if upload else None
    else:
        steps = digits.from_canvas(rgba, centre)

with right:
    if steps is None or not steps.ok:
        st.info(steps.reason if steps else "Upload an image of one digit.", icon=":material/draw:")
        st.stop()
    draw_state.set_latest_drawing(steps.image)
    other = digits.prepare(steps.grey, not steps.centred)
    batch = np.concatenate([steps.model_input(), other.model_input()])
    probs = {}
    for c in choices:
        try:
            probs[c.label] = predict.probabilities(c.built.model, batch)
        except ValueError as err:  # e.g. a trained model without 10 outputs
            st.warning(f"{c.label} model: {err}")
    choices = [c for c in choices if c.label in probs]
    guesses = {name: predict.assess(p[0], steps.warnings) for name, p in probs.items()}
    for col, c in zip(st.columns(len(choices)), choices, strict=True):
        with col:
            big_guess(f"{c.label} model" + (f" ({c.note})" if c.note else ""), guesses[c.label])
    low = next((g for g in guesses.values() if g.low), None)
    if low:
        bullets = "\n".join(
            f"- {r[0].upper()}{r[1:]}" + ("" if r[-1] in ".?!" else ".") for r in low.reasons
        )
        st.warning(
            f"**Low confidence: don't trust this guess.**\n\n{bullets}", icon=":material/help:"
        )
    st.plotly_chart(
        figs.probability_figure(
            {n: p[0] for n, p in probs.items()}, {n: g.digit for n, g in guesses.items()}
        ),
        config={"displayModeBar": False},
    )
    first = choices[0].label
    alt = np.argmax(probs[first][1])
    how = "by bounding box" if steps.centred else "by centre of mass"
    st.caption(
        f"Placed {how} instead, the {first.lower()} model would say **{alt}** "
        f"({probs[first][1][alt]:.0%})."
    )
    if len(choices) == 1:
        st.caption("Train a model on the Train page to see its guess here too.")

st.subheader("From your drawing to MNIST's format")
show_steps(steps)

st.subheader("What drove the guess")
explained = choices[0]
if len(choices) > 1:
    label = st.radio(
        "Explain the guess of", [c.label for c in choices], horizontal=True, key="draw.explain"
    )
    explained = next(c for c in choices if c.label == label)
guess = guesses[explained.label]
with guard("computing which strokes drove the guess"):
    occ = predict.occlusion(explained.built.model, steps.image, guess.digit)
    map_col, text_col = st.columns([1, 1.35], gap="large")
    with map_col:
        st.plotly_chart(
            figs.occlusion_figure(occ.drop, steps.image, guess.digit),
            width="content",
            config={"displayModeBar": False},
        )
    with text_col:
        st.markdown(
            f"A black {predict.PATCH}×{predict.PATCH} square was slid over the digit, {occ.patches} "
            f"positions, and the network asked again each time. **Red**: hiding those pixels lowers "
            f"its belief in **{guess.digit}** (they are evidence for it). **Blue**: hiding them raises "
            f"it (evidence against). The outline is your digit."
        )
look_inside_link()
