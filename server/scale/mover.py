"""The mover: copies committed stream entries into the durable store, checkpoints, then trims.

Every instance runs one; a Redis lease lets one of them work at a time (if its holder dies the
lease lapses and another takes over). Each round walks the docs whose streams may hold entries:
for each it imports the entries the durable store lacks, writes a checkpoint once enough updates
accumulated since the last one, and only then trims what it moved from the stream. A failure in
one doc (a corrupt entry, a constraint error) is logged and that doc retried next round: it never
stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from pycrdt import merge_updates

from server.scale.entries import BadEntry, decode_entry, id_after, parse_member
from server.scale.redis_store import RedisStore
from server.scale.retry import TRANSIENT, backoff
from server.store.base import Checkpoint

log = logging.getLogger(__name__)

# KEYS: stream, docs set. ARGV: member, minid. Trim what was moved, and forget the doc once its
# stream is empty. Atomic with appends (also scripts), so a doc is never forgotten while it holds
# an entry.
TRIM_LUA = """
redis.call('XTRIM', KEYS[1], 'MINID', ARGV[2])
if redis.call('XLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
return 1
"""

# KEYS: lease. ARGV: instance, ttl ms. Take the lease if free, renew it if ours.
LEASE_LUA = """
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""


class Mover:
    def __init__(
        self,
        store: RedisStore,
        *,
        interval: float,
        batch: int,
        checkpoint_interval: int,
    ) -> None:
        self.store = store
        self.interval = interval
        self.batch = batch
        self.checkpoint_interval = checkpoint_interval
        self._trim = store.redis.register_script(TRIM_LUA)
        self._lease = store.redis.register_script(LEASE_LUA)
        self._moved: dict[tuple[str, str], int] = {}  # last seq known to be durable, per doc
        self._checkpointed: dict[tuple[str, str], int] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="redis-mover")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        failures = 0
        while True:
            try:
                lease_ms = int(max(self.interval * 20, 5.0) * 1000)
                if await self._lease(
                    keys=[self.store.keys.mover], args=[self.store.instance_id, lease_ms]
                ):
                    await self.run_once()
                failures = 0
                await asyncio.sleep(self.interval)
            except TRANSIENT as exc:
                failures += 1
                if failures == 1:
                    log.warning("mover: redis unavailable (%s)", exc)
                await asyncio.sleep(backoff(failures))
            except Exception:
                log.exception("mover round failed")
                await asyncio.sleep(self.interval)

    async def run_once(self) -> None:
        """One pass over every doc with stream entries; returns when each was tried once."""
        members = await self.store.redis.smembers(self.store.keys.docs)
        for member in sorted(members):
            try:
                session_id, doc = parse_member(member)
                while await self.move_doc(session_id, doc):
                    pass
            except TRANSIENT:
                raise
            except Exception:
                log.exception("mover: doc %r failed; retrying next round", member)
                with contextlib.suppress(BadEntry):
                    self._moved.pop(parse_member(member), None)

    async def move_doc(self, session_id: str, doc: str) -> bool:
        """Move one batch of one doc; True if a full batch was moved (more may be waiting)."""
        store, key = self.store, (session_id, doc)
        stream = store.keys.stream(session_id, doc)
        raw: Any = await store.redis.xrange(stream, "-", "+", count=self.batch)
        if not raw:
            await self._trim(keys=[stream, store.keys.docs], args=[f"{session_id}/{doc}", "0-1"])
            return False
        if key not in self._moved:
            self._moved[key] = await store.durable.last_seq(session_id, doc)
        durable_last = self._moved[key]
        fresh = []
        for stream_id, fields in raw:
            try:
                entry, _ = decode_entry(session_id, doc, fields)
            except BadEntry as exc:
                log.error("mover: dropping stream entry %r: %s", stream_id, exc)
                continue
            if entry.seq > durable_last:
                fresh.append(entry)
                durable_last = entry.seq
        if fresh:
            await store.durable.import_entries(fresh)
            self._moved[key] = durable_last
            await self._maybe_checkpoint(session_id, doc, durable_last)
        await self._trim(
            keys=[stream, store.keys.docs], args=[f"{session_id}/{doc}", id_after(raw[-1][0])]
        )
        return len(raw) == self.batch

    async def _maybe_checkpoint(self, session_id: str, doc: str, seq: int) -> None:
        """Fold the durable tail into a new checkpoint once it is `checkpoint_interval` long.

        Rooms checkpoint the docs they hold; this covers docs no instance holds (a crash, or
        edits only ever made through the API), so loading stays one checkpoint plus a short tail.
        """
        key, durable = (session_id, doc), self.store.durable
        if key not in self._checkpointed:
            latest = await durable.latest_checkpoint(session_id, doc)
            self._checkpointed[key] = latest.seq if latest else 0
        if seq - self._checkpointed[key] < self.checkpoint_interval:
            return
        latest = await durable.latest_checkpoint(session_id, doc)
        after = latest.seq if latest else 0
        tail = await durable.read_log(session_id, doc, after, kind="update")
        updates = ([latest.state] if latest else []) + [e.data for e in tail]
        try:
            state = merge_updates(*updates) if updates else b"\x00\x00"
        except ValueError:
            log.error("mover: %s/%s has an undecodable update; not checkpointing", session_id, doc)
            self._checkpointed[key] = seq  # try again after another interval, not every round
            return
        await durable.write_checkpoint(Checkpoint(session_id, doc, seq, state))
        self._checkpointed[key] = seq
