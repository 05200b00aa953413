"""The replay's queries on the PostgreSQL store (the same contract as `sqlite_replay.py`).

Seeking uses the `log_by_time` index, as on SQLite, so a seek costs the same at minute 1 and 60.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from server.store.base import Checkpoint, LogEntry, SessionRecord

LOG_COLUMNS = "session_id, doc, seq, ts_ms, author, role, kind, data"


def log_entry(row: asyncpg.Record) -> LogEntry:
    return LogEntry(*(row[c] for c in LOG_COLUMNS.split(", ")))


def checkpoint_of(row: asyncpg.Record) -> Checkpoint:
    return Checkpoint(row["session_id"], row["doc"], row["seq"], row["state"])


class PostgresReplayQueries:
    """Mixin for `PostgresStore`; `_p` is the store's pool."""

    def _p(self) -> asyncpg.Pool:  # pragma: no cover - provided by the store
        raise NotImplementedError

    async def read_log_range(
        self,
        session_id: str,
        doc: str,
        after_seq: int,
        upto_seq: int | None = None,
        *,
        kind: str | None = None,
        limit: int | None = None,
    ) -> list[LogEntry]:
        sql = f"SELECT {LOG_COLUMNS} FROM log WHERE session_id=$1 AND doc=$2 AND seq>$3"
        args: list[Any] = [session_id, doc, after_seq]
        if upto_seq is not None:
            args.append(upto_seq)
            sql += f" AND seq<=${len(args)}"
        if kind is not None:
            args.append(kind)
            sql += f" AND kind=${len(args)}"
        sql += " ORDER BY seq"
        if limit is not None:
            args.append(limit)
            sql += f" LIMIT ${len(args)}"
        return [log_entry(r) for r in await self._p().fetch(sql, *args)]

    async def seq_at(self, session_id: str, doc: str, ts_ms: int) -> int:
        value = await self._p().fetchval(
            "SELECT seq FROM log WHERE session_id=$1 AND doc=$2 AND ts_ms<=$3 "
            "ORDER BY ts_ms DESC, seq DESC LIMIT 1",
            session_id,
            doc,
            ts_ms,
        )
        return 0 if value is None else int(value)

    async def checkpoint_at_or_before(
        self, session_id: str, doc: str, seq: int
    ) -> Checkpoint | None:
        row = await self._p().fetchrow(
            "SELECT * FROM checkpoints WHERE session_id=$1 AND doc=$2 AND seq<=$3 "
            "ORDER BY seq DESC LIMIT 1",
            session_id,
            doc,
            seq,
        )
        return None if row is None else checkpoint_of(row)

    async def list_checkpoints(self, session_id: str, doc: str) -> list[Checkpoint]:
        rows = await self._p().fetch(
            "SELECT * FROM checkpoints WHERE session_id=$1 AND doc=$2 ORDER BY seq",
            session_id,
            doc,
        )
        return [checkpoint_of(r) for r in rows]

    async def log_docs(self, session_id: str) -> list[str]:
        rows = await self._p().fetch(
            "SELECT DISTINCT doc FROM log WHERE session_id=$1 "
            "UNION SELECT DISTINCT doc FROM checkpoints WHERE session_id=$1 ORDER BY 1",
            session_id,
        )
        return [str(r[0]) for r in rows]

    async def activity(
        self, session_id: str, origin_ms: int, bucket_ms: int, docs: list[str]
    ) -> list[tuple[str, str, str, int, int]]:
        if not docs:
            return []
        rows = await self._p().fetch(
            "SELECT author, role, doc, (ts_ms - $1) / $2 AS bucket, COUNT(*) FROM log "
            "WHERE session_id=$3 AND kind='update' AND doc = ANY($4::text[]) "
            "GROUP BY 1, 2, 3, 4 ORDER BY 4",
            origin_ms,
            bucket_ms,
            session_id,
            docs,
        )
        return [(str(a), str(r), str(d), int(b), int(n)) for a, r, d, b, n in rows]

    async def import_session(
        self, record: SessionRecord, entries: list[LogEntry], checkpoints: list[Checkpoint]
    ) -> None:
        async with self._p().acquire() as conn, conn.transaction():
            if await conn.fetchval("SELECT 1 FROM sessions WHERE id=$1", record.id):
                raise ValueError(f"session {record.id} already exists")
            await conn.execute(
                "INSERT INTO sessions VALUES ($1,$2,$3,$4,$5,$6,$7)",
                record.id,
                record.title,
                record.scenario,
                record.created_at_ms,
                record.state,
                record.ended_at_ms,
                json.dumps(record.meta),
            )
            try:
                await conn.executemany(
                    f"INSERT INTO log ({LOG_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
                    [
                        (e.session_id, e.doc, e.seq, e.ts_ms, e.author, e.role, e.kind, e.data)
                        for e in entries
                    ],
                )
                await conn.executemany(
                    "INSERT INTO checkpoints VALUES ($1,$2,$3,$4)",
                    [(c.session_id, c.doc, c.seq, c.state) for c in checkpoints],
                )
            except asyncpg.UniqueViolationError as exc:
                raise ValueError(f"duplicate records in the recording: {exc}") from exc

    async def delete_record_log(self, session_id: str, doc: str) -> int:
        sql = "DELETE FROM log WHERE session_id=$1 AND doc=$2"
        status: str = await self._p().execute(sql, session_id, doc)
        return int(status.rsplit(" ", 1)[-1])

    async def delete_session(self, session_id: str) -> None:
        async with self._p().acquire() as conn, conn.transaction():
            for table in ("log", "checkpoints", "claims"):
                await conn.execute(f"DELETE FROM {table} WHERE session_id=$1", session_id)
            await conn.execute("DELETE FROM sessions WHERE id=$1", session_id)
