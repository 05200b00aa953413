"""The webhooks migration upgrades a populated database of the release before it (schema 3:
sessions, log, users, audit entries), SQLite and PostgreSQL, to `LATEST`: the data stays and
the queue works. The earlier schema is made by the released migrations themselves."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from server.audit.model import AuditQuery
from server.store.migrations import LATEST
from server.store.postgres import PostgresStore
from server.store.sqlite import SQLiteStore
from server.webhooks.model import Event, NewDelivery, Webhook
from tests.support.old_schema import AUDIT_COLUMNS, postgres_at, sqlite_at

SESSION = ("s1", "Old interview", None, 1000, "ended", 5000, '{"controls": {}}')
ENTRY = ("s1", "code", 1, 1001, "ann", "candidate", "update", b"u")
USER = ("u1", "boss@example.com", "Boss", "owner", "$argon2id$x", None, 7000, None)
AUDIT = (8000, "auth.sign_in", "member", "u1", "boss@example.com", "owner", "10.0.0.7", "u1", "{}")
ROWS = [("sessions", SESSION), ("log", ENTRY), ("users", USER), (AUDIT_COLUMNS, AUDIT)]
WEBHOOK = Webhook("wh_1", "https://ats.example.com/", (Event.SCORECARD_SUBMITTED,), "k", 9, "u1")


async def check_upgraded(store: SQLiteStore | PostgresStore) -> None:
    record = await store.get_session("s1")
    assert record is not None and record.title == "Old interview"
    assert [e.seq for e in await store.read_log("s1", "code", 0)] == [1]
    user = await store.get_user("u1")
    assert user is not None and user.email == "boss@example.com"
    [entry] = await store.read_audit(AuditQuery())
    assert (entry.kind, entry.ip) == ("auth.sign_in", "10.0.0.7")
    if not await store.list_webhooks():  # the first start: the new tables take rows
        await store.add_webhook(WEBHOOK)
        await store.enqueue_deliveries(
            [NewDelivery("whd_1", "wh_1", Event.SCORECARD_SUBMITTED, "s1", "{}", 10)]
        )
        [leased] = await store.lease_deliveries("A", 10**12, 10**12 + 1, 5)
        assert (leased.id, leased.url) == ("whd_1", WEBHOOK.url)
    assert await store.list_webhooks() == [WEBHOOK]
    found = await store.get_delivery("whd_1")
    assert found is not None and found[0].state == "pending"


async def test_a_populated_schema_3_sqlite_file_gets_the_webhook_queue_and_keeps_its_data(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pairboard.sqlite3"
    sqlite_at(path, 3, ROWS)
    for _ in range(2):  # the second start finds nothing to do and loses nothing
        store = SQLiteStore(path)
        await store.open()
        try:
            await check_upgraded(store)
        finally:
            await store.close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchone()[0] == LATEST
    db.close()


async def test_a_populated_schema_3_postgres_database_gets_the_webhook_queue_and_keeps_its_data(
    postgres_dsn: str,
) -> None:
    await postgres_at(postgres_dsn, 3, ROWS)
    for _ in range(2):
        store = PostgresStore(postgres_dsn)
        await store.open()
        try:
            await check_upgraded(store)
            assert await store._p().fetchval("SELECT version FROM schema_version") == LATEST
        finally:
            await store.close()
