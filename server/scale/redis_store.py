"""The scale-out store: Redis streams as the commit point, a shared durable store behind them.

`append` runs one Lua script that INCRs the doc's seq and XADDs the entry (with the origin
instance) atomically, so a seq is assigned and committed in one step and stream order is seq
order. With Redis on AOF `appendfsync always`, an entry is durable once XADD returned: that is
what "acknowledged" means here. The mover (`server/scale/mover.py`) then copies entries into the
durable store (PostgreSQL, or one SQLite file per deployment) and trims the stream.

Everything else (sessions, checkpoints, claims) goes straight to the durable store, which every
instance shares: a claim is a primary-key insert there, so it holds exactly once across instances.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from redis.asyncio import Redis

from server.scale.entries import BadEntry, Keys, decode_entry, doc_member, merge_by_seq
from server.scale.retry import TRANSIENT, with_retry
from server.store.base import Checkpoint, LogEntry, NewEntry, SessionRecord, Store

log = logging.getLogger(__name__)

# KEYS: seq counter, stream, docs set. ARGV: ts, author, role, kind, data, origin, floor, member.
# `floor` is the durable store's last seq of the doc, so a Redis that lost its keys (or a doc
# imported straight into the durable store) never hands out a seq that is already taken.
APPEND_LUA = """
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(ARGV[7])
if seq < floor then seq = floor end
seq = seq + 1
redis.call('SET', KEYS[1], seq)
local id = redis.call('XADD', KEYS[2], '*', 'seq', seq, 'ts', ARGV[1], 'author', ARGV[2],
  'role', ARGV[3], 'kind', ARGV[4], 'data', ARGV[5], 'origin', ARGV[6])
