"""The embedded store: one SQLite file in WAL mode.

All database work runs on one dedicated thread (`sqlite_thread.py`: `sqlite3` connections are
not shared across threads, and one writer is what SQLite wants anyway), so the event loop never
blocks on disk.

Group commit: `append` calls that arrive while a commit is in flight wait for the next one, and
that next commit writes all of them in one transaction, handed back to the event loop at once.
Under load a commit carries many updates; idle, an update commits alone and at once. No timer is
involved. A batch the database refuses is retried entry by entry, so one bad entry fails only its
own `append`.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, TypeVar

from server import session_query
from server.private_files import private_file
from server.session_query import SessionQuery
from server.store.base import Checkpoint, LogEntry, NewEntry, SessionRecord
from server.store.migrations import VERSION_TABLE, pending
from server.store.sqlite_accounts import SQLiteAccountQueries
from server.store.sqlite_audit import SQLiteAuditQueries
from server.store.sqlite_org import SQLiteOrgQueries
from server.store.sqlite_replay import SQLiteReplayQueries
from server.store.sqlite_thread import DatabaseThread
from server.webhooks.sqlite_queue import SQLiteWebhookQueries

T = TypeVar("T")


def _casefold(value: object) -> str | None:
    return value.casefold() if isinstance(value, str) else None


def migrate(db: sqlite3.Connection) -> None:
    """Bring the file to the latest schema (server/store/migrations.py), one migration per
    transaction; `BEGIN IMMEDIATE` takes the write lock first, so two processes opening one
    file (the server and a CLI command) never apply the same migration twice."""
    db.execute(VERSION_TABLE)
    while True:
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
            todo = pending(int(row[0] or 0))
            if not todo:
                db.execute("COMMIT")
                return
            step = todo[0]
            for statement in _statements(step.sqlite):
                db.execute(statement)
            db.execute("DELETE FROM schema_version")
            db.execute("INSERT INTO schema_version VALUES (?)", (step.version,))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def _statements(script: str) -> list[str]:
    """A migration's statements one by one (`executescript` would commit the transaction). A
    trigger's body holds `;` of its own: pieces are joined until SQLite calls them complete."""
    out: list[str] = []
    current = ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \n;"):
                out.append(current.strip())
            current = ""
    if current.strip(" \n;"):
        out.append(current.strip())
    return out


