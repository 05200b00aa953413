"""Who may open another websocket on a session: caps per session and per role, reserved atomically.

The cap used to be checked against the sockets already joined to rooms, with awaits (accept, the
room's load) between the check and the join: 400 concurrent handshakes got 407 sockets past a cap
of 32. And any role could fill it: with 32 candidate sockets open the interviewer got 403.

Now a handshake takes a `Slot` before its first await and gives it back when the socket closes,
so the count includes handshakes in flight; `refusal` is a pure function of the counts:

- no role holds more than `per_role` sockets of a session;
- the session holds at most `per_session`;
- the roles other than the interviewer together hold at most `per_session - per_role`: the
  interviewer's share is never taken by anyone else, so the interviewer can always join.

Counts are per server instance (each instance admits its own sockets).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from server.auth import Role
from server.settings import Settings


@dataclass(frozen=True, slots=True)
class ConnectionCaps:
    per_session: int
    per_role: int

    @classmethod
    def from_settings(cls, settings: Settings) -> ConnectionCaps:
        return cls(settings.max_connections_per_session, settings.max_connections_per_role)


def refusal(role: Role, counts: Mapping[str, int], caps: ConnectionCaps) -> str | None:
    """Why one more `role` socket may not open given the session's open `counts`, or None."""
    total = sum(counts.values())
    if counts.get(role, 0) >= caps.per_role:
        return f"the {role} role already has {caps.per_role} connections to this session"
    if total >= caps.per_session:
        return f"this session already has {caps.per_session} connections"
    reserved = min(caps.per_role, caps.per_session)
    if (
        role != "interviewer"
        and total - counts.get("interviewer", 0) >= caps.per_session - reserved
    ):
        return "the remaining connections of this session are kept for the interviewer"
    return None


class Slot:
    """One admitted socket's place in its session's count; `release` is idempotent."""

    def __init__(self, slots: ConnectionSlots, session_id: str, role: Role) -> None:
        self._slots = slots
        self.session_id = session_id
        self.role = role
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._slots._release(self.session_id, self.role)


class ConnectionSlots:
    """The open (and opening) sockets of every session, by role."""

    def __init__(self, caps: ConnectionCaps) -> None:
        self.caps = caps
        self._counts: dict[str, Counter[str]] = {}

    def reserve(self, session_id: str, role: Role) -> Slot | str:
        """A slot, or why not. Synchronous: check and count happen with no await between, so
        concurrent handshakes on the event loop can never both take the last slot."""
        counts = self._counts.get(session_id, Counter())
        why = refusal(role, counts, self.caps)
        if why is not None:
            return why
        self._counts[session_id] = counts
        counts[role] += 1
        return Slot(self, session_id, role)

    def count(self, session_id: str, role: Role | None = None) -> int:
        counts = self._counts.get(session_id, Counter())
        return counts[role] if role is not None else sum(counts.values())

    def _release(self, session_id: str, role: Role) -> None:
        counts = self._counts.get(session_id)
        if counts is None:
            return
        counts[role] -= 1
        if counts[role] <= 0:
            del counts[role]
        if not counts:
            del self._counts[session_id]
