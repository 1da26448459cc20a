"""Nicknames: NFKC, trimmed, 1–24 characters, nothing invisible, hostile text refused or inert."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from core.room import RoomError, check_nickname
from tests.hostile import EMOJI, MB3, RTL, SCRIPT, ZWSP, assert_clear

pytest_plugins = ["tests.room_fixtures"]

SQL = "'; DROP TABLE rooms; --"


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("Ana", "Ana"),
        ("  Ana  ", "Ana"),
        ("Ana   Lu", "Ana Lu"),
        ("Ana\tLu", "Ana Lu"),
        ("\uff21\uff4e\uff41", "Ana"),  # full-width letters
        ("ﬁona", "fiona"),  # a ligature
        ("Zoë", "Zoë"),
        ("Zoe\u0308", "Zoë"),  # combining diaeresis composes
        ("李雷", "李雷"),
        (f"Ana {EMOJI}", f"Ana {EMOJI}"),
        ("x" * 24, "x" * 24),
        ("<b>x</b>", "<b>x</b>"),
        (SQL, SQL),
    ],
)
def test_good_nicknames_are_normalised(raw, stored):
    assert check_nickname(raw) == stored


@pytest.mark.parametrize(
    "raw, words",
    [
        ("", ["1 to 24"]),
        ("   ", ["1 to 24"]),
        ("x" * 25, ["1 to 24"]),
        ("x" * 10_000, ["1 to 24"]),
        (MB3, ["1 to 24"]),
        (SCRIPT, ["1 to 24"]),  # 25 characters
        (f"Ana{RTL}", ["invisible", "U+202E"]),
        (f"A{ZWSP}na", ["invisible", "U+200B"]),
        ("Ana\x00", ["control", "U+0000"]),
        ("Ana\x1b[31m", ["control", "U+001B"]),
        ("Ana\ue000", ["U+E000"]),  # private use
        ("Ana\ufeff", ["U+FEFF"]),  # byte-order mark
        (None, ["1 to 24"]),
        (42, ["1 to 24"]),
    ],
)
def test_bad_nicknames_are_refused_plainly(raw, words):
    with pytest.raises(RoomError) as err:
        check_nickname(raw)
    text = assert_clear(err.value, *words)
    assert RTL not in text and ZWSP not in text and "\x00" not in text


def test_hostile_nicknames_in_the_database_are_stored_verbatim_and_inert(store, db_url):
    room, _ = store.start_room()
    for name in [SQL, "<script>x</script>", "Robert'); --", "%s %(x)s {0}", "\\x00"]:
        member = store.join(room.code, name)
        assert member.nickname == name
        assert store.rejoin(room.code, member.member_id).nickname == name
    for name in [SCRIPT, "x" * 10_000, f"Ana{RTL}"]:
        with pytest.raises(RoomError):
            store.join(room.code, name)
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    try:
        assert "rooms" in inspect(engine).get_table_names()  # the SQL fragment did nothing
    finally:
        engine.dispose()
    assert store.room(room.code).code == room.code
