"""The fan-out seam: how rooms on one instance hear about changes made on another.

`RoomRegistry` loads every room through `Fanout.load` and reports unloads; `Sessions` reports
saved records. Two implementations:
- `InProcessFanout` (embedded default): every room lives in this one process, so loading is
  `Room.load` and there is nobody else to tell.
- `RedisFanout` (`server/scale/redis_fanout.py`): tails the Redis streams of the rooms this
  instance holds, relays awareness over pub/sub and invalidates other instances' session caches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from server.sync.peers import RoomPeers

if TYPE_CHECKING:
    from server.sessions import Sessions
    from server.sync.room import Room


class Fanout(RoomPeers, Protocol):
    async def start(self, sessions: Sessions) -> None:
        """Begin following other instances; `sessions` is the cache their record changes
        invalidate (given here, not at construction: sessions announce changes through the
        fan-out, so one of the two has to be told about the other last)."""
        ...

    async def close(self) -> None: ...

    async def load(self, room: Room) -> None:
        """Load `room`'s state and, from that exact point on, keep it up to date."""
        ...

    async def unloaded(self, room: Room) -> None:
        """`room` left this instance's registry: stop following it."""
        ...

    async def session_changed(self, session_id: str) -> None:
        """This instance saved `session_id`'s record (controls, end): others must re-read it."""
        ...


class InProcessFanout:
    """One process holds every room: nothing crosses an instance boundary."""

    shared_log = False

    def relay_awareness(self, session_id: str, doc: str, frame: bytes) -> None:
        return None

    async def start(self, sessions: Sessions) -> None:
        return None

    async def close(self) -> None:
        return None

    async def load(self, room: Room) -> None:
        await room.load()

    async def unloaded(self, room: Room) -> None:
        return None

    async def session_changed(self, session_id: str) -> None:
        return None
