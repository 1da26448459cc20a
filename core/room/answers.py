"""The room's answers to the Lesson's questions: one per member and question, replaced on change."""

from __future__ import annotations

import time
import unicodedata

from sqlalchemy import Connection, delete, func, select

from core.room.access import bump, member_room
from core.room.entries import Member
from core.room.errors import RoomError
from core.room.limits import MAX_ANSWER_CHARS, MAX_ANSWERS_PER_MEMBER, MAX_QUESTION_CHARS
from core.room.names import REFUSED_CATEGORIES
from core.room.schema import answers


def _plain(text: object, limit: int, what: str, *, empty_ok: bool) -> str:
    if not isinstance(text, str) or len(text) > limit or (not text.strip() and not empty_ok):
        raise RoomError(f"An answer's {what} must be text of at most {limit} characters.")
    if any(unicodedata.category(c) in REFUSED_CATEGORIES for c in text):
        raise RoomError(f"An answer's {what} cannot hold invisible or control characters.")
    return text.strip()


def record_answer(conn: Connection, member: Member, question: object, value: object) -> None:
    """Stores the member's answer to ``question``, replacing an earlier one.

    Raises:
        RoomError: not in the room, a closed room, over-long or control-laden text, or too many
            questions answered.
    """
    question = _plain(question, MAX_QUESTION_CHARS, "question", empty_ok=False)
    value = _plain(value, MAX_ANSWER_CHARS, "value", empty_ok=True)
    room = member_room(conn, member)
    mine = answers.c.member_id == member.member_id
    conn.execute(delete(answers).where(mine, answers.c.question == question))
    if (
        conn.execute(select(func.count()).select_from(answers).where(mine)).scalar_one()
        >= MAX_ANSWERS_PER_MEMBER
    ):
        raise RoomError(f"At most {MAX_ANSWERS_PER_MEMBER} answers per member.")
    conn.execute(
        answers.insert().values(
            member_id=member.member_id, question=question, room_code=room.code, value=value,
            created_at=time.time(),
        )
    )  # fmt: skip  # one answer row
    bump(conn, room.code)


def select_answers(conn: Connection, code: str) -> dict[str, tuple[str, ...]]:
    """Question -> every member's answer to it (in the order they were given)."""
    rows = conn.execute(
        select(answers.c.question, answers.c.value)
        .where(answers.c.room_code == code)
        .order_by(answers.c.created_at, answers.c.member_id)
    )
    found: dict[str, list[str]] = {}
    for question, value in rows:
        found.setdefault(question, []).append(value)
    return {q: tuple(v) for q, v in found.items()}
