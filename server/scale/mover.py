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
import time
from typing import Any

from pycrdt import merge_updates

from server.scale.entries import BadEntry, decode_entry, id_after, min_id, parse_member
from server.scale.redis_store import RedisStore
from server.scale.retry import TRANSIENT, backoff
from server.store.base import Checkpoint, EntriesRefused, LogEntry

log = logging.getLogger(__name__)

# Docs moved per round trip: bounds one pipeline and one durable transaction.
MOVE_CHUNK = 200

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


def _log_refused(exc: EntriesRefused) -> None:
    """Entries the durable store refuses for their data can never be written: they are dropped
    like undecodable stream entries, not retried forever (which would stall the doc's moving and
    trimming for good)."""
    for entry, error in exc.refused:
        log.error(
            "mover: dropping %s/%s seq %d, refused by the durable store: %r",
            entry.session_id, entry.doc, entry.seq, error,
        )  # fmt: skip


class Mover:
    def __init__(
        self,
        store: RedisStore,
        *,
        interval: float,
        batch: int,
        checkpoint_interval: int,
        retention: float,
    ) -> None:
        self.store = store
        self.interval = interval
        self.batch = batch
        self.checkpoint_interval = checkpoint_interval
        self.retention_ms = int(retention * 1000)
        self._cursor: dict[tuple[str, str], bytes] = {}  # last stream id moved, per doc
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
        """One pass over every doc with stream entries, `chunk` docs per round trip."""
        members = sorted(await self.store.redis.smembers(self.store.keys.docs))
        docs: list[tuple[str, str]] = []
        for member in members:
            try:
                docs.append(parse_member(member))
            except BadEntry as exc:
                log.error("mover: %s; forgetting it", exc)
                await self.store.redis.srem(self.store.keys.docs, member)
        for i in range(0, len(docs), MOVE_CHUNK):
            await self.move(docs[i : i + MOVE_CHUNK])

    async def move(self, docs: list[tuple[str, str]]) -> None:
        """Move one batch of each doc: one XRANGE pipeline, one durable transaction (per doc only
        if the joint one fails, so one doc's fault stays that doc's), one trim pipeline."""
        store = self.store
        async with store.redis.pipeline(transaction=False) as pipe:
            for key in docs:
                cursor = self._cursor.get(key)
                start = "-" if cursor is None else id_after(cursor)
                pipe.xrange(store.keys.stream(*key), start, "+", count=self.batch)
            raws: list[Any] = await pipe.execute()
        plans: list[tuple[tuple[str, str], list[LogEntry], Any]] = []
        for key, raw in zip(docs, raws, strict=True):
            if key not in self._moved:
                self._moved[key] = await store.durable.last_seq(*key)
            plans.append((key, self._fresh(key, raw), raw[-1][0] if raw else None))
        moved = await self._import(plans)
        for key, fresh, last_id in plans:
            if key in moved and last_id is not None:
                self._cursor[key] = last_id
            if key in moved and fresh:
                self._moved[key] = fresh[-1].seq
                await self._maybe_checkpoint(key[0], key[1], fresh[-1].seq)
        # Moved entries stay `retention` longer: a tail lagging behind the mover still finds
        # them (and one lagging further repairs its gap from the durable store).
        horizon = f"{max(0, int(time.time() * 1000) - self.retention_ms)}-0"
        async with store.redis.pipeline(transaction=False) as pipe:
            for key in docs:
                if key in moved:
                    cursor = self._cursor.get(key)
                    if cursor is None:
                        minid = horizon
                    elif self.retention_ms <= 0:  # no retention: trim exactly what was moved
                        minid = id_after(cursor)
                    else:
                        minid = min_id(id_after(cursor), horizon)
                    member = f"{key[0]}/{key[1]}"
                    pipe.eval(TRIM_LUA, 2, store.keys.stream(*key), store.keys.docs, member, minid)
            await pipe.execute()

    def _fresh(self, key: tuple[str, str], raw: list[Any]) -> list[LogEntry]:
        """The decodable entries of `raw` the durable store lacks, in seq order."""
        durable_last = self._moved[key]
        fresh = []
        for stream_id, fields in raw:
            try:
                entry, _ = decode_entry(key[0], key[1], fields)
            except BadEntry as exc:
                log.error("mover: dropping stream entry %r: %s", stream_id, exc)
                continue
            if entry.seq > durable_last:
                fresh.append(entry)
                durable_last = entry.seq
        return fresh

    async def _import(
        self, plans: list[tuple[tuple[str, str], list[LogEntry], Any]]
    ) -> set[tuple[str, str]]:
        """Import every plan's entries; the docs whose entries are now durable."""
        everything = [e for _, fresh, _ in plans for e in fresh]
        try:
            if everything:
                await self.store.durable.import_entries(everything)
            return {key for key, _, _ in plans}
        except EntriesRefused as exc:
            _log_refused(exc)  # the rest were written
            return {key for key, _, _ in plans}
        except Exception:
            log.warning("mover: joint import failed; importing doc by doc", exc_info=True)
        moved = set()
        for key, fresh, _ in plans:
            try:
                if fresh:
                    await self.store.durable.import_entries(fresh)
                moved.add(key)
            except EntriesRefused as exc:
                _log_refused(exc)
                moved.add(key)
            except Exception:
                log.exception("mover: %s/%s failed; retrying it next round", *key)
                self._moved.pop(key, None)  # re-read what the durable store has
        return moved

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
