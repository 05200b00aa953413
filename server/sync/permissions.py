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


def write_allowed_now(role: Role, doc: str, *, editor_locked: bool) -> bool:
    """`can_write` with the interviewer's live lock applied to the candidate's editor."""
    if doc == "code" and role == "candidate" and editor_locked:
        return False
    return can_write(role, doc)
