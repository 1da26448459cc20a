"""This session's architecture, its undo stack and selection, mirrored to ``?arch=`` in the URL.

Pages call these functions instead of touching ``st.session_state`` keys. The architecture
lives in the session; the query string is a copy for sharing, read and written through the
``arch`` row of ``ui.url_state``'s table:

* The first ``get_arch()`` of a session (the sidebar card or a page, whichever comes first)
  reads ``?arch=``; unreadable text leaves the row's warning (``take_notice()``) and the
  default architecture, never a traceback.
* ``sync_url()`` runs at the top of the Build page. An ``?arch=`` this session has not seen
  or written (a link opened inside a running session) is read the same way, as an undoable
  change. Otherwise the current architecture is written to the URL, which also restores it
  after Streamlit clears the query string on a page switch.
* ``set_arch()`` pushes the previous architecture on the undo stack and writes the URL.

Model state (trained weights, jobs) belongs elsewhere: a later page adds its own functions
and keys next to these, under a different prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.architecture import Architecture
from ui import markdown, url_state
from ui.url_state import ARCH

UNDO_LIMIT = 50

_ARCH = "build.arch"
_UNDO = "build.undo"  # list of (Architecture, note) pairs, oldest first
_SELECTED = "build.selected"
_URL_WRITTEN = "build.url_written"  # the ?arch= text this session wrote last
_NOTICE = "build.notice"


@dataclass(frozen=True)
class Notice:
    """A message for the page to show once the state has settled (kind: "warning"/"error"/"success")."""

    kind: str
    text: str


def default_arch() -> Architecture:
    """The architecture a new session starts with: the notebook's VGG-like CNN (the table's default)."""
    return ARCH.default()


def get_arch() -> Architecture:
    """The session's current architecture.

    The first call in a session reads ``?arch=`` from the URL (so whichever page or sidebar
    asks first sees a shared link's architecture); without one, or when it cannot be read,
    it is the notebook's VGG-like CNN (and ``take_notice()`` says what was wrong).
    """
    if _ARCH not in st.session_state:
        st.session_state[_ARCH] = _from_link() or default_arch()
    return st.session_state[_ARCH]


def _from_link() -> Architecture | None:
    """The architecture in ``?arch=``, or None (with a warning notice when it is unreadable)."""
    reading = url_state.read(ARCH)
    if not reading.given:
        return None
    st.session_state[_URL_WRITTEN] = url_state.raw(ARCH)  # seen: sync_url() won't read it again
    if reading.bad:
        notify("warning", reading.note or "")
        return None
    return reading.value


def set_arch(arch: Architecture, note: str | None = None) -> None:
    """Makes ``arch`` current; the previous one goes on the undo stack (at most UNDO_LIMIT).

    Args:
        arch: the new architecture.
        note: what changed, in words ("added Conv2D(32, 3×3, relu)"); shown next to Undo.
    """
    previous = get_arch()
    if arch == previous:
        return
    stack = st.session_state.setdefault(_UNDO, [])
    stack.append((previous, note or "last change"))
    del stack[:-UNDO_LIMIT]
    st.session_state[_ARCH] = arch
    _clamp_selection(arch)
    _write_url(arch)


def undo() -> bool:
    """Goes back to the architecture before the last change; False when there is nothing to undo."""
    stack = st.session_state.get(_UNDO) or []
    if not stack:
        return False
    arch, _ = stack.pop()
    st.session_state[_ARCH] = arch
    _clamp_selection(arch)
    _write_url(arch)
    return True


def can_undo() -> bool:
    """True when ``undo()`` would change something."""
    return bool(st.session_state.get(_UNDO))


def undo_note() -> str | None:
    """What the next ``undo()`` takes back, e.g. "added Dense(10, softmax)"; None if nothing."""
    stack = st.session_state.get(_UNDO) or []
    return stack[-1][1] if stack else None


def selected_index() -> int | None:
    """The layer open in the editor, or None."""
    index = st.session_state.get(_SELECTED)
    return index if index is not None and 0 <= index < len(get_arch()) else None


def select(index: int | None) -> None:
    """Opens layer ``index`` in the editor (None closes it)."""
    st.session_state[_SELECTED] = index


def _clamp_selection(arch: Architecture) -> None:
    index = st.session_state.get(_SELECTED)
    if index is not None and index >= len(arch):
        st.session_state[_SELECTED] = len(arch) - 1 if len(arch) else None


def notify(kind: str, text: str) -> None:
    """Leaves a plain-text message for ``notice()`` (one at a time; the newest wins).

    The text often quotes what a user typed, uploaded or linked, so it is escaped here and
    shows as plain text: a Markdown image or link in ``?arch=`` stays inert.
    """
    st.session_state[_NOTICE] = Notice(kind, markdown.escape(text))


def take_notice() -> Notice | None:
    """The message left for the page, if any; it is shown once, so this also forgets it."""
    return st.session_state.pop(_NOTICE, None)


def share_query(arch: Architecture | None = None) -> str:
    """The link text for ``arch`` (default: the current one), e.g. ``norm-conv(8,5)-flatten``."""
    return (arch or get_arch()).to_url()


def sync_url() -> None:
    """Reads a new ``?arch=`` into the session, or writes the current architecture to the URL.

    Call once at the top of a page that shows the architecture. Never raises for bad link
    text: it leaves a warning notice naming the problem and keeps the current architecture.
    """
    current = get_arch()  # the first call of a session reads the link
    incoming = url_state.raw(ARCH)
    if incoming is not None and incoming != st.session_state.get(_URL_WRITTEN):
        st.session_state[_URL_WRITTEN] = incoming
        reading = ARCH.read(incoming)
        if reading.bad:
            notify("warning", ARCH.kept_note(reading) or "")
        else:
            set_arch(reading.value, "opened a link")
        current = get_arch()
    _write_url(current)


def _write_url(arch: Architecture) -> None:
    st.session_state[_URL_WRITTEN] = url_state.write(ARCH, arch)
