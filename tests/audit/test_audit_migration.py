"""Migration 3 (the audit log) upgrades a populated version-2 database, SQLite and PostgreSQL:
its sessions, log and users stay; the audit table takes entries and refuses, in the database
itself, any UPDATE or DELETE of one (TRUNCATE too, on PostgreSQL).

The version-2 database is made by the released migrations 1 and 2 themselves (they are never
edited, so running them is the fixed past), then filled with rows as version 2 wrote them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest

from server.audit.model import Actor, AuditKind, AuditQuery, NewAuditEntry
from server.store.migrations import LATEST
from server.store.postgres import PostgresStore
from server.store.sqlite import SQLiteStore
from tests.support.old_schema import postgres_at, sqlite_at

SESSION = ("s1", "Old interview", None, 1000, "ended", 5000, '{"controls": {}}')
ENTRIES = [("s1", "code", seq, 1000 + seq, "ann", "candidate", "update", b"u") for seq in (1, 2)]
USER = ("u1", "boss@example.com", "Boss", "owner", "$argon2id$x", None, 7000, None)
TOKEN = ("t1", "hash1", "u1", "ci", '["sessions:read"]', 7000, 9000, None)
ROWS = [("sessions", SESSION), *(("log", e) for e in ENTRIES), ("users", USER)]
ROWS.append(("api_tokens", TOKEN))
ENTRY = NewAuditEntry(
    8000, AuditKind.SIGN_IN, Actor("member", "u1", "boss@example.com", "owner"), "10.0.0.7", "u1"
)


def sqlite_release_2(path: Path) -> None:
    sqlite_at(path, 2, ROWS)


async def assert_release_2_data_survived(store: SQLiteStore | PostgresStore) -> None:
    record = await store.get_session("s1")
    assert record is not None and record.title == "Old interview"
    assert [e.seq for e in await store.read_log("s1", "code", 0)] == [1, 2]
    user = await store.get_user("u1")
    assert user is not None and user.email == "boss@example.com"
    token = await store.api_token_by_hash("hash1")
    assert token is not None and token.scopes == ("sessions:read",)


async def test_a_populated_version_2_sqlite_file_gets_the_audit_log_and_keeps_its_data(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pairboard.sqlite3"
    sqlite_release_2(path)
    store = SQLiteStore(path)
    await store.open()
    try:
        await assert_release_2_data_survived(store)
        first = await store.append_audit(ENTRY)
        second = await store.append_audit(ENTRY)
        assert second == first + 1
        [newest, oldest] = await store.read_audit(AuditQuery())
        assert (newest.id, oldest.id) == (second, first)
        assert (newest.kind, newest.actor, newest.ip, newest.resource) == (
            "auth.sign_in",
            Actor("member", "u1", "boss@example.com", "owner"),
            "10.0.0.7",
            "u1",
        )
    finally:
        await store.close()
    db = sqlite3.connect(path)
    try:
        assert db.execute("SELECT version FROM schema_version").fetchone()[0] == LATEST
        with pytest.raises(sqlite3.IntegrityError, match="the audit log is append-only"):
            db.execute("UPDATE audit SET actor_email='someone@else' WHERE id=?", (first,))
        with pytest.raises(sqlite3.IntegrityError, match="the audit log is append-only"):
            db.execute("DELETE FROM audit")
        assert db.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 2
    finally:
        db.close()
    again = SQLiteStore(path)  # a second start finds nothing to do and loses nothing
    await again.open()
    try:
        await assert_release_2_data_survived(again)
        assert len(await again.read_audit(AuditQuery())) == 2
    finally:
        await again.close()


async def test_a_populated_version_2_postgres_database_gets_the_audit_log_and_keeps_its_data(
    postgres_dsn: str,
) -> None:
    await postgres_at(postgres_dsn, 2, ROWS)
    for _ in range(2):  # the second start finds nothing to do and loses nothing
        store = PostgresStore(postgres_dsn)
        await store.open()
        try:
            await assert_release_2_data_survived(store)
            if not await store.read_audit(AuditQuery()):
                await store.append_audit(ENTRY)
            [entry] = await store.read_audit(AuditQuery())
            assert (entry.kind, entry.ip, entry.at_ms) == ("auth.sign_in", "10.0.0.7", 8000)
            assert await store._p().fetchval("SELECT version FROM schema_version") == LATEST
        finally:
            await store.close()
    conn = await asyncpg.connect(postgres_dsn)
    try:
        for sql in ("UPDATE audit SET ip='1.2.3.4'", "DELETE FROM audit", "TRUNCATE audit"):
            with pytest.raises(asyncpg.RaiseError, match="the audit log is append-only"):
                await conn.execute(sql)
        assert await conn.fetchval("SELECT COUNT(*) FROM audit") == 1
    finally:
        await conn.close()
