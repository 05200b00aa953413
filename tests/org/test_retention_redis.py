"""Signal retention behind Redis streams (real Redis, the mover, a real SQLite file): the pass
removes an ended session's signals from the durable store and from what its stream still
holds, keeps its code, and keeps the seq counter, so a seq is never handed out twice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from server.documents import RecordDoc
from server.org.model import DAY_MS, RetentionPolicy
from server.replay.retention import retention_pass
from server.scale.entries import Keys
from server.scale.mover import Mover
from server.scale.redis_store import RedisStore
from server.store.base import NewEntry, SessionRecord
from server.store.sqlite import SQLiteStore
from tests.scale.cluster import REDIS_URL, delete_prefix, require_redis

pytestmark = pytest.mark.redis
T0 = 1_700_000_000_000


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[RedisStore]:
    require_redis()
    prefix = f"pbtest:{uuid.uuid4().hex[:12]}:"
    s = RedisStore(Redis.from_url(REDIS_URL), Keys(prefix), SQLiteStore(tmp_path / "d.sqlite3"),
                   instance_id=uuid.uuid4().hex, retry_seconds=5)  # fmt: skip
    await s.open()
    yield s
    await s.close()
    delete_prefix(REDIS_URL, prefix)


async def test_signals_leave_the_durable_store_and_the_stream_and_seqs_go_on(
    store: RedisStore,
) -> None:
    ended = SessionRecord("old", "t", None, T0, "ended", ended_at_ms=T0 + 3600_000)
    live = SessionRecord("live", "t", None, T0, "live")
    for record in (ended, live):
        await store.create_session(record)
        await store.append(NewEntry(record.id, "code", T0, "a", "candidate", "update", b"\0\0"))
        for _ in range(3):
            await store.append(
                NewEntry(record.id, RecordDoc.SIGNALS, T0, "a", "candidate", "signal", b"{}")
            )
    # Moved to the durable store, and (retention 600 s) still in the streams too.
    await Mover(store, interval=0.1, batch=100, checkpoint_interval=400, retention=600).run_once()
    assert len(await store.durable.read_log_range("old", RecordDoc.SIGNALS, 0)) == 3
    assert len(await store.stream_entries("old", RecordDoc.SIGNALS)) == 3

    now = T0 + 10 * DAY_MS
    purged = await retention_pass(store, RetentionPolicy(30, 7), lambda _: False, now)
    assert (purged.signals, purged.recordings) == ({"old": 3}, [])
    assert await store.read_log_range("old", RecordDoc.SIGNALS, 0) == []
    assert await store.stream_entries("old", RecordDoc.SIGNALS) == []
    assert [e.kind for e in await store.read_log_range("old", "code", 0)] == ["update"]
    assert len(await store.read_log_range("live", RecordDoc.SIGNALS, 0)) == 3  # not ended
    seq = await store.append(NewEntry("old", RecordDoc.SIGNALS, now, "a", "x", "signal", b"{}"))
    assert seq == 4
    again = await retention_pass(store, RetentionPolicy(30, 7), lambda _: True, now)
    assert again.signals == {}  # a session in use is left alone
    assert [e.seq for e in await store.read_log_range("old", RecordDoc.SIGNALS, 0)] == [4]
