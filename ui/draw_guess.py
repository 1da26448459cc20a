"""Draw's results: each model's guess, how sure it is, the steps to MNIST's format, what drove it."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitAPIException

from core import digits, predict
from core.figures import draw as figs
from core.figures.style import ACCENT, MUTED
from core.model_choice import ModelChoice
from ui import session_cache
from ui.errors import guard

CONFIG = {"displayModeBar": False}
_CACHE = "draw.cache"  # this session's latest guesses, step tiles and occlusion maps
STEP_TITLES = (
    "Your drawing",
    "Greyscale",
    "Cropped to the ink",
    "Scaled to fit 20×20",
    "Placed by centre of mass",  # or by bounding box
    "Normalised model input",
)


def ask(
    choices: list[ModelChoice], steps: digits.Steps
) -> tuple[list[ModelChoice], dict[str, np.ndarray]]:
    """Every model's (2, 10) probabilities for the digit placed both ways, by model name.

    A model that cannot answer (e.g. one without 10 outputs) gets a warning and is left out.
    """
    batch = digits.both_placements(steps)
    digit = session_cache.fingerprint(batch)
    probs = {}
    for c in choices:
        try:
            probs[c.name] = session_cache.remember(
                _CACHE,
                "probs",
                (c.key, digit),
                lambda c=c: predict.probabilities(c.built.model, batch),
            )
        except ValueError as err:
            st.warning(f"{_called(c.name)}: {err}")
    return [c for c in choices if c.name in probs], probs


def guesses_row(choices: list[ModelChoice], guesses: dict[str, predict.Guess]) -> None:
    """The models' top guesses side by side, then a warning when one of them is unsure."""
    for col, c in zip(st.columns(len(choices)), choices, strict=True):
        with col:
            big_guess(_called(c.name) + (f" ({c.note})" if c.note else ""), guesses[c.name])
    low = next((g for g in guesses.values() if g.low), None)
    if low:
        st.warning(
            f"**Low confidence: don't trust this guess.**\n\n{predict.reason_bullets(low.reasons)}",
            icon=":material/help:",
        )


def _called(name: str, article: str = "") -> str:
    """How a sentence names a model: "Your model" as it is, "Pretrained" as "<article>Pretrained model"."""
    return name if name.endswith("model") else f"{article}{name} model"


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


def probabilities(
    choices: list[ModelChoice],
    probs: dict[str, np.ndarray],
    guesses: dict[str, predict.Guess],
    centred: bool,
) -> None:
    """The bars of 0–9 per model, and what the first model says with the other placement."""
    st.plotly_chart(
        figs.probability_figure(
            {n: p[0] for n, p in probs.items()}, {n: g.digit for n, g in guesses.items()}
        ),
        config=CONFIG,
    )
    first = choices[0].name
    alt = int(np.argmax(probs[first][1]))
    how = "by bounding box" if centred else "by centre of mass"
    st.caption(
        f"Placed {how} instead, {_called(first, 'the ').lower()} would say **{alt}** "
        f"({probs[first][1][alt]:.0%})."
    )
    if len(choices) == 1:
        st.caption("Train a model on the Train page to see its guess here too.")


def show_steps(steps: digits.Steps) -> None:
    """The preprocessing steps as small images side by side."""
    titles = list(STEP_TITLES)
    if not steps.centred:
        titles[4] = "Placed by bounding box"
    normalised = figs.diverging_rgb(steps.normalised())
    images = [steps.raw, steps.grey, steps.cropped, steps.scaled, steps.image, normalised]
    tiles = session_cache.remember(
        _CACHE,
        "tiles",
        (session_cache.fingerprint(steps.raw), steps.centred),
        lambda: [figs.tile(image) for image in images],
    )
    for col, title, tile in zip(st.columns(6, gap="small"), titles, tiles, strict=True):
        col.image(tile, caption=title, width=figs.TILE)
    st.caption(
        f"Cropped {steps.cropped.shape[0]}×{steps.cropped.shape[1]} → scaled "
        f"{steps.scaled.shape[0]}×{steps.scaled.shape[1]} (aspect kept, area-averaged, hence the "
        f"grey edges) → placed at row {steps.offset[0]}, column {steps.offset[1]} of 28×28. "
        "Last: (pixel − 33.3) / 78.6, MNIST's mean and spread — blue below the mean pixel, red above."
    )


def what_drove(
    choices: list[ModelChoice], guesses: dict[str, predict.Guess], steps: digits.Steps
) -> None:
    """The occlusion map of one model's guess (a radio picks the model when there are two)."""
    explained = choices[0]
    if len(choices) > 1:
        name = st.radio(
            "Explain the guess of", [c.name for c in choices], horizontal=True, key="draw.explain"
        )
        explained = next(c for c in choices if c.name == name)
    guess = guesses[explained.name]
    with guard("computing which strokes drove the guess"):
        occ = session_cache.remember(
            _CACHE,
            "occlusion",
            (explained.key, session_cache.fingerprint(steps.image), guess.digit),
            lambda: predict.occlusion(explained.built.model, steps.image, guess.digit),
        )
        map_col, text_col = st.columns([1, 1.35], gap="large")
        with map_col:
            st.plotly_chart(
                figs.occlusion_figure(occ.drop, steps.image, guess.digit),
                width="content",
                config=CONFIG,
            )
        with text_col:
            st.markdown(
                f"A black {predict.PATCH}×{predict.PATCH} square was slid over the digit, "
                f"{occ.patches} positions, and the network asked again each time. **Red**: hiding "
                f"those pixels lowers its belief in **{guess.digit}** (they are evidence for it). "
                f"**Blue**: hiding them raises it (evidence against). The outline is your digit."
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
