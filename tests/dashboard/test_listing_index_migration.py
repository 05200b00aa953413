"""Migration 6 gives a populated database of the release before it (schema 5), SQLite and
PostgreSQL, the index the dashboard's listing reads in (`sessions (created_at_ms, id)`): the
sessions stay, they list in the same order, and the listing's page query walks the index
instead of sorting the table. The earlier schema is made by the released migrations themselves.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg

from server.permissions import ListingView
from server.session_query import POSTGRES, SQLITE, SessionQuery, select
from server.store.migrations import LATEST
from server.store.postgres import PostgresStore
from server.store.sqlite import SQLiteStore
from tests.support.old_schema import postgres_at, sqlite_at

# Two sessions created in the same millisecond: ties go by id, newest (highest) first.
SESSIONS = [
    ("s1", "Oldest", None, 1000, "ended", 5000, "{}"),
    ("s2", "Tied a", None, 2000, "live", None, "{}"),
    ("s3", "Tied b", None, 2000, "live", None, "{}"),
]
LISTED = ["s3", "s2", "s1"]
ALL = SessionQuery(ListingView(sees_all=True), limit=50)


async def listed(store: SQLiteStore | PostgresStore) -> list[str]:
    records, total = await store.query_sessions(ALL)
    assert total == len(SESSIONS)
    return [r.id for r in records]


async def test_a_populated_schema_5_sqlite_file_gets_the_listing_index_and_keeps_its_order(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pairboard.sqlite3"
    sqlite_at(path, 5, [("sessions", s) for s in SESSIONS])
    for _ in range(2):  # the second start finds nothing to do and loses nothing
        store = SQLiteStore(path)
        await store.open()
        try:
            assert await listed(store) == LISTED
        finally:
            await store.close()
    db = sqlite3.connect(path)
    try:
        assert db.execute("SELECT version FROM schema_version").fetchone()[0] == LATEST == 6
        page, _, args = select(ALL, SQLITE)
        plan = " | ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {page}", args))
        assert plan == "SCAN sessions USING INDEX sessions_by_created"  # no sort of the table
    finally:
        db.close()


async def test_a_populated_schema_5_postgres_database_gets_the_listing_index_and_keeps_its_order(
    postgres_dsn: str,
) -> None:
    await postgres_at(postgres_dsn, 5, [("sessions", s) for s in SESSIONS])
    for _ in range(2):
        store = PostgresStore(postgres_dsn)
        await store.open()
        try:
            assert await listed(store) == LISTED
            assert await store._p().fetchval("SELECT version FROM schema_version") == LATEST
        finally:
            await store.close()
    conn = await asyncpg.connect(postgres_dsn)
    try:
        definition = await conn.fetchval(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'sessions_by_created'"
        )
        assert definition.endswith("ON public.sessions USING btree (created_at_ms, id)")
        # Three rows cost less to sort than to walk an index: with the sequential scan ruled
        # out, the plan says whether the index serves the listing's order without a sort.
        await conn.execute("SET enable_seqscan = off")
        page, _, args = select(ALL, POSTGRES)
        plan = [r[0] for r in await conn.fetch(f"EXPLAIN {page}", *args)]
        assert any("Index Scan Backward using sessions_by_created" in line for line in plan), plan
        assert not any("Sort" in line for line in plan), plan
    finally:
        await conn.close()
