"""Session ids appear in URLs, in links read aloud, and as CLI arguments."""

from __future__ import annotations

from server.sessions import SESSION_ID_ALPHABET, new_session_id


def test_session_ids_are_safe_as_command_line_arguments() -> None:
    ids = {new_session_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(i) == 12 and set(i) <= set(SESSION_ID_ALPHABET) for i in ids)
    assert not set("-_0O1lI") & set(SESSION_ID_ALPHABET)
