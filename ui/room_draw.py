"""Draw's room widgets: add the drawing to the room's handwriting, and read it with the room's models.

``panel(steps)`` does nothing outside a room or without a digit. "Add to the room's handwriting
as a …" stores the 28×28 MNIST-format image with the digit its writer meant (picked here, never
guessed for them). "Your drawing through the room's models" shows each posted model's guess and
confidence for the current drawing (the ``RECENT`` most recent runs), the models coming from the
process-wide cache in ``ui.room_models``.
"""

from __future__ import annotations

import secrets
from collections import Counter

import streamlit as st

from core import digits
from core.text import short_error
from ui import room_models, room_state, room_store, session_cache

RECENT = 50  # posted models a drawing is shown through
PICK = "room.draw.digit"
_CACHE = "room.draw.cache"  # this session's guesses, by (room, runs, drawing)
_ADDED = "room.draw.added"  # (room, drawing fingerprint, label) of the last drawing added
_MESSAGE = "room.draw.message"  # the last add's refusal, shown once
_ATTEMPT = "room.draw.attempt"  # (room, drawing fingerprint, random nonce) of the current drawing
COLUMNS = ("Nickname", "Guess", "Confidence", "MNIST test accuracy", "Note")


def attempt_nonce(key: tuple) -> str:
    """The random part of the current drawing's post keys: made the first time this drawing
    (``key``: room and fingerprint) is shown, kept while it stays the drawing on the page, so
    adding it again (a double click, a retry after a failure) is the same key; a new drawing
    gets a new one."""
    kept = st.session_state.get(_ATTEMPT)
    if kept is None or kept[:2] != key:
        kept = (*key, secrets.token_hex(16))
        st.session_state[_ATTEMPT] = kept
    return kept[2]


def _add(image: object, key: tuple, nonce: str) -> None:
    """The button's callback: stores the drawing with the picked digit, or keeps the refusal.

    The post key is the drawing's nonce and the digit: the same drawing added again as the same
    digit returns the entry already there (one row); as another digit, it is another entry.
    """
    from core.room import RoomError

    joined, label = room_state.member(), st.session_state.get(PICK)
    if joined is None or label is None:
        return
    try:
        entry = room_store.store().add_drawing(
            joined, image, int(label), post_key=f"draw-{nonce}-{int(label)}"
        )
    except RoomError as err:
        st.session_state[_MESSAGE] = str(err)
        return
    st.session_state[_ADDED] = (*key, int(label), entry.drawing_id)
    st.toast(f"Added to the room's handwriting as a {int(label)}.", icon=":material/draw:")


def _take_back(drawing_id: int) -> None:
    """The callback of "Take it back": deletes this learner's own drawing."""
    from core.room import RoomError

    joined = room_state.member()
    if joined is None:
        return
    try:
        room_store.store().delete_own_drawing(joined, drawing_id)
    except RoomError as err:
        st.session_state[_MESSAGE] = str(err)
        return
    st.session_state.pop(_ADDED, None)


def panel(steps: digits.Steps | None) -> None:
    """The room's part of Draw, for the digit in ``steps``; nothing outside a room."""
    code = room_state.code()
    if code is None or steps is None or not steps.ok:
        return
    st.subheader(f"Room {code}")
    down = room_store.problem()
    if down:
        st.warning(down, icon=":material/cloud_off:")
        return
    add_col, models_col = st.columns([1, 1.35], gap="large")
    with add_col:
        add_drawing(code, steps)
    with models_col:
        through_models(code, steps)


def add_drawing(code: str, steps: digits.Steps) -> None:
    """The digit picker and "Add", for a member of the room."""
    refusal = st.session_state.pop(_MESSAGE, None)
    if refusal:
        st.error(refusal, icon=":material/block:")
    if room_state.member() is None:
        st.caption("Join the room with a nickname on the Room page to add your drawings to it.")
        return
    key = (code, session_cache.fingerprint(steps.image))
    added = st.session_state.get(_ADDED)
    label = st.segmented_control(
        "Add to the room's handwriting as a …",
        list(range(10)),
        key=PICK,
        help="The digit you meant to draw: the board counts how many models read it right.",
    )
    if added is not None and added[:2] == key and added[2] == label:
        st.caption(f"This drawing is in the room's handwriting as a {label}.")
        st.button(
            "Take it back",
            icon=":material/undo:",
            key="room.draw.undo",
            on_click=_take_back,
            args=(added[3],),
        )
        return
    st.button(
        "Add to the room's handwriting",
        icon=":material/add_photo_alternate:",
        disabled=label is None,
        key="room.draw.add",
        on_click=_add,
        args=(steps.image.copy(), key, attempt_nonce(key)),
    )
    st.caption("Only the 28×28 image and the digit you pick are stored, with your nickname.")


def _guesses(runs: tuple, image: object) -> dict[str, list]:
    """Each posted model's guess and confidence for the drawing, as dataframe columns."""
    table: dict[str, list] = {c: [] for c in COLUMNS}
    for entry in runs:
        digit = confidence = None
        note = ""
        try:
            probs = room_models.guesses(room_models.load(entry), image[None])[0]
            digit, confidence = int(probs.argmax()), 100 * float(probs.max())
        except Exception as err:  # noqa: BLE001 - one model that cannot answer leaves the rest
            note = short_error(err, limit=120)
        for column, value in zip(
            COLUMNS,
            (entry.nickname, digit, confidence, 100 * entry.test_accuracy, note),
            strict=True,
        ):
            table[column].append(value)
    return table


def through_models(code: str, steps: digits.Steps) -> None:
    """ "Your drawing through the room's models": a table of guesses, most recent runs first."""
    from core.room import RoomError

    st.markdown("**Your drawing through the room's models**")
    try:
        runs = room_store.store().runs(code)[:RECENT]
    except RoomError as err:
        st.caption(str(err))
        return
    if not runs:
        st.caption("No runs posted in the room yet: their guesses will show here.")
        return
    key = (code, tuple(r.run_id for r in runs), session_cache.fingerprint(steps.image))
    with st.spinner("Asking the room's models…"):
        table = session_cache.remember(_CACHE, "guesses", key, lambda: _guesses(runs, steps.image))
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "Confidence": st.column_config.ProgressColumn(
                format="%.0f%%", min_value=0, max_value=100
            ),
            "MNIST test accuracy": st.column_config.NumberColumn(format="%.2f%%"),
        },
        key="room.draw.guesses",
    )
    said = Counter(d for d in table["Guess"] if d is not None).most_common(1)
    if said:
        st.caption(f"{said[0][1]} of {len(runs)} models say **{said[0][0]}**.")
