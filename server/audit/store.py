"""What the durable store keeps for the audit log (SQLite and PostgreSQL, migration 3).

Always the durable store, never only Redis: an entry must outlive any instance, and an erase
writes its entry in the same transaction that removes the session's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from server.audit.model import AuditEntry, AuditQuery, NewAuditEntry


@dataclass(frozen=True, slots=True)
class ErasedRows:
    """How many rows an erase removed, per table (counts only: what the audit entry keeps)."""

    sessions: int
    log: int
    checkpoints: int
    claims: int

    def to_json(self) -> dict[str, int]:
        return {
            "sessions": self.sessions,
            "log": self.log,
            "checkpoints": self.checkpoints,
            "claims": self.claims,
        }


def with_counts(entry: NewAuditEntry, rows: ErasedRows) -> NewAuditEntry:
    """The erase's entry with what it removed (`details["removed"]`), known only in the
    transaction that removes it."""
    return replace(entry, details={**entry.details, "removed": rows.to_json()})


class AuditStore(Protocol):
    async def append_audit(self, entry: NewAuditEntry) -> int:
        """Append one entry; its id (ids grow with time). There is no update or delete."""
        ...

    async def read_audit(self, query: AuditQuery) -> list[AuditEntry]: ...

    async def erase_session(self, session_id: str, entry: NewAuditEntry) -> ErasedRows:
        """In one transaction: delete the session's row, log, checkpoints and claims, mark it
        erased (later imports of its entries and checkpoints are no-ops) and append `entry`
        with the row counts in `details["removed"]`."""
        ...

    async def is_erased(self, session_id: str) -> bool: ...
