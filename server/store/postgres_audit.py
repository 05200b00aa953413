"""The audit log and erasure (migration 3) on PostgreSQL; `PostgresStore` inherits these.

Every instance of a deployment appends to and reads the same table; an erase is one
transaction, so either everything of the session is gone and its entry is there, or nothing
changed.
"""

from __future__ import annotations

import asyncpg

from server.audit.model import AuditEntry, AuditQuery, NewAuditEntry
from server.audit.store import ErasedRows, with_counts
from server.store import audit_sql

_INSERT = (
    f"INSERT INTO audit ({audit_sql.INSERT_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) "
    "RETURNING id"
)


def _count(status: str) -> int:
    """Rows affected, from a command tag such as 'DELETE 12'."""
    return int(status.rsplit(" ", 1)[-1])


class PostgresAuditQueries:
    """Mixin for `PostgresStore`; `_p` is the store's pool."""

    def _p(self) -> asyncpg.Pool:  # pragma: no cover - provided by the store
        raise NotImplementedError

    async def append_audit(self, entry: NewAuditEntry) -> int:
        value = await self._p().fetchval(_INSERT, *audit_sql.insert_values(entry))
        return int(value)

    async def read_audit(self, query: AuditQuery) -> list[AuditEntry]:
        sql, args = audit_sql.select(query, lambda n: f"${n}")
        return [audit_sql.entry_of(r.values()) for r in await self._p().fetch(sql, *args)]

    async def erase_session(self, session_id: str, entry: NewAuditEntry) -> ErasedRows:
        async with self._p().acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('erase/' || $1))", session_id)
            counts = {}
            for table in ("log", "checkpoints", "claims"):
                status = await conn.execute(f"DELETE FROM {table} WHERE session_id=$1", session_id)
                counts[table] = _count(status)
            gone = _count(await conn.execute("DELETE FROM sessions WHERE id=$1", session_id))
            await conn.execute(
                "INSERT INTO erased_sessions VALUES ($1,$2) ON CONFLICT DO NOTHING",
                session_id,
                entry.at_ms,
            )
            rows = ErasedRows(gone, counts["log"], counts["checkpoints"], counts["claims"])
            await conn.fetchval(_INSERT, *audit_sql.insert_values(with_counts(entry, rows)))
        return rows

    async def is_erased(self, session_id: str) -> bool:
        sql = "SELECT 1 FROM erased_sessions WHERE session_id=$1"
        return await self._p().fetchval(sql, session_id) is not None
