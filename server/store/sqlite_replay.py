"""The replay's queries on the SQLite store: seeking by time, ranged log reads, export/import.

Kept apart from `sqlite.py` (the realtime hot path) because none of this runs while people type:
these are the reads a reviewer's seek, the player's chunked download, an export or the retention
task make. `SQLiteStore` inherits them; they run on its single database thread like everything
else, so they never race a group commit.

Seeking relies on the `log_by_time` index (session, doc, ts_ms): "the seq of doc D at time T" is
one index seek, and "the checkpoint at or before seq S" one primary-key seek, so a seek costs the
same at minute 1 and minute 60.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from server.store.base import Checkpoint, LogEntry, SessionRecord


class SQLiteReplayQueries:
    """Mixin for `SQLiteStore`; `_run` and `_conn` are the store's own plumbing."""

    async def _run(self, fn: Any, *args: Any) -> Any:  # pragma: no cover - provided by the store
        raise NotImplementedError

    def _conn(self) -> sqlite3.Connection:  # pragma: no cover - provided by the store
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
        sql = "SELECT * FROM log WHERE session_id=? AND doc=? AND seq>?"
        args: list[Any] = [session_id, doc, after_seq]
        if upto_seq is not None:
            sql += " AND seq<=?"
            args.append(upto_seq)
        if kind is not None:
            sql += " AND kind=?"
            args.append(kind)
        sql += " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)

        def query() -> list[LogEntry]:
            return [LogEntry(*row) for row in self._conn().execute(sql, args)]

        result: list[LogEntry] = await self._run(query)
        return result

    async def seq_at(self, session_id: str, doc: str, ts_ms: int) -> int:
        def query() -> int:
            row = (
                self._conn()
                .execute(
                    "SELECT seq FROM log WHERE session_id=? AND doc=? AND ts_ms<=? "
                    "ORDER BY ts_ms DESC, seq DESC LIMIT 1",
                    (session_id, doc, ts_ms),
                )
                .fetchone()
            )
            return 0 if row is None else int(row[0])

        result: int = await self._run(query)
        return result

    async def seek_at(
        self, session_id: str, doc: str, ts_ms: int
    ) -> tuple[Checkpoint | None, list[LogEntry]]:
        """`seq_at`, `checkpoint_at_or_before` and the tail's `read_log_range` in one trip to
        the database thread (a seek of four docs would otherwise queue twelve): the
        `SeekingStore` ability of `server.store.base`."""

        def query() -> tuple[Checkpoint | None, list[LogEntry]]:
            db = self._conn()
            row = db.execute(
                "SELECT seq FROM log WHERE session_id=? AND doc=? AND ts_ms<=? "
                "ORDER BY ts_ms DESC, seq DESC LIMIT 1",
                (session_id, doc, ts_ms),
            ).fetchone()
            if row is None:
                return None, []
            seq = int(row[0])
            found = db.execute(
                "SELECT * FROM checkpoints WHERE session_id=? AND doc=? AND seq<=? "
                "ORDER BY seq DESC LIMIT 1",
                (session_id, doc, seq),
            ).fetchone()
            checkpoint = None if found is None else Checkpoint(*found)
            rows = db.execute(
                "SELECT * FROM log WHERE session_id=? AND doc=? AND seq>? AND seq<=? "
                "AND kind='update' ORDER BY seq",
                (session_id, doc, checkpoint.seq if checkpoint else 0, seq),
            )
            return checkpoint, [LogEntry(*r) for r in rows]

        result: tuple[Checkpoint | None, list[LogEntry]] = await self._run(query)
        return result

    async def checkpoint_at_or_before(
        self, session_id: str, doc: str, seq: int
    ) -> Checkpoint | None:
        def query() -> Checkpoint | None:
            row = (
                self._conn()
                .execute(
                    "SELECT * FROM checkpoints WHERE session_id=? AND doc=? AND seq<=? "
                    "ORDER BY seq DESC LIMIT 1",
                    (session_id, doc, seq),
                )
                .fetchone()
            )
            return None if row is None else Checkpoint(*row)

        result: Checkpoint | None = await self._run(query)
        return result

    async def list_checkpoints(self, session_id: str, doc: str) -> list[Checkpoint]:
        def query() -> list[Checkpoint]:
            rows = self._conn().execute(
                "SELECT * FROM checkpoints WHERE session_id=? AND doc=? ORDER BY seq",
                (session_id, doc),
            )
            return [Checkpoint(*row) for row in rows]

        result: list[Checkpoint] = await self._run(query)
        return result

    async def log_docs(self, session_id: str) -> list[str]:
        def query() -> list[str]:
            rows = self._conn().execute(
                "SELECT DISTINCT doc FROM log WHERE session_id=? "
                "UNION SELECT DISTINCT doc FROM checkpoints WHERE session_id=? ORDER BY 1",
                (session_id, session_id),
            )
            return [str(r[0]) for r in rows]

        result: list[str] = await self._run(query)
        return result

    async def activity(
        self, session_id: str, origin_ms: int, bucket_ms: int, docs: list[str]
    ) -> list[tuple[str, str, str, int, int]]:
        if not docs:
            return []
        marks = ",".join("?" * len(docs))

        def query() -> list[tuple[str, str, str, int, int]]:
            rows = self._conn().execute(
                "SELECT author, role, doc, (ts_ms - ?) / ?, COUNT(*) FROM log "
                f"WHERE session_id=? AND kind='update' AND doc IN ({marks}) "
                "GROUP BY 1, 2, 3, 4 ORDER BY 4",
                (origin_ms, bucket_ms, session_id, *docs),
            )
            return [(str(a), str(r), str(d), int(b), int(n)) for a, r, d, b, n in rows]

        result: list[tuple[str, str, str, int, int]] = await self._run(query)
        return result

    async def import_session(
        self, record: SessionRecord, entries: list[LogEntry], checkpoints: list[Checkpoint]
    ) -> None:

        def write() -> None:
            db = self._conn()
            db.execute("BEGIN")
            try:
                exists = db.execute("SELECT 1 FROM sessions WHERE id=?", (record.id,)).fetchone()
                if exists:
                    raise ValueError(f"session {record.id} already exists")
                db.execute(
                    "INSERT INTO sessions VALUES (?,?,?,?,?,?,?)",
                    (
                        record.id,
                        record.title,
                        record.scenario,
                        record.created_at_ms,
                        record.state,
                        record.ended_at_ms,
                        json.dumps(record.meta),
                    ),
                )
                db.executemany(
                    "INSERT INTO log VALUES (?,?,?,?,?,?,?,?)",
                    [
                        (e.session_id, e.doc, e.seq, e.ts_ms, e.author, e.role, e.kind, e.data)
                        for e in entries
                    ],
                )
                db.executemany(
                    "INSERT INTO checkpoints VALUES (?,?,?,?)",
                    [(c.session_id, c.doc, c.seq, c.state) for c in checkpoints],
                )
            except sqlite3.IntegrityError as exc:
                db.execute("ROLLBACK")
                raise ValueError(f"duplicate records in the recording: {exc}") from exc
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

        await self._run(write)

    async def delete_record_log(self, session_id: str, doc: str) -> int:
        def delete() -> int:
            db = self._conn()
            sql = "DELETE FROM log WHERE session_id=? AND doc=?"
            return int(db.execute(sql, (session_id, doc)).rowcount)

        result: int = await self._run(delete)
        return result

    async def delete_session(self, session_id: str) -> None:
        def delete() -> None:
            db = self._conn()
            db.execute("BEGIN")
            try:
                for table in ("log", "checkpoints", "claims"):
                    db.execute(f"DELETE FROM {table} WHERE session_id=?", (session_id,))
                db.execute("DELETE FROM sessions WHERE id=?", (session_id,))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            forget = getattr(self, "_last_seqs", None)
            if isinstance(forget, dict):
                for key in [k for k in forget if k[0] == session_id]:
                    del forget[key]

        await self._run(delete)
