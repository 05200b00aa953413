"""Who may read and write which doc: DESIGN.md section 3, enforced per connection.

These are pure functions of role and doc (plus the session's live controls for locking), so the
websocket endpoint, the REST API and the tests all ask the same question the same way.
"""

from __future__ import annotations

from server.auth import Role

DOCS = ("code", "board", "console", "notes")

_READERS: dict[str, frozenset[str]] = {
    "code": frozenset({"interviewer", "candidate", "observer", "reviewer"}),
    "board": frozenset({"interviewer", "candidate", "observer", "reviewer"}),
    "console": frozenset({"interviewer", "candidate", "observer", "reviewer"}),
    "notes": frozenset({"interviewer", "reviewer"}),
}

# The console is written by the server only (runs, kernel status, scenario events).
_WRITERS: dict[str, frozenset[str]] = {
    "code": frozenset({"interviewer", "candidate"}),
    "board": frozenset({"interviewer", "candidate"}),
    "console": frozenset(),
    "notes": frozenset({"interviewer"}),
}


def can_read(role: Role, doc: str) -> bool:
    return role in _READERS.get(doc, frozenset())


def can_write(role: Role, doc: str) -> bool:
    return role in _WRITERS.get(doc, frozenset())


def write_refusal(role: Role, doc: str, *, editor_locked: bool, waiting: bool) -> str | None:
    """Why a writer may not write this doc right now, or None if it may.

    The candidate waits for the interviewer's Start before touching the editor or the board, and
    cannot type in an editor the interviewer has locked. Roles that can never write are not
    asked: their frames are dropped silently (DESIGN.md section 4).
    """
    if role == "candidate" and waiting and doc in ("code", "board"):
        return "the interview has not started yet"
    if role == "candidate" and editor_locked and doc == "code":
        return "the interviewer has locked the editor"
    return None
