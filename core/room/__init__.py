"""The room store: rooms, members, posted runs, the room's handwriting, on SQLAlchemy Core.

SQLite by default (a file in the data folder), or any SQLAlchemy URL (PostgreSQL through
psycopg) so several app servers share a room. Importing this package never imports Keras.
"""

from core.room.codes import normalise_code
from core.room.entries import Board, DrawingEntry, Member, Room, RunEntry
from core.room.errors import NotAllowed, RoomError, RoomUnavailable
from core.room.limits import Limits
from core.room.names import check_nickname
from core.room.store import Store, open_store
from core.room.weights import model_from_entry, weights_to_bytes

__all__ = [
    "Board",
    "DrawingEntry",
    "Limits",
    "Member",
    "NotAllowed",
    "Room",
    "RoomError",
    "RoomUnavailable",
    "RunEntry",
    "Store",
    "check_nickname",
    "model_from_entry",
    "normalise_code",
    "open_store",
    "weights_to_bytes",
]
