"""Whether a job's browser tab is still open: asked now and then, with a grace period."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

ALIVE_EVERY_S = 1.0  # how often a job asks whether its browser tab is still open
GRACE_S = 5.0  # a closed tab's job stops after this long


class AliveWatch:
    """Asks ``session_alive`` at most once a second; ``closed()`` once it said False for ``grace_s``.

    Args:
        session_alive: thread-safe; None means "always alive" (no Streamlit server: AppTest, scripts).
        grace_s: how long the tab must stay closed (a reload reconnects within it).

    >>> AliveWatch(None, 5.0).closed()
    False
    """

    def __init__(self, session_alive: Callable[[], bool] | None, grace_s: float = GRACE_S) -> None:
        self.session_alive, self.grace_s = session_alive, grace_s
        self._next_check = 0.0
        self._dead_since: float | None = None
        self.closed_for_good = False

    def closed(self) -> bool:
        """True once the tab has been closed for the grace period (and from then on)."""
        if self.session_alive is None or self.closed_for_good:
            return self.closed_for_good
        now = time.monotonic()
        if now < self._next_check:
            return False
        self._next_check = now + ALIVE_EVERY_S
        try:
            alive = bool(self.session_alive())
        except Exception:  # noqa: BLE001 - a broken check must not kill the training
            log.exception("session_alive() failed; assuming the session is alive")
            alive = True
        if alive:
            self._dead_since = None
        elif self._dead_since is None:
            self._dead_since = now
        self.closed_for_good = (
            self._dead_since is not None and now - self._dead_since >= self.grace_s
        )
        return self.closed_for_good
