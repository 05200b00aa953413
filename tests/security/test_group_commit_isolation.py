"""One entry the database refuses fails only its own write, never the batch it shared.

The attack: a reviewer named "\\udc80" (a lone surrogate; no UTF-8 encoder accepts it) whose
cursor samples landed in the same group commit as other sessions' edits. Each store is real:
SQLite on disk, PostgreSQL on the machine's server, Redis (scale-out) in front of SQLite.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from server.scale.entries import Keys
from server.scale.redis_store import RedisStore
from server.store.base import EntriesRefused, LogEntry, NewEntry
from server.store.postgres import PostgresStore
from server.store.sqlite import SQLiteStore
from tests.scale.cluster import REDIS_URL, delete_prefix, require_redis
from tests.scale.postgres import fresh_database

BAD_AUTHOR = "\udc80"
GOOD_SESSIONS = [f"good{i}" for i in range(5)]


def new_entry(session_id: str, author: str) -> NewEntry:
    return NewEntry(session_id, "code", 1000, author, "reviewer", "update", b"\x00\x00")


async def append_batch(store: SQLiteStore | RedisStore) -> list[int | BaseException]:
    """Good entries of five sessions around one bad one, appended concurrently: they reach the
    store's pending list before its first commit runs, so they share one group commit."""
    entries = [new_entry(s, "Ann") for s in GOOD_SESSIONS[:2]]
    entries.append(new_entry("bad", BAD_AUTHOR))
    entries += [new_entry(s, "Ann") for s in GOOD_SESSIONS[2:]]
    return await asyncio.gather(*(store.append(e) for e in entries), return_exceptions=True)


def assert_only_the_bad_one_failed(results: list[int | BaseException]) -> None:
    good = results[:2] + results[3:]
    assert good == [1, 1, 1, 1, 1]
    assert isinstance(results[2], UnicodeEncodeError)


async def test_sqlite_group_commit_fails_only_the_entry_it_cannot_encode(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "store.sqlite3")
    await store.open()
    try:
        assert_only_the_bad_one_failed(await append_batch(store))
        for session_id in GOOD_SESSIONS:
            assert [e.seq for e in await store.read_log(session_id, "code", 0)] == [1]
        assert await store.read_log("bad", "code", 0) == []
        # The refused entry's seq was not burnt: the next good entry of that doc gets seq 1.
        assert await store.append(new_entry("bad", "Ann")) == 1
    finally:
        await store.close()


@pytest.fixture(scope="module")
def postgres_dsn() -> Iterator[str]:
    yield from fresh_database()


async def test_postgres_import_writes_every_entry_but_the_one_it_refuses(
    postgres_dsn: str,
) -> None:
    store = PostgresStore(postgres_dsn)
    await store.open()
    try:
        entries = [
            LogEntry(s, "code", 1, 1000, "Ann", "candidate", "update", b"\x00\x00")
            for s in GOOD_SESSIONS
        ]
        bad = LogEntry("bad", "code", 1, 1000, BAD_AUTHOR, "reviewer", "update", b"\x00\x00")
        with pytest.raises(EntriesRefused) as refused:
            await store.import_entries([*entries[:2], bad, *entries[2:]])
        assert [entry for entry, _ in refused.value.refused] == [bad]
        for session_id in GOOD_SESSIONS:
            assert [e.seq for e in await store.read_log(session_id, "code", 0)] == [1]
        assert await store.read_log("bad", "code", 0) == []
    finally:
        await store.close()


@pytest.fixture
async def redis_store(tmp_path: Path) -> AsyncIterator[RedisStore]:
    require_redis()
    prefix = f"pbtest:{uuid.uuid4().hex[:12]}:"
    store = RedisStore(
        Redis.from_url(REDIS_URL),
        Keys(prefix),
        SQLiteStore(tmp_path / "durable.sqlite3"),
        instance_id=uuid.uuid4().hex,
        retry_seconds=5,
    )
    await store.open()
    yield store
    await store.close()
    delete_prefix(REDIS_URL, prefix)


@pytest.mark.redis
async def test_redis_group_commit_fails_only_the_entry_it_cannot_encode(
    redis_store: RedisStore,
) -> None:
    assert_only_the_bad_one_failed(await append_batch(redis_store))
    for session_id in GOOD_SESSIONS:
        assert [e.seq for e in await redis_store.read_log(session_id, "code", 0)] == [1]
