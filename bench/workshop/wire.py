"""The server's turnaround of an act, seen on the websocket: rerun request out -> script finished in.

With 30 browser sessions on one core, an act's in-page latency is mostly the browser core's queue
(each tab renders its own reply). What the server costs a participant is the time between the
browser sending Streamlit's ``rerun_script`` BackMsg and it receiving the run's
``script_finished`` ForwardMsg. Chrome's DevTools protocol reports every websocket frame with a
timestamp taken by the browser's network stack when the frame is sent or arrives, before any
rendering, so this interval is the server's queue, run and sending, plus loopback.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# A script_finished ForwardMsg is a few dozen bytes; bigger frames (deltas, figures) are not
# decoded at all, which keeps this cheap on the browser's core.
SMALL_FRAME = 600  # base64 characters


@dataclass
class Wire:
    """The websocket frames of one page that matter for timing: (monotonic s, "rerun"/"finished")."""

    events: list[tuple[float, str]] = field(default_factory=list)
    cdp: object = None

    async def attach(self, page) -> None:  # noqa: ANN001 - a Playwright async Page
        """Starts listening to ``page``'s websocket frames (Chrome DevTools' Network domain)."""
        self.cdp = await page.context.new_cdp_session(page)
        self.cdp.on("Network.webSocketFrameSent", self._sent)
        self.cdp.on("Network.webSocketFrameReceived", self._received)
        await self.cdp.send("Network.enable")

    def mark(self) -> int:
        """Where the next act's frames start."""
        return len(self.events)

    async def turnaround(self, since: int, wait_s: float = 5.0) -> float | None:
        """Milliseconds from the first rerun request after ``since`` to the next script_finished;
        None when no rerun was sent (the input started nothing) or no finish came in ``wait_s``."""
        for _ in range(int(wait_s / 0.05) + 1):
            found = _interval(self.events[since:])
            if found is not None:
                return found
            await asyncio.sleep(0.05)
        return None

    def _sent(self, event: dict) -> None:
        frame = event.get("response", {})
        if frame.get("opcode") != 2:
            return
        msg = BackMsg()
        try:
            msg.ParseFromString(base64.b64decode(frame.get("payloadData", "")))
        except Exception:  # noqa: BLE001 - not ours to judge; just not a rerun
            return
        if msg.WhichOneof("type") == "rerun_script":
            self.events.append((event["timestamp"], "rerun"))

    def _received(self, event: dict) -> None:
        frame = event.get("response", {})
        payload = frame.get("payloadData", "")
        if frame.get("opcode") != 2 or len(payload) > SMALL_FRAME:
            return
        msg = ForwardMsg()
        try:
            msg.ParseFromString(base64.b64decode(payload))
        except Exception:  # noqa: BLE001
            return
        # a run that calls st.rerun() ends early; the user waits for the rerun that follows
        if msg.WhichOneof("type") == "script_finished" and (
            msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
        ):
            self.events.append((event["timestamp"], "finished"))


def _interval(events: list[tuple[float, str]]) -> float | None:
    """ms from the first "rerun" to the first "finished" after it, if both are there."""
    start = next((t for t, kind in events if kind == "rerun"), None)
    if start is None:
        return None
    end = next((t for t, kind in events if kind == "finished" and t >= start), None)
    return None if end is None else (end - start) * 1000
