"""The audit log and erasure (migration 3) on the SQLite store; `SQLiteStore` inherits these.

On the store's one database thread like every other query: an erase runs between two group
commits, never inside one.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from server.audit.model import AuditEntry, AuditQuery, NewAuditEntry
from server.audit.store import ErasedRows, with_counts
from server.store import audit_sql


class SQLiteAuditQueries:
    """Mixin for `SQLiteStore`; `_run`, `_conn` and `_erased` are the store's own."""

    _erased: set[str]
    _last_seqs: dict[tuple[str, str], int]

    async def _run(self, fn: Any, *args: Any) -> Any:  # pragma: no cover - provided by the store
        raise NotImplementedError

    def _conn(self) -> sqlite3.Connection:  # pragma: no cover - provided by the store
        raise NotImplementedError

    async def append_audit(self, entry: NewAuditEntry) -> int:
        def insert() -> int:
            cursor = self._conn().execute(
                f"INSERT INTO audit ({audit_sql.INSERT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                audit_sql.insert_values(entry),
            )
            return int(cursor.lastrowid or 0)

        result: int = await self._run(insert)
        return result

    async def read_audit(self, query: AuditQuery) -> list[AuditEntry]:
        sql, args = audit_sql.select(query, lambda _: "?")

        def read() -> list[AuditEntry]:
            return [audit_sql.entry_of(r) for r in self._conn().execute(sql, args)]

        result: list[AuditEntry] = await self._run(read)
        return result

    async def erase_session(self, session_id: str, entry: NewAuditEntry) -> ErasedRows:
        def erase() -> ErasedRows:
            db = self._conn()
            db.execute("BEGIN IMMEDIATE")
            try:
                counts = {}
                for table in ("log", "checkpoints", "claims"):
                    cursor = db.execute(f"DELETE FROM {table} WHERE session_id=?", (session_id,))
                    counts[table] = cursor.rowcount
                gone = db.execute("DELETE FROM sessions WHERE id=?", (session_id,)).rowcount
                rows = ErasedRows(gone, counts["log"], counts["checkpoints"], counts["claims"])
                db.execute(
                    "INSERT OR IGNORE INTO erased_sessions VALUES (?,?)", (session_id, entry.at_ms)
                )
                db.execute(
                    f"INSERT INTO audit ({audit_sql.INSERT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                    audit_sql.insert_values(with_counts(entry, rows)),
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            # Appends still queued for the group commit are refused from now on (`_insert_new`).
            self._erased.add(session_id)
            for key in [k for k in self._last_seqs if k[0] == session_id]:
                del self._last_seqs[key]
            return rows

        result: ErasedRows = await self._run(erase)
        return result

    async def is_erased(self, session_id: str) -> bool:
        def query() -> bool:
            sql = "SELECT 1 FROM erased_sessions WHERE session_id=?"
            return self._conn().execute(sql, (session_id,)).fetchone() is not None

        result: bool = await self._run(query)
        return result
