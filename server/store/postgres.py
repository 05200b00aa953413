"""PostgreSQL as the durable store of a scale-out deployment (asyncpg).

Several server instances share it: sessions, checkpoints and claims live here, and the Redis
mover (`server/scale/mover.py`) copies committed stream entries into `log` with
`import_entries`. `append` also works on its own (a per-doc advisory lock serialises seq
assignment), so PostgreSQL can back a single instance too.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from server import session_query
from server.session_query import SessionQuery
from server.store.base import Checkpoint, EntriesRefused, LogEntry, NewEntry, SessionRecord
from server.store.migrations import VERSION_TABLE, pending
from server.store.postgres_accounts import PostgresAccountQueries
from server.store.postgres_audit import PostgresAuditQueries
from server.store.postgres_org import PostgresOrgQueries
from server.store.postgres_replay import PostgresReplayQueries
from server.webhooks.postgres_queue import PostgresWebhookQueries

_LOG_COLUMNS = "session_id, doc, seq, ts_ms, author, role, kind, data"
# What the database (or asyncpg encoding a value) says about the data, not about the connection.
_DATA_ERRORS = (ValueError, TypeError, asyncpg.DataError, asyncpg.IntegrityConstraintViolationError)


def _session(row: asyncpg.Record) -> SessionRecord:
    return SessionRecord(
        id=row["id"],
        title=row["title"],
        scenario=row["scenario"],
        created_at_ms=row["created_at_ms"],
        state=row["state"],
        ended_at_ms=row["ended_at_ms"],
        meta=json.loads(row["meta"]),
    )


def _entry(row: asyncpg.Record) -> LogEntry:
    return LogEntry(*(row[c] for c in _LOG_COLUMNS.split(", ")))


async def migrate(pool: asyncpg.Pool) -> None:
    """Bring the database to the latest schema (server/store/migrations.py). Instances start
    together in a deployment: the advisory lock lets one migrate at a time, and each migration
    commits with its version number, so the others find nothing left to do."""
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock(7411)")
        try:
            await conn.execute(VERSION_TABLE)
            current = int(
                await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version")
            )
            for step in pending(current):
                async with conn.transaction():
                    await conn.execute(step.postgres)
                    await conn.execute("DELETE FROM schema_version")
                    await conn.execute("INSERT INTO schema_version VALUES ($1)", step.version)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(7411)")


# An erase takes this lock exclusively (`postgres_audit.py`); writers of a session's log and
# checkpoints take it shared in their transaction: a write that started before the erase
# committed is waited for and deleted by it, one that starts after it finds the tombstone.
ERASE_LOCK = "pg_advisory_xact_lock_shared(hashtext('erase/' || $1))"
NOT_ERASED = "NOT EXISTS (SELECT 1 FROM erased_sessions WHERE session_id=$1)"


class PostgresStore(
    PostgresReplayQueries,
    PostgresAccountQueries,
    PostgresAuditQueries,
    PostgresOrgQueries,
    PostgresWebhookQueries,
):  # *_replay.py, *_accounts.py, *_audit.py, *_org.py, webhooks/postgres_queue.py
    def __init__(self, dsn: str, *, pool_size: int = 10) -> None:
        self.dsn = dsn
        self.pool_size = pool_size
        self._pool: asyncpg.Pool | None = None

    def _p(self) -> asyncpg.Pool:
        assert self._pool is not None, "store is not open"
        return self._pool

    async def open(self) -> None:
        self._pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=self.pool_size)
        await migrate(self._p())

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    # --- sessions ---------------------------------------------------------------------------

    async def _upsert(self, r: SessionRecord) -> None:
        """Never for an erased session: a save from a stale copy must not bring it back."""
        await self._p().execute(
            "INSERT INTO sessions SELECT $1,$2,$3,$4,$5,$6,$7 WHERE "
            f"{NOT_ERASED} ON CONFLICT (id) DO UPDATE SET "
            "title=excluded.title, scenario=excluded.scenario, state=excluded.state, "
            "ended_at_ms=excluded.ended_at_ms, meta=excluded.meta",
            r.id,
            r.title,
            r.scenario,
            r.created_at_ms,
            r.state,
            r.ended_at_ms,
            json.dumps(r.meta),
        )

    async def create_session(self, record: SessionRecord) -> None:
        await self._upsert(record)

    async def update_session(self, record: SessionRecord) -> None:
        await self._upsert(record)

    async def get_session(self, session_id: str) -> SessionRecord | None:
        row = await self._p().fetchrow("SELECT * FROM sessions WHERE id=$1", session_id)
        return None if row is None else _session(row)

    async def list_sessions(self) -> list[SessionRecord]:
        rows = await self._p().fetch("SELECT * FROM sessions ORDER BY created_at_ms DESC")
        return [_session(r) for r in rows]

    async def query_sessions(self, query: SessionQuery) -> tuple[list[SessionRecord], int]:
        page, count, args = session_query.select(query, session_query.POSTGRES)
        async with self._p().acquire() as conn, conn.transaction(isolation="repeatable_read"):
            rows = await conn.fetch(page, *args)  # the page and its total from one snapshot
            total = await conn.fetchval(count, *args[:-2])
        return [_session(r) for r in rows], int(total)

    # --- log --------------------------------------------------------------------------------

    async def append(self, entry: NewEntry) -> int:
        e = entry
        async with self._p().acquire() as conn, conn.transaction():
            await conn.execute(
                f"SELECT pg_advisory_xact_lock(hashtext($1 || '/' || $2)), {ERASE_LOCK}",
                e.session_id,
                e.doc,
            )
            seq: int | None = await conn.fetchval(
                "INSERT INTO log SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $6, $7 "
                f"FROM log WHERE session_id=$1 AND doc=$2 HAVING {NOT_ERASED} RETURNING seq",
                e.session_id,
                e.doc,
                e.ts_ms,
                e.author,
                e.role,
                e.kind,
                e.data,
            )
        if seq is None:
            raise ValueError(f"session {e.session_id} was erased")
        return seq

    async def import_entries(self, entries: list[LogEntry]) -> None:
        """One transaction for the batch; if the database refuses it (bad data), one per entry,
        so the mover's joint batch of many docs is never lost to one entry (`EntriesRefused`
        names the refused ones). A lost connection is raised as is: nothing was written."""
        try:
            await self._insert_entries(entries)
            return
        except _DATA_ERRORS:
            if len(entries) == 1:
                raise
        refused: list[tuple[LogEntry, Exception]] = []
        for entry in entries:
            try:
                await self._insert_entries([entry])
            except _DATA_ERRORS as exc:
                refused.append((entry, exc))
        if refused:
            raise EntriesRefused(refused)

    async def _insert_entries(self, entries: list[LogEntry]) -> None:
        rows: list[tuple[Any, ...]] = [
            (e.session_id, e.doc, e.seq, e.ts_ms, e.author, e.role, e.kind, e.data) for e in entries
        ]
        async with self._p().acquire() as conn, conn.transaction():
            # Every session's lock in one round trip (a mover batch spans many sessions).
            await conn.execute(
                "SELECT pg_advisory_xact_lock_shared(hashtext('erase/' || s)) "
                "FROM unnest($1::text[]) AS s",
                sorted({e.session_id for e in entries}),
            )
            await conn.executemany(
                f"INSERT INTO log ({_LOG_COLUMNS}) SELECT $1,$2,$3,$4,$5,$6,$7,$8 "
                f"WHERE {NOT_ERASED}",
                rows,
            )

    async def read_log(
        self, session_id: str, doc: str, after_seq: int, *, kind: str | None = None
    ) -> list[LogEntry]:
        sql = f"SELECT {_LOG_COLUMNS} FROM log WHERE session_id=$1 AND doc=$2 AND seq>$3"
        args: list[Any] = [session_id, doc, after_seq]
        if kind is not None:
            sql += " AND kind=$4"
            args.append(kind)
        rows = await self._p().fetch(sql + " ORDER BY seq", *args)
        return [_entry(r) for r in rows]

    async def last_seq(self, session_id: str, doc: str) -> int:
        value = await self._p().fetchval(
            "SELECT COALESCE(MAX(seq), 0) FROM log WHERE session_id=$1 AND doc=$2",
            session_id,
            doc,
        )
        return int(value)

    # --- checkpoints --------------------------------------------------------------------------

    async def write_checkpoint(self, checkpoint: Checkpoint) -> None:
        c = checkpoint
        async with self._p().acquire() as conn, conn.transaction():
            await conn.execute(f"SELECT {ERASE_LOCK}", c.session_id)
            await conn.execute(
                f"INSERT INTO checkpoints SELECT $1,$2,$3,$4 WHERE {NOT_ERASED} "
                "ON CONFLICT (session_id, doc, seq) DO UPDATE SET state=excluded.state",
                c.session_id,
                c.doc,
                c.seq,
                c.state,
            )

    async def latest_checkpoint(self, session_id: str, doc: str) -> Checkpoint | None:
        row = await self._p().fetchrow(
            "SELECT session_id, doc, seq, state FROM checkpoints WHERE session_id=$1 AND doc=$2 "
            "ORDER BY seq DESC LIMIT 1",
            session_id,
            doc,
        )
        return None if row is None else Checkpoint(row[0], row[1], row[2], row[3])

    # --- claims -----------------------------------------------------------------------------

    async def claim(self, session_id: str, key: str) -> bool:
        status: str = await self._p().execute(
            "INSERT INTO claims VALUES ($1,$2) ON CONFLICT DO NOTHING", session_id, key
        )
        return status == "INSERT 0 1"
