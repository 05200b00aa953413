"""The store: sessions, the update log, checkpoints and claims.

The update log is the source of truth. Every accepted change of every doc of every session is one
`LogEntry`; a room is rebuilt from its latest `Checkpoint` plus the entries after it. Entries of
other kinds (runs, scenario events, awareness samples, comments) share the log so one timeline
replays all of them.

Two implementations: `SQLiteStore` (embedded default, one file) and a Redis-backed store for
scale-out. Both keep the same invariant: `append` returns only once the entries are durable, and a
sequence number is never reused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class LogEntry:
    session_id: str
    doc: str
    seq: int
    ts_ms: int
    author: str
    role: str
    kind: str  # "update" for Yjs updates; other kinds for timeline records
    data: bytes


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A log entry before the store has given it its sequence number."""

    session_id: str
    doc: str
    ts_ms: int
    author: str
    role: str
    kind: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Checkpoint:
    session_id: str
    doc: str
    seq: int  # the last log seq this state covers
    state: bytes  # a full Yjs update of the doc


@dataclass(slots=True)
class SessionRecord:
    id: str
    title: str
    scenario: str | None
    created_at_ms: int
    state: str  # "waiting" | "live" | "ended"
    ended_at_ms: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class Store(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    # sessions
    async def create_session(self, record: SessionRecord) -> None: ...

    async def get_session(self, session_id: str) -> SessionRecord | None: ...

    async def list_sessions(self) -> list[SessionRecord]: ...

    async def update_session(self, record: SessionRecord) -> None: ...

    # log
    async def append(self, entry: NewEntry) -> int:
        """Durably append one entry; returns its seq once committed.

        Seqs of one doc are 1, 2, 3, ... in commit order, never reused, and assigned by the store,
        so several server instances writing one doc can share one sequence.
        """
        ...

    async def import_entries(self, entries: list[LogEntry]) -> None:
        """Write entries that already have their seqs (imports, moving from Redis)."""
        ...

    async def read_log(
        self, session_id: str, doc: str, after_seq: int, *, kind: str | None = None
    ) -> list[LogEntry]: ...

    async def last_seq(self, session_id: str, doc: str) -> int: ...

    # checkpoints
    async def write_checkpoint(self, checkpoint: Checkpoint) -> None: ...

    async def latest_checkpoint(self, session_id: str, doc: str) -> Checkpoint | None: ...

    # claims: "this happened once", e.g. a scenario event fired
    async def claim(self, session_id: str, key: str) -> bool:
        """True for the first caller with this key, False for every later one."""
        ...
