"""What the queue and sender tests share: two stores on one database, as two instances have.

On SQLite, two stores opened on one file (two processes would do the same); on PostgreSQL, two
pools on one fresh database. The tests race them against each other."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.store.postgres import PostgresStore
from server.store.sqlite import SQLiteStore

Store = SQLiteStore | PostgresStore


@pytest.fixture(params=["sqlite", "postgres"])
async def two_stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Store, Store]]:
    if request.param == "sqlite":
        path = tmp_path / "pairboard.sqlite3"
        stores: tuple[Store, Store] = (SQLiteStore(path), SQLiteStore(path))
    else:
        dsn = request.getfixturevalue("postgres_dsn")
        stores = (PostgresStore(dsn, pool_size=4), PostgresStore(dsn, pool_size=4))
    for store in stores:
        await store.open()
    try:
        yield stores
    finally:
        for store in stores:
            await store.close()
