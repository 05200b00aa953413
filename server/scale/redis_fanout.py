"""Fan-out over Redis: stream tails for updates, pub/sub for awareness and session changes.

Updates. Each instance runs one tail reader: a single blocking XREAD over the streams of every
room it holds (plus a tiny per-instance "wake" stream, so a newly loaded room joins the read at
once). A room is loaded at a position read atomically from Redis (the doc's seq and the id of
the entry carrying it), and its tail starts right after that id, so nothing is missed; an entry
that is also in the loaded state is applied twice, which Yjs makes a no-op. Entries this instance
wrote itself only advance the room's seq (it applied them already). After a Redis restart the
reader reconnects and resumes from the last id it saw in every stream.

Every entry is handled on its own: one that cannot be decoded or applied is logged and skipped,
and the rest of that stream, and every other stream, flows on.

Awareness is relayed over one pub/sub channel per doc (losing a cursor frame is harmless);
session changes go over one channel and drop the record from every other instance's cache (all
of it after a pub/sub reconnect, since messages sent while deaf are gone).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from server.scale.entries import decode_entry
from server.scale.mover import Mover
from server.scale.redis_store import RedisStore
from server.scale.retry import TRANSIENT, backoff, with_retry

if TYPE_CHECKING:
    from server.sessions import Sessions
    from server.sync.room import Room

log = logging.getLogger(__name__)

SEPARATOR = b"|"


def _names(room: Room) -> tuple[str, str]:
    return room.session_id, room.name


def _id_key(stream_id: bytes) -> tuple[int, int]:
    ms, _, counter = stream_id.partition(b"-")
    return int(ms), int(counter or 0)


@dataclass(slots=True)
class _Follow:
    room: Room
    last_id: bytes


class RedisFanout:
    def __init__(
        self,
        store: RedisStore,
        mover: Mover,
        *,
        block_ms: int,
        read_batch: int,
        awareness_queue: int,
    ) -> None:
        self.store = store
        self.redis = store.redis
        self.keys = store.keys
        self.instance_id = store.instance_id
        self.mover = mover
        self.block_ms = block_ms
        self.read_batch = read_batch
        self._follows: dict[str, _Follow] = {}  # stream key -> the room following it
        self._channels: dict[str, Room] = {}  # awareness channel -> room
        self._outbox: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue(awareness_queue)
        self._pubsub: Any = None
        self._sessions: Sessions | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.skipped_entries = 0  # undecodable or unappliable entries seen by the tail

    # --- lifetime -------------------------------------------------------------------------------

    async def start(self, sessions: Sessions) -> None:
        self._sessions = sessions
        self._tasks = [
            asyncio.create_task(self._tail_loop(), name="redis-tail"),
            asyncio.create_task(self._pubsub_loop(), name="redis-pubsub"),
            asyncio.create_task(self._publish_loop(), name="redis-publish"),
        ]
        self.mover.start()

    async def close(self) -> None:
        await self.mover.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(*TRANSIENT):
            await self.redis.delete(self.keys.wake(self.instance_id))

    # --- rooms ----------------------------------------------------------------------------------

    async def load(self, room: Room) -> None:
        session_id, doc = room.session_id, room.name
        seq, last_id = await self.store.position(session_id, doc)
        await room.load()
        room.seq = max(seq, room.checkpoint_seq)
        self._follows[self.keys.stream(session_id, doc)] = _Follow(room, last_id)
        channel = self.keys.awareness(session_id, doc)
        self._channels[channel] = room
        await self._subscribe(channel)
        await self._wake()

    async def unloaded(self, room: Room) -> None:
        key = self.keys.stream(room.session_id, room.name)
        follow = self._follows.get(key)
        if follow is not None and follow.room is room:
            del self._follows[key]
        channel = self.keys.awareness(room.session_id, room.name)
        if self._channels.get(channel) is room:
            del self._channels[channel]
            if self._pubsub is not None:
                with contextlib.suppress(*TRANSIENT):
                    await self._pubsub.unsubscribe(channel)
        await self._wake()

    async def _wake(self) -> None:
        """Make the tail reader start a new XREAD that includes the current set of rooms."""
        wake = self.keys.wake(self.instance_id)
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.xadd(wake, {b"w": b"1"}, maxlen=16, approximate=False)
                pipe.expire(wake, 24 * 3600)
                await pipe.execute()
        except TRANSIENT as exc:  # the tail is reconnecting and will re-read the room set
            log.info("wake failed: %s", exc)

    # --- the tail ---------------------------------------------------------------------------------

    async def _tail_loop(self) -> None:
        wake_key = self.keys.wake(self.instance_id)
        wake_last = b"0-0"
        failures = 0
        while True:
            streams: dict[Any, Any] = {wake_key: wake_last}
            streams.update({k: f.last_id for k, f in self._follows.items()})
            try:
                reply: Any = await self.redis.xread(
                    streams, count=self.read_batch, block=self.block_ms
                )
            except TRANSIENT as exc:
                failures += 1
                if failures == 1:
                    log.warning("tail: redis unavailable (%s); resuming when it is back", exc)
                await asyncio.sleep(backoff(failures))
                continue
            if failures:
                log.warning("tail: reconnected after %d attempts", failures)
                failures = 0
            for raw_key, entries in reply or []:
                key = raw_key.decode()
                if key == wake_key:
                    wake_last = entries[-1][0]
                    continue
                follow = self._follows.get(key)
                if follow is not None:
                    await self._deliver(follow, entries)

    async def _deliver(
        self, follow: _Follow, entries: list[tuple[bytes, dict[bytes, bytes]]]
    ) -> None:
        room = follow.room
        for stream_id, fields in entries:
            if _id_key(stream_id) <= _id_key(follow.last_id):
                continue  # read before this follow (re)started: already in its loaded state
            try:
                entry, origin = decode_entry(room.session_id, room.name, fields)
            except Exception:
                follow.last_id = stream_id
                self.skipped_entries += 1
                log.exception("tail: skipping entry %r of %s/%s", stream_id, *_names(room))
                continue
            if entry.seq > room.seq + 1 and not await self._repair(room, entry.seq):
                await asyncio.sleep(0.2)  # re-read from here on the next XREAD, then retry
                return
            follow.last_id = stream_id
            try:
                mine = origin == self.instance_id
                room.apply_remote(entry.seq, None if mine or entry.kind != "update" else entry.data)
            except Exception:
                self.skipped_entries += 1
                log.exception("tail: skipping entry %r of %s/%s", stream_id, *_names(room))

    async def _repair(self, room: Room, upto: int) -> bool:
        """Entries before `upto` this room never saw: trimmed from the stream while this tail
        lagged more than the retention. The mover trims only what it moved, so they are in the
        durable store; apply them in order (Yjs makes any already applied a no-op)."""
        try:
            missing = await self.store.read_log_range(
                room.session_id, room.name, room.seq, upto - 1
            )
        except Exception:
            log.exception("tail: cannot repair the gap before seq %d in %s/%s", upto, *_names(room))
            return False
        log.warning(
            "tail: repaired %d entries of %s/%s from the store", len(missing), *_names(room)
        )
        for entry in missing:
            try:
                room.apply_remote(entry.seq, entry.data if entry.kind == "update" else None)
            except Exception:
                self.skipped_entries += 1
                log.exception("tail: skipping stored entry %d of %s/%s", entry.seq, *_names(room))
        room.seq = max(room.seq, upto - 1)
        return True

    # --- pub/sub ----------------------------------------------------------------------------------

    async def _subscribe(self, channel: str) -> None:
        if self._pubsub is not None:
            try:
                await self._pubsub.subscribe(channel)
            except TRANSIENT as exc:  # the pub/sub loop resubscribes every channel on reconnect
                log.info("subscribe %s failed: %s", channel, exc)

    async def _pubsub_loop(self) -> None:
        failures = 0
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            self._pubsub = pubsub
            try:
                await pubsub.subscribe(self.keys.sessions, *list(self._channels))
                if self._sessions is not None:
                    self._sessions.invalidate_all()  # changes made while we were deaf are unknown
                failures = 0
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._on_message(message)
            except TRANSIENT as exc:
                failures += 1
                if failures == 1:
                    log.warning("pub/sub: redis unavailable (%s)", exc)
                await asyncio.sleep(backoff(failures))
            finally:
                self._pubsub = None
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    def _on_message(self, message: dict[str, Any]) -> None:
        channel = message["channel"].decode()
        data: bytes = message["data"]
        try:
            if channel == self.keys.sessions:
                if self._sessions is not None:
                    self._sessions.forget(data.decode())
                return
            origin, _, frame = data.partition(SEPARATOR)
            room = self._channels.get(channel)
            if room is not None and origin != self.instance_id.encode():
                room.broadcast(frame)
        except Exception:
            log.exception("pub/sub: bad message on %s", channel)

    # --- RoomPeers: what a room asks of the other instances ------------------------------------

    shared_log = True  # every instance appends to a doc's stream; a room's seq follows the tail

    def relay_awareness(self, session_id: str, doc: str, frame: bytes) -> None:
        self._queue_awareness(self.keys.awareness(session_id, doc), frame)

    def _queue_awareness(self, channel: str, frame: bytes) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # presence is best-effort by design
            self._outbox.put_nowait((channel, self.instance_id.encode() + SEPARATOR + frame))

    async def _publish_loop(self) -> None:
        while True:
            channel, payload = await self._outbox.get()
            try:
                await self.redis.publish(channel, payload)
            except TRANSIENT as exc:
                log.info("awareness publish dropped: %s", exc)

    async def session_changed(self, session_id: str) -> None:
        await with_retry(
            f"announcing session {session_id}",
            lambda: self.redis.publish(self.keys.sessions, session_id),
            self.store.retry_seconds,
        )
