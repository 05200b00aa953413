"""The registry of loaded rooms: single-flight loading, periodic upkeep, unloading.

Two clients opening a brand-new room at the same instant share one load (a future per room key),
so both are joined to the same, fully loaded room: the race that leaves one of them unsynced in
pycrdt-websocket cannot happen here.

A room unloads once it has had no connection and no server-side user for the grace period, and
only after its final checkpoint was written; if that write fails the room stays and is retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from pycrdt import Doc

from server.documents import DocName
from server.scale.fanout import Fanout
from server.settings import Settings
from server.store.base import Store
from server.sync.doc_limits import DocLimits
from server.sync.notebook_guard import NotebookGuard, NotebookGuardLimits
from server.sync.room import AwarenessSink, Room, UpdateGuard

log = logging.getLogger(__name__)

RoomKey = tuple[str, str]  # (session id, doc name)


class SessionClosed(LookupError):
    """The session's rooms were closed for good (it was erased)."""


class RoomRegistry:
    def __init__(
        self, store: Store, settings: Settings, fanout: Fanout, *, awareness: AwarenessSink
    ) -> None:
        self.store = store
        self.settings = settings
        # Loads rooms and keeps them current with other instances (server/scale/fanout.py).
        self.fanout = fanout
        # Handed to every room: the recorder's awareness sampler (server/replay).
        self.awareness = awareness
        self.rooms: dict[RoomKey, Room] = {}
        self._loading: dict[RoomKey, asyncio.Task[Room]] = {}
        self._upkeep: asyncio.Task[None] | None = None
        # Sessions erased while this registry runs: never loaded again (`close_session`).
        self._closed: set[str] = set()

    def start(self) -> None:
        self._upkeep = asyncio.create_task(self._upkeep_loop(), name="rooms-upkeep")

    async def close(self) -> None:
        if self._upkeep is not None:
            self._upkeep.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._upkeep
        for room in list(self.rooms.values()):
            try:
                await room.checkpoint()
            except Exception:
                log.exception("final checkpoint failed for %s/%s", room.session_id, room.name)
        self.rooms.clear()

    async def get(self, session_id: str, doc: str) -> Room:
        if session_id in self._closed:
            raise SessionClosed(f"session {session_id} was erased")
        key = (session_id, doc)
        room = self.rooms.get(key)
        if room is not None:
            return room
        task = self._loading.get(key)
        if task is None:
            task = asyncio.create_task(self._load(key))
            self._loading[key] = task
        return await asyncio.shield(task)

    async def _load(self, key: RoomKey) -> Room:
        try:
            room = Room(
                key[0],
                key[1],
                self.store,
                checkpoint_interval=self.settings.checkpoint_interval,
                peers=self.fanout,
                awareness=self.awareness,
                limits=DocLimits.from_settings(self.settings),
                guard=self._guard(key[1]),
            )
            await self.fanout.load(room)
            self.rooms[key] = room
            return room
        finally:
            self._loading.pop(key, None)

    def _guard(self, doc: str) -> UpdateGuard | None:
        """The content checks of a doc's client updates: the notebook's cells."""
        if doc == DocName.NOTEBOOK:
            return NotebookGuard(NotebookGuardLimits.from_settings(self.settings))
        return None

    @contextlib.asynccontextmanager
    async def holding(self, session_id: str, doc: str) -> AsyncIterator[Room]:
        """Use a room from server code; it will not unload while held."""
        room = await self.get(session_id, doc)
        room.users += 1
        try:
            yield room
        finally:
            room.users -= 1
            if room.users == 0 and not room.connections:
                room.empty_since = time.monotonic()

    async def edit(
        self,
        session_id: str,
        doc: str,
        change: Callable[[Doc[Any]], None],
        *,
        author: str = "server",
    ) -> None:
        """Apply a server-side change to a doc: logged, then broadcast (see `Room.edit`)."""
        async with self.holding(session_id, doc) as room:
            await room.edit(change, author, "system")

    async def written(self, session_id: str, doc: str) -> None:
        """Until every frame queued so far for the room's connections is on their sockets (a
        run's trace times its relay: server/run_trace.py). Returns at once if it is not loaded."""
        room = self.rooms.get((session_id, doc))
        if room is not None and room.connections:
            await asyncio.gather(*(conn.written() for conn in list(room.connections)))

    async def read(self, session_id: str, doc: str) -> Doc[Any]:
        """The room's live doc; callers must treat it as read-only."""
        return (await self.get(session_id, doc)).doc

    async def close_session(self, session_id: str, code: int, reason: str) -> int:
        """Close every room of a session at once, without a final checkpoint (its data is being
        erased): each connection is closed with `code`; the number of connections closed. The
        session is never loaded again by this registry (`get` raises `SessionClosed`)."""
        self._closed.add(session_id)
        for key, task in list(self._loading.items()):
            if key[0] == session_id:
                task.cancel()
        closed = 0
        for key, room in list(self.rooms.items()):
            if key[0] != session_id:
                continue
            del self.rooms[key]
            for conn in list(room.connections):
                conn.abort(code, reason)
                closed += 1
            await self.fanout.unloaded(room)
        return closed

    async def _upkeep_loop(self) -> None:
        s = self.settings
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            for key, room in list(self.rooms.items()):
                try:
                    room.tick(now, s.keepalive_seconds, s.awareness_timeout_seconds)
                    idle = room.empty_since is not None and room.users == 0
                    if idle and now - (room.empty_since or now) >= s.room_unload_grace_seconds:
                        await self._unload(key, room)
                except Exception:  # one room's fault must never stop the others' upkeep
                    log.exception("upkeep failed for room %s", key)

    async def _unload(self, key: RoomKey, room: Room) -> None:
        await room.checkpoint()
        if not room.connections and room.users == 0 and self.rooms.get(key) is room:
            del self.rooms[key]
            await self.fanout.unloaded(room)
            log.info("unloaded room %s/%s at seq %d", key[0], key[1], room.seq)
