"""Draw: a digit on a canvas (or a photo) made into MNIST's format, step by step, and classified."""

from __future__ import annotations

import streamlit as st

from core import predict
from ui import draw_guess, draw_input, draw_state, draw_transform, models, room_draw, runtime
from ui.draw_state import DROVE_OPEN, MOVE_OPEN
from ui.errors import guard

runtime.run_through_app()

st.title("Draw a digit")
st.caption(
    "Draw a digit the way MNIST's writers did, then follow it through MNIST's own preprocessing "
    "into the network."
)
try:
    choices = models.for_draw()
except (FileNotFoundError, ValueError) as err:
    st.error(str(err))
    st.stop()
for message in models.sleep_notices(choices):
    st.caption(f":material/info: {message}")

left, right = st.columns([1, 1.35], gap="large")
with left:
    steps = draw_input.digit_input()

with right:
    if steps is None or not steps.ok:
        st.info(steps.reason if steps else "Upload an image of one digit.", icon=":material/draw:")
        st.stop()
    draw_state.set_latest_drawing(steps.image)
    choices, probs = draw_guess.ask(choices, steps)
    guesses = {name: predict.assess(p[0], steps.warnings) for name, p in probs.items()}
    draw_guess.guesses_row(choices, guesses)
    draw_guess.probabilities(choices, probs, guesses, steps.centred)

with guard("showing the room's part"):
    room_draw.panel(steps)

st.subheader("From your drawing to MNIST's format")
draw_guess.show_steps(steps)

# The two explorations cost a forward pass of ~100 images per model and a chart each: they are
# worked out, for every new stroke, only while their section is open.
drove = st.expander(
    "What drove the guess: the strokes that count",
    icon=":material/insights:",
    on_change="rerun",
    key=DROVE_OPEN,
)
if drove.open:
    with drove:
        draw_guess.what_drove(choices, guesses, steps)
draw_guess.look_inside_link()

moving = st.expander(
    "Move it, turn it, thicken it: how sturdy is the guess?",
    icon=":material/open_with:",
    on_change="rerun",
    key=MOVE_OPEN,
)
if moving.open:
    with moving:
        st.caption(
            "Shift, turn, scale, thin or thicken your digit, or add noise, and watch each model's "
            "guess. The chart below tries every value of each slider on its own."
        )
        draw_transform.section(steps.image, choices, guesses)
