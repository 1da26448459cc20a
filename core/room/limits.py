"""How much one room and one server hold, and how long a room lasts (overridable from the environment)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, fields, replace

log = logging.getLogger("layer_by_layer")

ENV_TTL = "LAYER_BY_LAYER_ROOM_TTL_S"
ENV_MAX_ROOMS = "LAYER_BY_LAYER_ROOM_MAX_ROOMS"
MAX_SETTINGS_CHARS = 10_000  # a run's settings JSON
MAX_QUESTION_CHARS = 80  # an answer's question id
MAX_ANSWER_CHARS = 200  # an answer's value
MAX_ANSWERS_PER_MEMBER = 100


@dataclass(frozen=True)
class Limits:
    """Caps checked inside the same transaction as the insert they guard.

    Attributes:
        max_rooms: rooms alive at once on this database (every server sharing it).
        max_runs: posted runs per room.
        max_drawings: drawings per room.
        max_run_bytes: the weights of one run.
        max_room_bytes: the weights of all of a room's runs together.
        ttl_s: seconds a room lives; then it and all its data are purged.
        max_members: nicknames a room hands out (those who left included).

    >>> Limits().max_runs, Limits(ttl_s=60).ttl_s
    (200, 60)
    """

    max_rooms: int = 50
    max_runs: int = 200
    max_drawings: int = 3000
    max_run_bytes: int = 30_000_000
    max_room_bytes: int = 600_000_000
    ttl_s: int = 24 * 3600
    max_members: int = 200

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Limits.{f.name} must be a whole number of at least 1")

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, with ``LAYER_BY_LAYER_ROOM_TTL_S`` and ``..._MAX_ROOMS`` when they are valid.

        A value that is not a whole number of at least 1 is ignored, with a log line.
        """
        limits = cls()
        for env, name in ((ENV_TTL, "ttl_s"), (ENV_MAX_ROOMS, "max_rooms")):
            text = os.environ.get(env, "").strip()
            if not text:
                continue
            try:
                limits = replace(limits, **{name: int(text)})
            except ValueError:
                log.warning("ignored %s: expected a whole number of at least 1", env)
        return limits
