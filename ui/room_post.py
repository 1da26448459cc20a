"""Train's "Post to the room": the session's trained model, opt-in, to the room's leaderboard.

``panel(model)`` does nothing outside a room or without a trained model. What is posted: the
nickname, the architecture (our own JSON), the settings, parameters, test accuracy and loss,
training time, and the weights as plain arrays (``core.room.weights_to_bytes``, never a pickle or
a ``.keras`` file). The store refuses a model above its size limit, a paused or closed room, or
a database that is down, each with its reason; nothing of the session's is lost then. A post
carries a key made from the training job and the member (``post_key``): posting the same model
twice, or again after an "unavailable" whose post did land, leaves one entry.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import TYPE_CHECKING

import streamlit as st

from core.shapes import trace
from ui import room_state, room_store
from ui.markdown import escape

if TYPE_CHECKING:
    from ui.jobs import TrainedModel

_ERROR = "room.post.error"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def post_key(job_id: object, member_id: str) -> str:
    """The room post key of the model trained by ``job_id``, posted by member ``member_id``.

    The same model posted again by the same member (a double click, "Post" after an
    "unavailable" whose post did land) is the same key, so the store keeps one entry.

    >>> post_key("3f9a0c12d4e5", "0123456789abcdef0123456789abcdef")
    'run-3f9a0c12d4e5-0123456789ab'
    """
    return f"run-{_UNSAFE.sub('_', str(job_id))[:40]}-{_UNSAFE.sub('_', member_id)[:12]}"


def _post(model: TrainedModel) -> None:
    """The button's callback: posts the model and remembers its run id, or keeps the refusal.

    Posting the same model again returns the run already posted (same post key): the panel then
    says it is on the board, with no second row.
    """
    from core.room import RoomError, weights_to_bytes

    joined = room_state.member()
    if joined is None:
        return
    arch = model.built.arch
    try:
        entry = room_store.store().post_run(
            joined,
            arch_json=arch.to_json(),
            settings_json=json.dumps(dataclasses.asdict(model.settings)),
            params=trace(arch).total_params,
            test_accuracy=float(model.test_accuracy),
            test_loss=float(model.test_loss),
            train_seconds=float(model.seconds),
            weights=weights_to_bytes(model.built.model),
            post_key=post_key(model.job_id, joined.member_id),
        )
    except RoomError as err:
        st.session_state[_ERROR] = str(err)
        return
    room_state.remember_post(model.job_id, entry.run_id)
    st.toast("Posted to the room's leaderboard.", icon=":material/leaderboard:")


def _take_back(model: TrainedModel) -> None:
    from core.room import RoomError

    joined, run_id = room_state.member(), room_state.posted_run(model.job_id)
    if joined is None or run_id is None:
        return
    try:
        room_store.store().delete_own_run(joined, run_id)
    except RoomError as err:
        st.session_state[_ERROR] = str(err)
        return
    room_state.forget_post(model.job_id)


def panel(model: TrainedModel | None) -> None:
    """ "Post to the room" for the session's trained model; nothing outside a room."""
    code = room_state.code()
    if code is None or model is None:
        return
    with st.container(border=True):
        st.markdown(f"**Room {code}**")
        refusal = st.session_state.pop(_ERROR, None)
        if refusal:
            st.error(refusal, icon=":material/block:")
        joined = room_state.member()
        if joined is None:
            st.caption("Join the room with a nickname on the Room page to post your runs there.")
            return
        down = room_store.problem()
        if down:
            st.warning(down, icon=":material/cloud_off:")
            return
        run_id = room_state.posted_run(model.job_id)
        if run_id is not None:
            st.markdown(f"Run #{model.run} is on the room's board as {escape(joined.nickname)}.")
            st.button(
                "Take it off the board",
                icon=":material/undo:",
                key="room.post.undo",
                on_click=_take_back,
                args=(model,),
            )
            return
        st.caption(
            f"Shares run #{model.run}'s architecture, settings, test accuracy, training time and "
            f"weights with the room, as {escape(joined.nickname)}."
        )
        st.button(
            "Post to the room",
            icon=":material/publish:",
            type="primary",
            key="room.post",
            on_click=_post,
            args=(model,),
        )
