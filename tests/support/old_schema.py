"""A populated database at an earlier schema version, for the tests that upgrade one.

The earlier schema is made by the released migrations themselves (never a hand-written copy of
it), `schema_version` says which, and the rows a test wants to see survive go in. Each row is a
target (a table name, or a table with its column list) and its values."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import asyncpg

from server.store.migrations import MIGRATIONS
from server.store.sqlite import _statements

Row = tuple[str, Sequence[object]]

AUDIT_COLUMNS = (
    "audit (at_ms, kind, actor_kind, actor_id, actor_email, actor_role, ip, resource, details)"
)
"""The audit table takes its id from a sequence: rows name the other columns."""


def sqlite_at(path: Path, version: int, rows: Sequence[Row]) -> None:
    """A SQLite file at `version`, holding `rows`."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for migration in (m for m in MIGRATIONS if m.version <= version):
            for statement in _statements(migration.sqlite):
                db.execute(statement)
        db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        db.execute("INSERT INTO schema_version VALUES (?)", (version,))
        for target, values in rows:
            db.execute(f"INSERT INTO {target} VALUES ({','.join('?' * len(values))})", values)
    finally:
        db.close()


async def postgres_at(dsn: str, version: int, rows: Sequence[Row]) -> None:
    """A PostgreSQL database at `version`, holding `rows`."""
    conn = await asyncpg.connect(dsn)
    try:
        for migration in (m for m in MIGRATIONS if m.version <= version):
            await conn.execute(migration.postgres)
        await conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        await conn.execute("INSERT INTO schema_version VALUES ($1)", version)
        for target, values in rows:
            marks = ",".join(f"${n}" for n in range(1, len(values) + 1))
            await conn.execute(f"INSERT INTO {target} VALUES ({marks})", *values)
    finally:
        await conn.close()