class SQLiteStore(
    SQLiteReplayQueries,
    SQLiteAccountQueries,
    SQLiteAuditQueries,
    SQLiteOrgQueries,
    SQLiteWebhookQueries,
):  # sqlite_replay.py, sqlite_accounts.py, sqlite_audit.py, sqlite_org.py, webhooks/sqlite_queue.py
    def __init__(self, path: Path, *, synchronous: str = "NORMAL") -> None:
        self.path = path
        self._synchronous = synchronous
        # Named `sqlite...`: bench/sync counts that thread's CPU as the writer's.
        self._thread: DatabaseThread[NewEntry] = DatabaseThread(
            self._insert_isolated, name="sqlite_0"
        )
        self._db: sqlite3.Connection | None = None
        # Last seq per (session, doc), read from the file on first use; db thread only.
        self._last_seqs: dict[tuple[str, str], int] = {}
        # Sessions erased by this process (`erase_session`): an append still queued is refused.
        self._erased: set[str] = set()

    # --- plumbing ---------------------------------------------------------------------------

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await self._thread.run(fn, *args)

    def _conn(self) -> sqlite3.Connection:
        assert self._db is not None, "store is not open"
        return self._db

    def _open_sync(self) -> None:
        private_file(self.path)  # and SQLite gives its -wal and -shm files the same mode
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={self._synchronous}")
        db.execute("PRAGMA busy_timeout=5000")
        # The WAL is checkpointed at SQLite's default (every 1000 pages, 4 MiB), inside the commit
        # that crosses it, on this thread. 10,000 pages was measured and not kept: its rarer, ten
        # times longer checkpoints raised every waiting room's tail latency (PERFORMANCE.md, Sync).
        # The listing's case-insensitive candidate filter (SQLite's lower() folds ASCII only).
        db.create_function("casefold", 1, _casefold, deterministic=True)
        migrate(db)
        self._db = db

    async def open(self) -> None:
        await self._run(self._open_sync)

    async def close(self) -> None:
        """Pending appends commit first."""
        await self._thread.drain()
        if self._db is not None:
            await self._run(self._conn().close)
            self._db = None
        await self._thread.stop()

    # --- sessions ---------------------------------------------------------------------------

    def _upsert_session(self, r: SessionRecord) -> None:
        """Never for an erased session: a save from a stale copy (a hidden step finishing, a
        request in flight during the erase) must not bring its record back."""
        self._conn().execute(
            "INSERT INTO sessions SELECT ?,?,?,?,?,?,? WHERE NOT EXISTS "
            "(SELECT 1 FROM erased_sessions WHERE session_id=?) ON CONFLICT(id) DO UPDATE SET "
            "title=excluded.title, scenario=excluded.scenario, state=excluded.state, "
            "ended_at_ms=excluded.ended_at_ms, meta=excluded.meta",
            (
                r.id,
                r.title,
                r.scenario,
                r.created_at_ms,
                r.state,
                r.ended_at_ms,
                json.dumps(r.meta),
                r.id,
            ),
        )

    async def create_session(self, record: SessionRecord) -> None:
        await self._run(self._upsert_session, record)

    async def update_session(self, record: SessionRecord) -> None:
        await self._run(self._upsert_session, record)

    @staticmethod
    def _session_row(row: tuple[Any, ...]) -> SessionRecord:
        return SessionRecord(
            id=row[0],
            title=row[1],
            scenario=row[2],
            created_at_ms=row[3],
            state=row[4],
            ended_at_ms=row[5],
            meta=json.loads(row[6]),
        )

    async def get_session(self, session_id: str) -> SessionRecord | None:
        def query() -> SessionRecord | None:
            row = (
                self._conn().execute("SELECT * FROM sessions WHERE id=?", (session_id,)).fetchone()
            )
            return None if row is None else self._session_row(row)

        result: SessionRecord | None = await self._run(query)
        return result

    async def list_sessions(self) -> list[SessionRecord]:
        def query() -> list[SessionRecord]:
            rows = self._conn().execute("SELECT * FROM sessions ORDER BY created_at_ms DESC")
            return [self._session_row(r) for r in rows]

        result: list[SessionRecord] = await self._run(query)
        return result

    async def query_sessions(self, query: SessionQuery) -> tuple[list[SessionRecord], int]:
        page, count, args = session_query.select(query, session_query.SQLITE)

        def read() -> tuple[list[SessionRecord], int]:
            db = self._conn()
            db.execute("BEGIN")  # the page and its total from one snapshot
            try:
                rows = [self._session_row(r) for r in db.execute(page, args)]
                total = int(db.execute(count, args[:-2]).fetchone()[0])
            finally:
                db.execute("COMMIT")
            return rows, total

        result: tuple[list[SessionRecord], int] = await self._run(read)
        return result

    # --- log --------------------------------------------------------------------------------

    async def append(self, entry: NewEntry) -> int:
        return await self._thread.append(entry)

    def _insert_isolated(self, entries: list[NewEntry]) -> list[int | Exception]:
        """The batch in one transaction; if that fails, each entry in its own, so an entry the
        database refuses (say, text it cannot encode) fails its own caller only, never the
        other sessions' entries that happened to share its group commit."""
        try:
            return list(self._insert_new(entries))
        except Exception as exc:
            if len(entries) == 1:
                return [exc]
        results: list[int | Exception] = []
        for entry in entries:
            try:
                results.extend(self._insert_new([entry]))
            except Exception as exc:
                results.append(exc)
        return results

    def _next_seq(self, session_id: str, doc: str) -> int:
        key = (session_id, doc)
        last = self._last_seqs.get(key)
        if last is None:
            row = (
                self._conn()
                .execute("SELECT MAX(seq) FROM log WHERE session_id=? AND doc=?", key)
                .fetchone()
            )
            last = int(row[0] or 0)
        self._last_seqs[key] = last + 1
        return last + 1

    def _insert_new(self, entries: list[NewEntry]) -> list[int]:
        """One transaction for the whole batch; seqs are assigned in arrival order."""
        for e in entries:
            if e.session_id in self._erased:
                raise ValueError(f"session {e.session_id} was erased")
        snapshot = dict(self._last_seqs)
        seqs = [self._next_seq(e.session_id, e.doc) for e in entries]
        rows = [
            (e.session_id, e.doc, seq, e.ts_ms, e.author, e.role, e.kind, e.data)
            for e, seq in zip(entries, seqs, strict=True)
        ]
        try:
            self._insert_rows(rows)
        except BaseException:
            self._last_seqs = snapshot  # nothing was written: hand the same seqs out again
            raise
        return seqs

    def _insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        db = self._conn()
        db.execute("BEGIN")
        try:
            db.executemany("INSERT INTO log VALUES (?,?,?,?,?,?,?,?)", rows)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    async def import_entries(self, entries: list[LogEntry]) -> None:
        """Entries of an erased session are skipped (the Redis mover may still carry some it
        read before the erase): the check and the insert are one statement per entry."""

        def insert() -> None:
            rows = [
                (
                    e.session_id,
                    e.doc,
                    e.seq,
                    e.ts_ms,
                    e.author,
                    e.role,
                    e.kind,
                    e.data,
                    e.session_id,
                )
                for e in entries
            ]
            db = self._conn()
            db.execute("BEGIN")
            try:
                db.executemany(
                    "INSERT INTO log SELECT ?,?,?,?,?,?,?,? WHERE NOT EXISTS "
                    "(SELECT 1 FROM erased_sessions WHERE session_id=?)",
                    rows,
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            for e in entries:
                key = (e.session_id, e.doc)
                if key in self._last_seqs:
                    self._last_seqs[key] = max(self._last_seqs[key], e.seq)

        await self._run(insert)

    async def read_log(
        self, session_id: str, doc: str, after_seq: int, *, kind: str | None = None
    ) -> list[LogEntry]:
        def query() -> list[LogEntry]:
            sql = "SELECT * FROM log WHERE session_id=? AND doc=? AND seq>?"
            args: list[Any] = [session_id, doc, after_seq]
            if kind is not None:
                sql += " AND kind=?"
                args.append(kind)
            rows = self._conn().execute(sql + " ORDER BY seq", args)
            return [LogEntry(*row) for row in rows]

        result: list[LogEntry] = await self._run(query)
        return result

    async def last_seq(self, session_id: str, doc: str) -> int:
        def query() -> int:
            row = (
                self._conn()
                .execute("SELECT MAX(seq) FROM log WHERE session_id=? AND doc=?", (session_id, doc))
                .fetchone()
            )
            return int(row[0] or 0)

        result: int = await self._run(query)
        return result

    # --- checkpoints --------------------------------------------------------------------------

    async def write_checkpoint(self, checkpoint: Checkpoint) -> None:
        c = checkpoint
        await self._run(
            lambda: self._conn().execute(
                "INSERT OR REPLACE INTO checkpoints SELECT ?,?,?,? WHERE NOT EXISTS "
                "(SELECT 1 FROM erased_sessions WHERE session_id=?)",
                (c.session_id, c.doc, c.seq, c.state, c.session_id),
            )
        )

    async def latest_checkpoint(self, session_id: str, doc: str) -> Checkpoint | None:
        def query() -> Checkpoint | None:
            row = (
                self._conn()
                .execute(
                    "SELECT * FROM checkpoints WHERE session_id=? AND doc=? "
                    "ORDER BY seq DESC LIMIT 1",
                    (session_id, doc),
                )
                .fetchone()
            )
            return None if row is None else Checkpoint(*row)

        result: Checkpoint | None = await self._run(query)
        return result

    # --- claims -----------------------------------------------------------------------------

    async def claim(self, session_id: str, key: str) -> bool:
        def insert() -> bool:
            cursor = self._conn().execute(
                "INSERT OR IGNORE INTO claims VALUES (?,?)", (session_id, key)
            )
            return cursor.rowcount == 1

        result: bool = await self._run(insert)
        return result