redis.call('SADD', KEYS[3], ARGV[8])
return {seq, id}
"""

# KEYS: seq counter, stream. Returns the doc's seq and the id of the stream entry carrying it,
# read together: a reader that starts tailing after that id misses nothing and skips nothing.
POSITION_LUA = """
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if #last == 0 then return {seq, '0-0'} end
return {seq, last[1][1]}
"""


def _glob_escape(text: str) -> str:
    """`text` matched literally by a Redis glob pattern."""
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)


class RedisStore:
    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        durable: Store,
        *,
        instance_id: str,
        retry_seconds: float,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.durable = durable
        self.instance_id = instance_id
        self.retry_seconds = retry_seconds
        self._position_script = redis.register_script(POSITION_LUA)
        self._floors: dict[tuple[str, str], int] = {}
        # Sessions this instance erased: a late append (a cursor sample of a page just closed,
        # a run's last output) must not create their streams again.
        self._erased: set[str] = set()
        self._pending: list[tuple[NewEntry, int, asyncio.Future[int]]] = []
        self._committer: asyncio.Task[None] | None = None

    async def open(self) -> None:
        await self.durable.open()
        await with_retry("connecting", self.redis.ping, self.retry_seconds)

    async def close(self) -> None:
        if self._committer is not None:
            await self._committer  # it runs until nothing is pending
        await self.redis.aclose()  # the store owns the client; the fan-out closed before it
        await self.durable.close()

    # --- sessions, checkpoints, claims: the shared durable store ------------------------------

    async def create_session(self, record: SessionRecord) -> None:
        await self.durable.create_session(record)

    async def get_session(self, session_id: str) -> SessionRecord | None:
        return await self.durable.get_session(session_id)

    async def list_sessions(self) -> list[SessionRecord]:
        return await self.durable.list_sessions()

    async def update_session(self, record: SessionRecord) -> None:
        await self.durable.update_session(record)

    async def write_checkpoint(self, checkpoint: Checkpoint) -> None:
        await self.durable.write_checkpoint(checkpoint)

    async def latest_checkpoint(self, session_id: str, doc: str) -> Checkpoint | None:
        return await self.durable.latest_checkpoint(session_id, doc)

    async def claim(self, session_id: str, key: str) -> bool:
        return await self.durable.claim(session_id, key)

    async def import_entries(self, entries: list[LogEntry]) -> None:
        await self.durable.import_entries(entries)

    # --- replay: the durable store, plus what is still in the stream where it matters ----------

    async def read_log_range(
        self,
        session_id: str,
        doc: str,
        after_seq: int,
        upto_seq: int | None = None,
        *,
        kind: str | None = None,
        limit: int | None = None,
    ) -> list[LogEntry]:
        streamed = await self.stream_entries(session_id, doc)
        stored = await self.durable.read_log_range(
            session_id, doc, after_seq, upto_seq, kind=kind, limit=limit
        )
        streamed = [
            e
            for e in streamed
            if e.seq > after_seq
            and (upto_seq is None or e.seq <= upto_seq)
            and (kind is None or e.kind == kind)
        ]
        merged = merge_by_seq(stored, streamed)
        return merged if limit is None else merged[:limit]

    async def seq_at(self, session_id: str, doc: str, ts_ms: int) -> int:
        streamed = [e.seq for e in await self.stream_entries(session_id, doc) if e.ts_ms <= ts_ms]
        stored = await self.durable.seq_at(session_id, doc, ts_ms)
        return max([stored, *streamed])

    async def checkpoint_at_or_before(
        self, session_id: str, doc: str, seq: int
    ) -> Checkpoint | None:
        return await self.durable.checkpoint_at_or_before(session_id, doc, seq)

    async def list_checkpoints(self, session_id: str, doc: str) -> list[Checkpoint]:
        return await self.durable.list_checkpoints(session_id, doc)

    async def log_docs(self, session_id: str) -> list[str]:
        return await self.durable.log_docs(session_id)

    async def activity(
        self, session_id: str, origin_ms: int, bucket_ms: int, docs: list[str]
    ) -> list[tuple[str, str, str, int, int]]:
        """Counts over moved entries (the mover trails the stream by well under a second)."""
        return await self.durable.activity(session_id, origin_ms, bucket_ms, docs)

    async def import_session(
        self, record: SessionRecord, entries: list[LogEntry], checkpoints: list[Checkpoint]
    ) -> None:
        await self.durable.import_session(record, entries, checkpoints)

    async def delete_session(self, session_id: str) -> None:
        await self.durable.delete_session(session_id)
        for key in [k for k in self._floors if k[0] == session_id]:
            del self._floors[key]

    async def delete_record_log(self, session_id: str, doc: str) -> int:
        """The durable store's entries and what the stream still holds (an ended session's
        stream was moved and trimmed long ago; its seq counter stays, so no seq is reused)."""
        removed = await self.durable.delete_record_log(session_id, doc)
        await self.redis.delete(self.keys.stream(session_id, doc))
        return removed

    async def erase_streams(self, session_id: str) -> int:
        """An erase (`server/privacy/erase.py`): delete every stream and seq counter of the
        session and its members of the mover's doc set; the number of keys deleted. Runs after
        the durable erase wrote its tombstone, so the mover importing what it read before
        writes nothing."""
        self._erased.add(session_id)
        pattern = _glob_escape(session_id)
        keys: list[Any] = []
        for kind in ("seq", "log"):
            match = f"{self.keys.prefix}{kind}:{pattern}:*"
            keys.extend([k async for k in self.redis.scan_iter(match=match, count=1000)])
        members = [
            m async for m in self.redis.sscan_iter(self.keys.docs, match=f"{pattern}/*", count=1000)
        ]
        deleted = 0
        if keys:
            deleted = int(await self.redis.delete(*keys))
        if members:
            await self.redis.srem(self.keys.docs, *members)
        for key in [k for k in self._floors if k[0] == session_id]:
            del self._floors[key]
        return deleted

    # --- the log --------------------------------------------------------------------------------

    async def _floor(self, session_id: str, doc: str) -> int:
        key = (session_id, doc)
        if key not in self._floors:
            self._floors[key] = await self.durable.last_seq(session_id, doc)
        return self._floors[key]

    async def append(self, entry: NewEntry) -> int:
        """Group commit, as on SQLite: appends that arrive while a pipeline is in flight go out
        together in the next one (one round trip, many scripts; Redis runs them in order)."""
        if entry.session_id in self._erased:
            raise ValueError(f"session {entry.session_id} was erased")
        floor = await self._floor(entry.session_id, entry.doc)
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append((entry, floor, done))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_loop())
        return await done

    async def _commit_loop(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                # A retry after a lost reply may commit an entry twice: harmless for Yjs updates
                # (applying one twice is a no-op), far better than dropping an acknowledged edit.
                results = await with_retry(
                    f"append of {len(batch)} entries",
                    lambda batch=batch: self._send(batch),  # type: ignore[misc]
                    self.retry_seconds,
                )
            except TRANSIENT as exc:  # Redis stayed away past the retry deadline
                for _, _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            except Exception as exc:
                # The batch could not even be sent (an entry redis-py cannot encode, say): each
                # entry goes alone, so only the bad one fails, never the others sharing its batch.
                results = [exc] if len(batch) == 1 else [await self._send_alone(i) for i in batch]
            for (_, _, done), result in zip(batch, results, strict=True):
                if done.done():
                    continue
                if isinstance(result, Exception):
                    done.set_exception(result)
                else:
                    done.set_result(int(result[0]))

    async def _send_alone(self, item: tuple[NewEntry, int, asyncio.Future[int]]) -> Any:
        try:
            return (await with_retry("append", lambda: self._send([item]), self.retry_seconds))[0]
        except Exception as exc:
            return exc

    async def _send(self, batch: list[tuple[NewEntry, int, asyncio.Future[int]]]) -> list[Any]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for e, floor, _ in batch:
                # EVAL, not EVALSHA: after a Redis restart the script cache is empty, and EVAL
                # needs no reload round trip (Redis caches the compiled script by its hash).
                pipe.eval(
                    APPEND_LUA,
                    3,
                    self.keys.seq(e.session_id, e.doc),
                    self.keys.stream(e.session_id, e.doc),
                    self.keys.docs,
                    e.ts_ms,
                    e.author,
                    e.role,
                    e.kind,
                    e.data,
                    self.instance_id,
                    floor,
                    doc_member(e.session_id, e.doc),
                )
            results: list[Any] = await pipe.execute(raise_on_error=False)
        return results

    async def position(self, session_id: str, doc: str) -> tuple[int, bytes]:
        """(last seq, stream id of its entry): where a reader that has everything so far stands."""
        keys = [self.keys.seq(session_id, doc), self.keys.stream(session_id, doc)]
        result = await with_retry(
            f"position of {session_id}/{doc}",
            lambda: self._position_script(keys=keys),
            self.retry_seconds,
        )
        last_id = result[1]
        return int(result[0]), last_id if isinstance(last_id, bytes) else str(last_id).encode()

    async def stream_entries(self, session_id: str, doc: str) -> list[LogEntry]:
        """Entries still in the doc's stream (committed, maybe not yet moved); bad ones skipped."""
        key = self.keys.stream(session_id, doc)
        raw: Any = await with_retry(
            f"reading {key}", lambda: self.redis.xrange(key, "-", "+"), self.retry_seconds
        )
        entries = []
        for stream_id, fields in raw:
            try:
                entries.append(decode_entry(session_id, doc, fields)[0])
            except BadEntry as exc:
                log.error("skipping stream entry %r: %s", stream_id, exc)
        return entries

    async def read_log(
        self, session_id: str, doc: str, after_seq: int, *, kind: str | None = None
    ) -> list[LogEntry]:
        # Stream first, durable store second: an entry the mover trims from the stream in between
        # is already in the durable store by then, so the union misses nothing.
        streamed = await self.stream_entries(session_id, doc)
        stored = await self.durable.read_log(session_id, doc, after_seq, kind=kind)
        streamed = [e for e in streamed if e.seq > after_seq and (kind is None or e.kind == kind)]
        return merge_by_seq(stored, streamed)

    async def last_seq(self, session_id: str, doc: str) -> int:
        counter, _ = await self.position(session_id, doc)
        stored = await self.durable.last_seq(session_id, doc)
        return max(counter, stored)
