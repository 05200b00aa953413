"""What a room needs from the other instances that hold the same doc (scale-out).

A declared seam rather than attributes set on the room from outside: the embedded default
(`server.scale.fanout.InProcessFanout`) has no peers, the Redis fan-out relays presence over
pub/sub and makes the shared stream the authority on a doc's seq.
"""

from __future__ import annotations

from typing import Protocol


class RoomPeers(Protocol):
    @property
    def shared_log(self) -> bool:
        """True when other instances append to this doc's log too: a room's seq then advances
        only through `Room.apply_remote`, which sees every entry in seq order, so it never runs
        ahead of what the doc holds and a checkpoint never claims an entry it lacks."""
        ...

    def relay_awareness(self, session_id: str, doc: str, frame: bytes) -> None:
        """An accepted awareness frame of this room, for the other instances' copies of it.
        Best effort (presence loss is harmless) and never awaited on the relay path."""
        ...
