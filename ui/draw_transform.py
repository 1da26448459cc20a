"""Draw, "Move it, turn it, thicken it": sliders change the digit; the guess and a sweep chart follow.

Everything runs in one ``st.fragment``, so moving a slider reruns only this section. Each change
costs one forward pass per model (the moved digit); the sweep (every transform's whole range, 90
images) costs one batched forward pass per model per digit and is kept in this session's cache.
Models are only called, never changed: the pretrained model is shared by every session.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import streamlit as st

from core import predict, transform, transform_sweep, transform_text
from core.figures import draw as draw_figs
from core.figures.style import ACCENT, MUTED
from core.figures.transform import sweep_figure
from core.model_choice import ModelChoice
from ui import models, session_cache
from ui.errors import guard

CONFIG = {"displayModeBar": False}
_STORE = "draw.move.cache"  # this session's moved guesses and sweeps
_SLIDER = "draw.move."  # + a transform's kind: its slider's key
CHART_KEY = "draw.move.sweep"
TILE = 168  # 6 screen pixels per MNIST pixel


def section(
    image: np.ndarray | None, choices: list[ModelChoice], guesses: dict[str, predict.Guess]
) -> None:
    """The sliders, the moved digit and its guesses, and the sweep chart (or why there are none).

    Args:
        image: the (28, 28) uint8 digit as the models saw it, None when nothing is drawn yet.
        choices: the models that answered (``draw_guess.ask``), in the page's order.
        guesses: each model's guess on ``image``, by model name.
    """
    if image is None or not choices:
        st.info(
            "Draw a digit first (or upload one), then move it, turn it and thicken it here.",
            icon=":material/draw:",
        )
        return
    tops = {c.name: (guesses[c.name].digit, guesses[c.name].probability) for c in choices}
    experiment(np.asarray(image, dtype=np.uint8), choices, tops)


@st.fragment
@guard("moving your digit")
def experiment(
    image: np.ndarray, choices: list[ModelChoice], tops: dict[str, tuple[int, float]]
) -> None:
    """The section's body, as a fragment: ``tops`` is each model's (digit, probability) unmoved."""
    left, right = st.columns([2, 1], gap="large")
    with left:
        settings = sliders()
    moved = transform.apply(image, settings)
    with right:
        moved_guesses(moved, choices, tops)
    sweep(image, choices, tops, settings)


def sliders() -> transform.Settings:
    """One slider per transform (all at "no change" to begin with), in two columns, and a reset."""
    values = {}
    columns = st.columns(2)
    for i, (kind, knob) in enumerate(transform.KNOBS.items()):
        whole = all(float(v).is_integer() for v in (knob.lo, knob.hi, knob.step))
        kind_of = int if whole else float
        decimals = 0 if whole else len(f"{knob.step:g}".split(".")[-1])
        st.session_state.setdefault(_SLIDER + kind, kind_of(knob.identity))
        values[kind] = columns[i // 3].slider(
            knob.label,
            min_value=kind_of(knob.lo),
            max_value=kind_of(knob.hi),
            step=kind_of(knob.step),
            format=f"%.{decimals}f" if decimals else None,
            key=_SLIDER + kind,
        )
    st.button("Back to the drawing as it is", on_click=reset, key=_SLIDER + "reset")
    return transform.Settings(**values)


def reset() -> None:
    """The reset button's callback: every slider back to the value that changes nothing."""
    for kind, knob in transform.KNOBS.items():
        key = _SLIDER + kind
        st.session_state[key] = type(st.session_state.get(key, 0))(knob.identity)


def moved_guesses(
    moved: np.ndarray, choices: list[ModelChoice], tops: dict[str, tuple[int, float]]
) -> None:
    """The moved 28×28 input, each model's guess on it (one forward pass each), and warnings."""
    st.image(draw_figs.tile(moved, TILE), caption="What the models see now", width=TILE)
    notes = transform_text.warnings(moved)
    x = moved.astype(np.float32)[np.newaxis, :, :, np.newaxis]
    for col, c in zip(st.columns(len(choices)), choices, strict=True):
        probs = session_cache.remember(
            _STORE,
            "moved",
            (c.key, session_cache.fingerprint(moved)),
            lambda c=c: predict.probabilities(c.built.model, x)[0],
            keep=8,
        )
        digit, start = tops[c.name]
        with col:
            _guess(c.name, predict.assess(probs, notes), digit, start, float(probs[digit]))
    for note in notes:
        st.caption(f":material/warning: {note}")


def _guess(name: str, guess: predict.Guess, digit: int, start: float, now: float) -> None:
    colour = MUTED if guess.low else ACCENT
    st.markdown(
        f"<div style='font-size:0.9rem;color:{MUTED}'>{name}</div>"
        f"<div class='draw-moved-guess' style='font-size:3rem;font-weight:700;line-height:1;"
        f"color:{colour}'>{guess.digit}{'?' if guess.low else ''}</div>"
        f"<div><b>{guess.probability:.0%}</b> · {guess.label}</div>"
        f"<div style='font-size:0.85rem;color:{MUTED}'>P({digit}): {start:.0%} → {now:.0%}</div>",
        unsafe_allow_html=True,
    )


def sweep(
    image: np.ndarray,
    choices: list[ModelChoice],
    tops: dict[str, tuple[int, float]],
    settings: transform.Settings,
) -> None:
    """The sweep chart (the sliders' values marked), the one sentence, and what it shows here."""
    rows = transform.sweep_rows()
    probs = {
        c.name: session_cache.remember(
            _STORE,
            "sweep",
            (c.key, session_cache.fingerprint(image)),
            lambda c=c: transform_sweep.sweep_probabilities(c.built.model, image),
        )[:, tops[c.name][0]]
        for c in choices
    }
    current = {k: v for k, v in asdict(settings).items() if k in transform.KINDS}
    digits = {name: digit for name, (digit, _) in tops.items()}
    st.plotly_chart(sweep_figure(probs, digits, rows, current), key=CHART_KEY, config=CONFIG)
    st.markdown(transform_text.why(_pretrained_rotation()))
    for c in choices:
        digit, start = tops[c.name]
        seen = {k: (transform.KNOBS[k].values(), probs[c.name][rows[k]]) for k in rows}
        st.caption(transform_text.on_this_digit(c.name, digit, start, seen))
        if transform_text.guesses_at_random(c.trained, c.test_accuracy):
            st.caption(f":material/casino: {transform_text.random_note(c.name)}")


def _pretrained_rotation() -> float | None:
    """How far the pretrained model's training digits were turned, from its training record."""
    try:
        return transform_text.trained_rotation(models.pretrained().meta)
    except (FileNotFoundError, ValueError):
        return None
