"""The room's board: the join code and QR code, then a leaderboard, the scatter and the handwriting.

The board is a fragment refreshing every ``REFRESH_S`` seconds; each refresh asks the store for
the room's version and recomputes only when it changed (``ui.room_view``). Presentation mode
shows the code, the leaderboard and the scatter large, without controls. Nicknames are shown in
a dataframe or escaped, never as live Markdown or HTML.
"""

from __future__ import annotations

import functools
import io
from typing import TYPE_CHECKING

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import room_board as rb
from core.figures import room as figs
from ui import room_state, room_view, session_cache, url_state
from ui.room_view import View

if TYPE_CHECKING:
    from core.room import Store

REFRESH_S = 2.5
CONFIG = {"displayModeBar": False}
_CACHE = "room.cache"  # this session's figures, by (room, version, order, mode)
PRESENT_CSS = """<style>
.stMainBlockContainer { max-width: 100%; padding-top: 2rem; }
.stMainBlockContainer [data-testid="stMarkdownContainer"] p { font-size: 1.3rem; }
</style>"""
# The projector's leaderboard (an st.html table: scoped styles, nicknames escaped in core).
BIG_TABLE_CSS = """<style>
table.room-big { width: 100%; border-collapse: collapse; font-size: 1.55rem; }
table.room-big th { text-align: left; color: #64748b; font-weight: 600; font-size: 1.1rem; }
table.room-big td, table.room-big th { padding: 0.35rem 0.6rem; border-bottom: 1px solid #e2e8f0; }
table.room-big td:nth-child(n+3), table.room-big th:nth-child(n+3) { text-align: right; }
table.room-big tr:first-child td { font-weight: 700; color: #2563eb; }
</style>"""
STATES = {
    "open": "Open: learners can post runs and add drawings.",
    "paused": "Paused by the presenter: no new runs or drawings for now.",
    "closed": "Closed: the board is read-only.",
}


@functools.lru_cache(maxsize=32)
def qr_png(address: str) -> bytes:
    """The QR code of ``address`` as PNG bytes (segno), dark on white, for a projector."""
    import segno

    buffer = io.BytesIO()
    segno.make(address, error="m").save(buffer, kind="png", scale=8, border=2, dark="#0f172a")
    return buffer.getvalue()


def header(code: str, address: str, present: bool) -> None:
    """The join code, big, the join link and its QR code."""
    size = "6rem" if present else "4rem"
    code_col, qr_col = st.columns([3, 1], vertical_alignment="center")
    with code_col:
        st.caption("Join code")
        st.html(  # the code is 6 letters and digits (core.room_board.normal_code): safe as HTML
            f"<div class='room-code' style='font-size:{size};font-weight:800;letter-spacing:0.25em;"
            f"font-family:ui-monospace,monospace;line-height:1.1'>{code}</div>"
        )
        st.markdown(f"Open **{address}** or scan the code, then pick a nickname.")
    with qr_col:
        st.image(qr_png(address), caption="Scan to join", width=220 if present else 160)


def board(store: Store, code: str, present: bool) -> None:
    """The live board of room ``code`` (a fragment that refreshes itself)."""
    if present:
        st.html(PRESENT_CSS)
    st.fragment(run_every=REFRESH_S)(_live)(store, code, present)


def _live(store: Store, code: str, present: bool) -> None:
    from core.room import RoomError, RoomUnavailable

    try:
        view = room_view.current(store, code)
    except RoomUnavailable as err:
        st.warning(str(err), icon=":material/cloud_off:")
        return
    except RoomError as err:  # deleted or expired: back to the join form, saying why
        room_state.leave()
        url_state.write(url_state.ROOM, None)
        url_state.write(url_state.ME, None)
        room_state.set_notice(f"{err} The room is gone: start or join another one.")
        st.rerun(scope="app")
    if room_state.controls_version() not in (None, view.board.version) and _fragment_run():
        st.rerun(
            scope="app"
        )  # the presenter's controls (outside the fragment) list the new entries
    st.caption(
        f"{STATES.get(view.board.room.state, '')} {rb.counted(len(view.board.runs), 'run')}, "
        f"{rb.counted(view.board.n_drawings, 'drawing')}. Refreshes every {REFRESH_S:g} s."
    )
    if present:  # the projector: leaderboard and scatter side by side, large
        left, right = st.columns(2, gap="large")
        with left:
            board_rows = leaderboard(view, present)
        with right:
            scatter(view, board_rows, present)
        handwriting(view, present)
        return
    board_rows = leaderboard(view, present)
    left, right = st.columns(2, gap="large")
    with left:
        scatter(view, board_rows, present)
    with right:
        handwriting(view, present)
    answers(view)


