"""Migration 4 (organisation settings) upgrades a populated version-3 database, SQLite and
PostgreSQL: sessions, log and audit entries stay; there are no settings until an owner saves
them; saving numbers notice versions (a new one only when the text or link changed) and keeps
every text shown, so an old acknowledgement's notice is still readable.

The version-3 database is made by the released migrations 1 to 3 themselves (never edited)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from server.audit.model import AuditQuery
from server.org.model import OrgSettings, notice_hash
from server.store.migrations import LATEST, MIGRATIONS
from server.store.postgres import PostgresStore
from server.store.sqlite import SQLiteStore, _statements
from tests.scale.postgres import fresh_database

RELEASE_3 = [m for m in MIGRATIONS if m.version <= 3]
SESSION = ("s1", "Old interview", None, 1000, "ended", 5000, '{"controls": {}}')
ENTRY = ("s1", "signals", 1, 1001, "ann", "candidate", "signal", b'{"kind":"blur"}')
AUDIT = (8000, "auth.sign_in", "member", "u1", "boss@example.com", "owner", "10.0.0.7", "u1", "{}")


async def assert_upgraded(store: SQLiteStore | PostgresStore) -> None:
    record = await store.get_session("s1")
    assert record is not None and record.title == "Old interview"
    assert [e.kind for e in await store.read_log("s1", "signals", 0)] == ["signal"]
    [entry] = await store.read_audit(AuditQuery())
    assert (entry.kind, entry.ip) == ("auth.sign_in", "10.0.0.7")
    assert await store.read_org_settings() is None
    first = OrgSettings(notice_enabled=True, notice_text="v1", recording_retention_days=30)
    before, saved = await store.save_org_settings(first, notice_hash("v1", None), 9000, "boss")
    assert before is None and saved.notice_version == 1
    same_notice = OrgSettings(notice_enabled=True, notice_text="v1", recording_retention_days=7)
    before, saved = await store.save_org_settings(
        same_notice, notice_hash("v1", None), 9100, "boss"
    )
    assert before is not None and before.settings.recording_retention_days == 30
    assert saved.notice_version == 1
    changed = OrgSettings(notice_text="v2", privacy_policy_url="https://ex.org/p")
    _, saved = await store.save_org_settings(
        changed, notice_hash("v2", "https://ex.org/p"), 9200, "boss"
    )
    assert saved.notice_version == 2
    stored = await store.read_org_settings()
    assert stored is not None
    assert (stored.settings, stored.notice_version, stored.updated_at_ms, stored.updated_by) == (
        changed,
        2,
        9200,
        "boss",
    )
    old = await store.notice_version(1)
    assert old is not None and (old.text, old.hash, old.privacy_url) == (
        "v1",
        notice_hash("v1", None),
        None,
    )
    assert await store.notice_version(3) is None


async def test_a_populated_version_3_sqlite_file_gets_org_settings_and_keeps_its_data(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pairboard.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for migration in RELEASE_3:
        for statement in _statements(migration.sqlite):
            db.execute(statement)
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.execute("INSERT INTO schema_version VALUES (3)")
    db.execute("INSERT INTO sessions VALUES (?,?,?,?,?,?,?)", SESSION)
    db.execute("INSERT INTO log VALUES (?,?,?,?,?,?,?,?)", ENTRY)
    db.execute(
        "INSERT INTO audit (at_ms, kind, actor_kind, actor_id, actor_email, actor_role, ip, "
        "resource, details) VALUES (?,?,?,?,?,?,?,?,?)",
        AUDIT,
    )
    db.close()
    store = SQLiteStore(path)
    await store.open()
    try:
        await assert_upgraded(store)
        assert await store.delete_record_log("s1", "signals") == 1
        assert await store.read_log("s1", "signals", 0) == []
    finally:
        await store.close()
    db = sqlite3.connect(path)
    try:
        assert db.execute("SELECT version FROM schema_version").fetchone()[0] == LATEST
        with pytest.raises(sqlite3.IntegrityError):  # one row of settings, ever
            db.execute("INSERT INTO org_settings VALUES (2, '{}', 1, 0, NULL)")
    finally:
        db.close()


@pytest.fixture
def postgres_dsn() -> Iterator[str]:
    yield from fresh_database()


async def test_a_populated_version_3_postgres_database_gets_org_settings_and_keeps_its_data(
    postgres_dsn: str,
) -> None:
    conn = await asyncpg.connect(postgres_dsn)
    try:
        for migration in RELEASE_3:
            await conn.execute(migration.postgres)
        await conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        await conn.execute("INSERT INTO schema_version VALUES (3)")
        await conn.execute("INSERT INTO sessions VALUES ($1,$2,$3,$4,$5,$6,$7)", *SESSION)
        await conn.execute("INSERT INTO log VALUES ($1,$2,$3,$4,$5,$6,$7,$8)", *ENTRY)
        await conn.execute(
            "INSERT INTO audit (at_ms, kind, actor_kind, actor_id, actor_email, actor_role, ip, "
            "resource, details) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            *AUDIT,
        )
    finally:
        await conn.close()
    store = PostgresStore(postgres_dsn)
    await store.open()
    try:
        await assert_upgraded(store)
        assert await store.delete_record_log("s1", "signals") == 1
        assert await store._p().fetchval("SELECT version FROM schema_version") == LATEST
    finally:
        await store.close()
