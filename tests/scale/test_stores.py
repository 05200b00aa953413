"""The shared stores: claims hold exactly once across instances; PostgreSQL keeps the contract."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from server.scale.build import build_store_and_fanout
from server.settings import Settings
from server.store.base import Checkpoint, LogEntry, NewEntry, SessionRecord, Store
from server.store.postgres import PostgresStore
from tests.scale.cluster import REDIS_URL, delete_prefix, require_redis
from tests.scale.postgres import fresh_database


@pytest.fixture(scope="module")
def postgres_dsn() -> Iterator[str]:
    yield from fresh_database()


@pytest.fixture
async def pg_store(postgres_dsn: str) -> AsyncIterator[PostgresStore]:
    store = PostgresStore(postgres_dsn)
    await store.open()
    yield store
    await store.close()


def entry(session_id: str, seq: int, data: bytes = b"x") -> LogEntry:
    return LogEntry(session_id, "code", seq, 1000 + seq, "ann", "candidate", "update", data)


@pytest.mark.redis
@pytest.mark.parametrize("durable", ["sqlite", "postgres"])
async def test_a_claim_is_won_exactly_once_across_two_instances(
    durable: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    require_redis()
    database_url = (
        request.getfixturevalue("postgres_dsn")
        if durable == "postgres"
        else f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    )
    prefix = f"pbtest:{uuid.uuid4().hex[:12]}:"
    settings = Settings(redis_url=REDIS_URL, redis_prefix=prefix, database_url=database_url)
    instances: list[Store] = [build_store_and_fanout(settings)[0] for _ in range(2)]
    try:
        for store in instances:
            await store.open()
        keys = [f"event-{i}" for i in range(25)]
        results = await asyncio.gather(
            *(store.claim("s1", key) for key in keys for store in instances)
        )
        won = dict.fromkeys(keys, 0)
        for (key, _), result in zip(
            [(k, s) for k in keys for s in instances], results, strict=True
        ):
            won[key] += int(result)
        assert won == dict.fromkeys(keys, 1)
        assert await instances[0].claim("s1", "event-0") is False
        assert await instances[1].claim("s2", "event-0") is True  # claims are per session
    finally:
        for store in instances:
            await store.close()
        delete_prefix(REDIS_URL, prefix)


async def test_postgres_assigns_seqs_in_commit_order_and_reads_them_back(
    pg_store: PostgresStore,
) -> None:
    sid = uuid.uuid4().hex
    seqs = await asyncio.gather(
        *(
            pg_store.append(NewEntry(sid, "code", 1, "ann", "candidate", "update", b"%d" % i))
            for i in range(20)
        )
    )
    assert sorted(seqs) == list(range(1, 21))
    assert await pg_store.last_seq(sid, "code") == 20
    await pg_store.import_entries([entry(sid, 21), entry(sid, 22)])
    log = await pg_store.read_log(sid, "code", 18)
    assert [e.seq for e in log] == [19, 20, 21, 22]
    assert [e.seq for e in await pg_store.read_log_range(sid, "code", 0, 5, limit=3)] == [1, 2, 3]
    assert await pg_store.read_log(sid, "code", 0, kind="run") == []
    assert await pg_store.log_docs(sid) == ["code"]


async def test_postgres_keeps_sessions_checkpoints_claims_and_deletes_them(
    pg_store: PostgresStore,
) -> None:
    sid = uuid.uuid4().hex
    record = SessionRecord(sid, "T", None, 5, "live", meta={"controls": {"editor_locked": True}})
    await pg_store.create_session(record)
    record.state, record.ended_at_ms = "ended", 9
    await pg_store.update_session(record)
    assert await pg_store.get_session(sid) == record
    await pg_store.write_checkpoint(Checkpoint(sid, "code", 3, b"s3"))
    await pg_store.write_checkpoint(Checkpoint(sid, "code", 7, b"s7"))
    assert await pg_store.latest_checkpoint(sid, "code") == Checkpoint(sid, "code", 7, b"s7")
    assert await pg_store.checkpoint_at_or_before(sid, "code", 5) == Checkpoint(
        sid, "code", 3, b"s3"
    )
    assert await pg_store.claim(sid, "k") is True
    assert await pg_store.claim(sid, "k") is False
    await pg_store.delete_session(sid)
    assert await pg_store.get_session(sid) is None
    assert await pg_store.latest_checkpoint(sid, "code") is None
    assert await pg_store.claim(sid, "k") is True
