"""Versioned migrations: a populated database of the previous release (schema version 1, no
`schema_version` table) is upgraded at start-up, on SQLite and on PostgreSQL, with every row
kept; opening again changes nothing; a database newer than the code is refused.

The version-1 DDL below is copied from the release before migrations (server/store/sqlite.py
and postgres.py of that release), not imported: it is the fixed past this test starts from.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest

from server.accounts.model import User
from server.accounts.store import UserExists
from server.store import migrations
from server.store.base import Checkpoint, LogEntry
from server.store.migrations import LATEST, Migration, SchemaTooNew
from server.store.postgres import PostgresStore
from server.store.sqlite import SQLiteStore

RELEASE_1 = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, scenario TEXT, created_at_ms {int} NOT NULL,
    state TEXT NOT NULL, ended_at_ms {int}, meta TEXT NOT NULL DEFAULT '{{}}'
);
CREATE TABLE IF NOT EXISTS log (
    session_id TEXT NOT NULL, doc TEXT NOT NULL, seq {int} NOT NULL, ts_ms {int} NOT NULL,
    author TEXT NOT NULL, role TEXT NOT NULL, kind TEXT NOT NULL, data {blob} NOT NULL,
    PRIMARY KEY (session_id, doc, seq)
){rowid};
CREATE TABLE IF NOT EXISTS checkpoints (
    session_id TEXT NOT NULL, doc TEXT NOT NULL, seq {int} NOT NULL, state {blob} NOT NULL,
    PRIMARY KEY (session_id, doc, seq)
){rowid};
CREATE TABLE IF NOT EXISTS claims (
    session_id TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (session_id, key)
){rowid};
CREATE INDEX IF NOT EXISTS log_by_time ON log (session_id, doc, ts_ms);
"""
SQLITE_1 = RELEASE_1.format(int="INTEGER", blob="BLOB", rowid=" WITHOUT ROWID")
POSTGRES_1 = RELEASE_1.format(int="BIGINT", blob="BYTEA", rowid="")

SESSION = ("s1", "Old interview", None, 1000, "ended", 5000, '{"controls": {}}')
ENTRIES = [
    ("s1", "code", seq, 1000 + seq, "ann", "candidate", "update", b"u%d" % seq) for seq in (1, 2, 3)
]
USER = User("u1", "boss@example.com", "Boss", "owner", 7000, password_hash="$argon2id$x")


async def assert_release_1_data_survived(store: SQLiteStore | PostgresStore) -> None:
    record = await store.get_session("s1")
    assert record is not None
    assert (record.title, record.state, record.ended_at_ms) == ("Old interview", "ended", 5000)
    assert await store.read_log("s1", "code", 0) == [LogEntry(*e) for e in ENTRIES]
    assert await store.latest_checkpoint("s1", "code") == Checkpoint("s1", "code", 2, b"state")
    assert await store.claim("s1", "event:e1") is False  # the old claim still holds
    assert await store.seq_at("s1", "code", 1002) == 2  # the old time index still answers


def sqlite_release_1(path: Path) -> None:
    db = sqlite3.connect(path)
    db.executescript(SQLITE_1)
    db.execute("INSERT INTO sessions VALUES (?,?,?,?,?,?,?)", SESSION)
    db.executemany("INSERT INTO log VALUES (?,?,?,?,?,?,?,?)", ENTRIES)
    db.execute("INSERT INTO checkpoints VALUES ('s1', 'code', 2, x'7374617465')")
    db.execute("INSERT INTO claims VALUES ('s1', 'event:e1')")
    db.commit()
    db.close()


def sqlite_version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT version FROM schema_version").fetchone()[0])
    finally:
        db.close()


async def test_a_populated_release_1_sqlite_file_is_upgraded_at_open_with_its_data(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pairboard.sqlite3"
    sqlite_release_1(path)
    store = SQLiteStore(path)
    await store.open()
    try:
        await assert_release_1_data_survived(store)
        await store.add_user(USER)  # the tables of version 2 are there
        assert await store.get_user("u1") == USER
        with pytest.raises(UserExists):
            await store.add_user(USER)
    finally:
        await store.close()
    assert sqlite_version(path) == LATEST
    again = SQLiteStore(path)  # a second start finds nothing to do and loses nothing
    await again.open()
    try:
        await assert_release_1_data_survived(again)
        assert await again.get_user("u1") == USER
    finally:
        await again.close()


async def test_a_sqlite_file_from_a_newer_release_is_refused_not_written(tmp_path: Path) -> None:
    path = tmp_path / "pairboard.sqlite3"
    sqlite_release_1(path)
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE schema_version (version INTEGER); INSERT INTO schema_version VALUES (99);"
    )
    db.close()
    store = SQLiteStore(path)
    with pytest.raises(SchemaTooNew, match="schema version 99, newer than this Pairboard knows"):
        await store.open()
    await store.close()
    assert sqlite_version(path) == 99


async def test_a_fresh_sqlite_file_starts_at_the_latest_version(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "new.sqlite3")
    await store.open()
    await store.close()
    assert sqlite_version(tmp_path / "new.sqlite3") == LATEST


async def test_a_populated_release_1_postgres_database_is_upgraded_at_open_with_its_data(
    postgres_dsn: str,
) -> None:
    conn = await asyncpg.connect(postgres_dsn)
    try:
        await conn.execute(POSTGRES_1)
        await conn.execute("INSERT INTO sessions VALUES ($1,$2,$3,$4,$5,$6,$7)", *SESSION)
        await conn.executemany("INSERT INTO log VALUES ($1,$2,$3,$4,$5,$6,$7,$8)", ENTRIES)
        await conn.execute("INSERT INTO checkpoints VALUES ('s1', 'code', 2, 'state'::bytea)")
        await conn.execute("INSERT INTO claims VALUES ('s1', 'event:e1')")
    finally:
        await conn.close()
    for _ in range(2):  # the second start finds nothing to do and loses nothing
        store = PostgresStore(postgres_dsn)
        await store.open()
        try:
            await assert_release_1_data_survived(store)
            if await store.get_user("u1") is None:
                await store.add_user(USER)
            assert await store.get_user("u1") == USER
            version = await store._p().fetchval("SELECT version FROM schema_version")
            assert version == LATEST
        finally:
            await store.close()


async def test_a_migration_that_fails_leaves_the_file_at_the_last_complete_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pairboard.sqlite3"
    sqlite_release_1(path)
    broken = Migration(
        LATEST + 1, "a step that fails half-way", "CREATE TABLE half (x INTEGER); SELECT nope", ""
    )
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, broken))
    monkeypatch.setattr(migrations, "LATEST", broken.version)
    store = SQLiteStore(path)
    with pytest.raises(sqlite3.OperationalError, match="no such column: nope"):
        await store.open()
    await store.close()
    assert sqlite_version(path) == LATEST  # every earlier migration stayed committed
    db = sqlite3.connect(path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    db.close()
    assert "half" not in tables and "users" in tables  # the failed step rolled back whole
