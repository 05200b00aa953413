"""The Redis store and the mover in-process, against real Redis and a real SQLite file."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis
from pycrdt import Doc, Text

from server.scale.entries import Keys, decode_entry, id_after, merge_by_seq
from server.scale.mover import Mover
from server.scale.redis_store import RedisStore
from server.store.base import LogEntry, NewEntry
from server.store.sqlite import SQLiteStore
from tests.scale.cluster import REDIS_URL, delete_prefix, require_redis

pytestmark = pytest.mark.redis


def make_store(path: Path, prefix: str) -> RedisStore:
    from redis.asyncio import Redis

    return RedisStore(
        Redis.from_url(REDIS_URL),
        Keys(prefix),
        SQLiteStore(path),
        instance_id=uuid.uuid4().hex,
        retry_seconds=5,
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[RedisStore]:
    require_redis()
    prefix = f"pbtest:{uuid.uuid4().hex[:12]}:"
    s = make_store(tmp_path / "durable.sqlite3", prefix)
    await s.open()
    yield s
    await s.close()
    delete_prefix(REDIS_URL, prefix)


def typed_updates(texts: list[str]) -> list[bytes]:
    """One Yjs update per appended string, as an editor would send them."""
    doc: Doc[Any] = Doc()
    text = doc.get("source", type=Text)
    updates = []
    for piece in texts:
        before = doc.get_state()
        text += piece
        updates.append(doc.get_update(before))
    return updates


def new_entry(session_id: str, data: bytes) -> NewEntry:
    return NewEntry(session_id, "code", 1, "ann", "candidate", "update", data)


def text_of(*updates: bytes) -> str:
    doc: Doc[Any] = Doc()
    for update in updates:
        doc.apply_update(update)
    return str(doc.get("source", type=Text))


async def test_concurrent_appends_get_consecutive_seqs_in_stream_order(store: RedisStore) -> None:
    seqs = await asyncio.gather(*(store.append(new_entry("s", b"%d" % i)) for i in range(50)))
    assert sorted(seqs) == list(range(1, 51))
    entries = await store.stream_entries("s", "code")
    assert [e.seq for e in entries] == list(range(1, 51))  # stream order is seq order
    assert await store.last_seq("s", "code") == 50


async def test_the_mover_moves_checkpoints_and_trims_and_reads_stay_complete(
    store: RedisStore,
) -> None:
    pieces = [f"{i};" for i in range(12)]
    for update in typed_updates(pieces):
        await store.append(new_entry("s", update))
    mover = Mover(store, interval=0.1, batch=5, checkpoint_interval=10, retention=0)
    await mover.run_once()  # one batch of 5 per doc per round
    assert [e.seq for e in await store.durable.read_log("s", "code", 0)] == [1, 2, 3, 4, 5]
    # Half moved, half in the stream: a reader sees every entry exactly once.
    assert [e.seq for e in await store.read_log("s", "code", 0)] == list(range(1, 13))
    await mover.run_once()
    await mover.run_once()
    assert [e.seq for e in await store.durable.read_log("s", "code", 0)] == list(range(1, 13))
    assert await store.stream_entries("s", "code") == []
    checkpoint = await store.durable.latest_checkpoint("s", "code")
    assert checkpoint is not None and checkpoint.seq == 10
    assert text_of(checkpoint.state) == "".join(pieces[:10])
    r = redis.Redis.from_url(REDIS_URL)
    assert r.sismember(store.keys.docs, "s/code") == 0  # drained docs leave the work set


async def test_a_redis_that_lost_its_keys_never_reuses_a_durable_seq(
    store: RedisStore, tmp_path: Path
) -> None:
    for i in range(5):
        await store.append(new_entry("s", b"%d" % i))
    await Mover(store, interval=0.1, batch=100, checkpoint_interval=400, retention=0).run_once()
    delete_prefix(REDIS_URL, store.keys.prefix)  # Redis restarted without persistence
    fresh = make_store(tmp_path / "durable.sqlite3", store.keys.prefix)  # a new instance
    await fresh.open()
    try:
        assert await fresh.append(new_entry("s", b"after")) == 6
    finally:
        await fresh.close()


def test_stream_entries_decode_and_reject_exactly() -> None:
    fields = {
        b"seq": b"7",
        b"ts": b"1000",
        b"author": b"Ann",
        b"role": b"candidate",
        b"kind": b"update",
        b"data": b"\x01",
        b"origin": b"i1",
    }
    assert decode_entry("s", "code", fields) == (
        LogEntry("s", "code", 7, 1000, "Ann", "candidate", "update", b"\x01"),
        "i1",
    )
    for broken in ({**fields, b"seq": b"x"}, {**fields, b"seq": b"0"}, {b"junk": b"1"}):
        with pytest.raises(ValueError):
            decode_entry("s", "code", broken)
    assert id_after(b"1700-5") == "1700-6"
    one = LogEntry("s", "code", 1, 0, "a", "r", "update", b"stored")
    dup = LogEntry("s", "code", 1, 0, "a", "r", "update", b"streamed")
    two = LogEntry("s", "code", 2, 0, "a", "r", "update", b"2")
    assert merge_by_seq([one], [two, dup]) == [one, two]


async def test_a_tail_that_lagged_past_the_trim_repairs_its_gap_from_the_durable_store(
    store: RedisStore, tmp_path: Path
) -> None:
    from server.replay.records import AwarenessSampler
    from server.scale.redis_fanout import RedisFanout, _Follow
    from server.sync.room import Room

    other = make_store(tmp_path / "durable.sqlite3", store.keys.prefix)  # another instance
    await other.open()
    mover = Mover(store, interval=0.1, batch=100, checkpoint_interval=400, retention=0)
    # Not started: this test plays the tail's part by hand, at the worst moment.
    fanout = RedisFanout(store, mover, block_ms=100, read_batch=100, awareness_queue=10)
    try:
        sampler = AwarenessSampler(store, per_second=5, max_bytes=4096)  # never started
        room = Room("s", "code", store, checkpoint_interval=400, peers=fanout, awareness=sampler)
        await fanout.load(room)
        follow: _Follow = fanout._follows[store.keys.stream("s", "code")]
        pieces = ["one;", "two;", "three;", "four;"]
        updates = typed_updates(pieces)
        for update in updates[:3]:
            await other.append(new_entry("s", update))
        await mover.run_once()  # moved and trimmed before this instance's tail read them
        await other.append(new_entry("s", updates[3]))
        r = redis.Redis.from_url(REDIS_URL)
        reply = r.xread({store.keys.stream("s", "code"): follow.last_id})
        ((_, entries),) = reply
        assert [int(f[b"seq"]) for _, f in entries] == [4]  # 1..3 are gone from the stream

        await fanout._deliver(follow, entries)
        assert str(room.doc.get("source", type=Text)) == "one;two;three;four;"
        assert room.seq == 4
    finally:
        await other.close()