def _fragment_run() -> bool:
    """True when only the board's fragment is running (its timer), not the whole page."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def leaderboard(view: View, present: bool) -> tuple[rb.Row, ...]:
    """The runs ranked (by the chosen column), with their accuracy on the room's handwriting."""
    st.subheader("Leaderboard")
    sort = st.session_state.get(room_state.sort_key()) or rb.DEFAULT_SORT
    if not present:
        st.session_state.setdefault(room_state.sort_key(), rb.DEFAULT_SORT)
        sort = st.segmented_control(
            "Sort by", list(rb.SORTS), key=room_state.sort_key(), required=True
        )
    board_rows = rb.rows(view.board.runs, view.board.room_accuracy, sort or rb.DEFAULT_SORT)
    if not board_rows:
        st.info(
            "No runs yet: train a model on the Train page, then press “Post to the room”.",
            icon=":material/hourglass_empty:",
        )
        return board_rows
    if present:
        st.html(BIG_TABLE_CSS + rb.big_table(board_rows))
        st.caption(_reference_line(view))
        return board_rows
    st.dataframe(
        rb.table(board_rows),
        hide_index=True,
        column_config={
            "MNIST test accuracy": st.column_config.NumberColumn(format="%.2f%%"),
            "Room handwriting": st.column_config.NumberColumn(format="%.0f%%"),
            "Parameters": st.column_config.NumberColumn(format="localized"),
            "Build": st.column_config.LinkColumn(display_text="Open in Build"),
        },
        key="room.leaderboard",
    )
    st.caption(_reference_line(view))
    open_in_build(board_rows)
    return board_rows


def _reference_line(view: View) -> str:
    shipped = next(r for r in rb.references() if r.name == "Pretrained")
    line = f"Reference: the pretrained model, {shipped.test_accuracy:.2%} on MNIST's test digits"
    n = view.board.n_drawings
    if not n:
        return line + "; add drawings on the Draw page to see how the models read the room's."
    if view.pretrained_room is None:
        return line + f"; scoring it on the room's {rb.counted(n, 'drawing')}…"
    return line + f", {view.pretrained_room:.0%} on the room's {rb.counted(n, 'drawing')}."


def open_in_build(board_rows: tuple[rb.Row, ...]) -> None:
    """Choose a run; its architecture opens in Build."""
    by_id = {r.run_id: r for r in board_rows if r.arch_link}
    if not by_id:
        return
    with st.container(horizontal=True, vertical_alignment="bottom"):
        chosen = st.selectbox(
            "Open a run's architecture",
            list(by_id),
            format_func=lambda run_id: rb.run_label(by_id[run_id]),
            key="room.open_run",
        )
        row = by_id.get(chosen)
        if row is None:
            return
        try:
            st.page_link(
                "pages/build.py",
                label="Open in Build",
                icon=":material/construction:",
                query_params={"arch": row.arch_link},
            )
        except (st.errors.StreamlitAPIException, KeyError):  # a page run outside app.py
            st.markdown(f"[Open in Build]({rb.build_path(row.arch_link)})")


def scatter(view: View, board_rows: tuple[rb.Row, ...], present: bool) -> None:
    """Test accuracy against parameters, with the notebook and workshop CNNs marked."""
    key = (view.board.room.code, view.board.version, tuple(r.run_id for r in board_rows), present)
    fig = session_cache.remember(
        _CACHE,
        "scatter",
        key,
        lambda: figs.scatter_figure(board_rows, rb.references(), 560 if present else 420, present),
        keep=2,
    )
    st.plotly_chart(fig, config=CONFIG, key="room.scatter")


def handwriting(view: View, present: bool = False) -> None:
    """Drawings per digit and the drawings most models get wrong."""
    st.subheader("The room's handwriting")
    board = view.board
    if not board.n_drawings:
        st.caption(
            "No drawings yet: on the Draw page, “Add to the room's handwriting” stores a drawing "
            "with the digit its writer meant."
        )
        return
    key = (board.room.code, board.version)
    counts = session_cache.remember(
        _CACHE, "counts", key, lambda: figs.drawings_figure(board.drawings_per_digit), keep=2
    )
    images, captions = rb.hardest_tiles(board.hardest, view.images)
    columns = st.columns(2, gap="large") if present else (st.container(), st.container())
    with columns[0]:
        st.plotly_chart(counts, config=CONFIG, key="room.counts")
    with columns[1]:
        if not images:
            st.caption("Once the posted models are scored, the drawings they get wrong show here.")
            return
        grid = session_cache.remember(
            _CACHE, "hardest", key, lambda: figs.hardest_figure(images, captions), keep=2
        )
        st.plotly_chart(grid, config=CONFIG, key="room.hardest")
        st.caption(
            "99% on MNIST is not 99% on the room's handwriting: these fool most of the models."
        )


def _question(question_id: str) -> tuple[str, str | None]:
    """A question's prompt (our own Markdown) and right answer, or its id alone if unknown."""
    try:
        from core.quiz import by_id
    except ImportError:  # the Lesson's questions are not part of this app
        return question_id, None
    question = by_id(question_id)
    return (question.prompt, question.answer_text) if question else (question_id, None)


def answers(view: View) -> None:
    """The Lesson's predict-first answers, one histogram per question (the right answer green)."""
    if not view.answers:
        return
    st.subheader("The room's predictions")
    questions = sorted(view.answers)
    columns = st.columns(min(3, len(questions)))
    for i, question_id in enumerate(questions):
        prompt, right = _question(question_id)
        with columns[i % len(columns)]:
            counts = rb.answer_counts(view.answers[question_id])
            fig = figs.answers_figure(question_id, counts, right)
            st.plotly_chart(fig, config=CONFIG, key=f"room.answers.{question_id}")
            if prompt != question_id:
                st.caption(prompt)
