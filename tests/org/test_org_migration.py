"""Migration 4 (organisation settings) upgrades a populated version-3 database, SQLite and
PostgreSQL: sessions, log and audit entries stay; there are no settings until an owner saves
them; saving numbers notice versions (a new one only when the text or link changed) and keeps
every text shown, so an old acknowledgement's notice is still readable.

The version-3 database is made by the released migrations 1 to 3 themselves (never edited)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from server.audit.model import AuditQuery
from server.org.model import OrgSettings, notice_hash
from server.store.migrations import LATEST
from server.store.postgres import PostgresStore
from server.store.sqlite import SQLiteStore
from tests.support.old_schema import AUDIT_COLUMNS, postgres_at, sqlite_at

SESSION = ("s1", "Old interview", None, 1000, "ended", 5000, '{"controls": {}}')
ENTRY = ("s1", "signals", 1, 1001, "ann", "candidate", "signal", b'{"kind":"blur"}')
AUDIT = (8000, "auth.sign_in", "member", "u1", "boss@example.com", "owner", "10.0.0.7", "u1", "{}")
ROWS = [("sessions", SESSION), ("log", ENTRY), (AUDIT_COLUMNS, AUDIT)]


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
    sqlite_at(path, 3, ROWS)
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


async def test_a_populated_version_3_postgres_database_gets_org_settings_and_keeps_its_data(
    postgres_dsn: str,
) -> None:
    await postgres_at(postgres_dsn, 3, ROWS)
    store = PostgresStore(postgres_dsn)
    await store.open()
    try:
        await assert_upgraded(store)
        assert await store.delete_record_log("s1", "signals") == 1
        assert await store._p().fetchval("SELECT version FROM schema_version") == LATEST
    finally:
        await store.close()
