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
from typing import Any, Protocol, runtime_checkable


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


class EntriesRefused(ValueError):
    """Some entries of an `import_entries` batch were refused by the database (bad data, not a
    lost connection); every other entry of the batch was written. `refused` pairs each refused
    entry with the error it got."""

    def __init__(self, refused: list[tuple[LogEntry, Exception]]) -> None:
        first = refused[0]
        super().__init__(
            f"{len(refused)} log entries refused, e.g. {first[0].session_id}/{first[0].doc} "
            f"seq {first[0].seq}: {first[1]!r}"
        )
        self.refused = refused


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
        """Write entries that already have their seqs (imports, moving from Redis).

        One bad entry never costs the others: if the database refuses some of them, the rest are
        written and `EntriesRefused` names the refused ones."""
        ...

    async def read_log(
        self, session_id: str, doc: str, after_seq: int, *, kind: str | None = None
    ) -> list[LogEntry]: ...

    async def last_seq(self, session_id: str, doc: str) -> int: ...

    # checkpoints
    async def write_checkpoint(self, checkpoint: Checkpoint) -> None: ...

    async def latest_checkpoint(self, session_id: str, doc: str) -> Checkpoint | None: ...

    # --- replay (server/replay): seeking, the player's chunked log, export/import, retention ---
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
        """Entries with `after_seq < seq <= upto_seq` in seq order, at most `limit` of them."""
        ...

    async def seq_at(self, session_id: str, doc: str, ts_ms: int) -> int:
        """The last seq of `doc` stamped at or before `ts_ms` (0 if none); relies on `ts_ms`
        being non-decreasing in `seq` within a doc."""
        ...

    async def checkpoint_at_or_before(
        self, session_id: str, doc: str, seq: int
    ) -> Checkpoint | None: ...

    async def list_checkpoints(self, session_id: str, doc: str) -> list[Checkpoint]: ...

    async def log_docs(self, session_id: str) -> list[str]:
        """Every doc name with a log entry or a checkpoint in this session."""
        ...

    async def activity(
        self, session_id: str, origin_ms: int, bucket_ms: int, docs: list[str]
    ) -> list[tuple[str, str, str, int, int]]:
        """Update counts as (author, role, doc, bucket index, count), bucketed from `origin_ms`."""
        ...

    async def import_session(
        self, record: SessionRecord, entries: list[LogEntry], checkpoints: list[Checkpoint]
    ) -> None:
        """Write a whole recorded session in one transaction; ValueError if the id exists."""
        ...

    async def delete_session(self, session_id: str) -> None:
        """Remove a session with its log, checkpoints and claims (retention)."""
        ...

    async def delete_record_log(self, session_id: str, doc: str) -> int:
        """Remove one record stream of an ended session (retention of its integrity signals);
        the number of entries removed. Only for a session that appends no more to it: its
        seqs would start again."""
        ...

    # claims: "this happened once", e.g. a scenario event fired
    async def claim(self, session_id: str, key: str) -> bool:
        """True for the first caller with this key, False for every later one."""
        ...


@runtime_checkable
class SeekingStore(Protocol):
    """A store that answers a seek (`seq_at`, `checkpoint_at_or_before` and the tail's
    `read_log_range`) in one trip: SQLite, whose every query queues for its one thread. Other
    stores are seeked by composing the `Store` protocol's primitives (server/replay/state.py)."""

    async def seek_at(
        self, session_id: str, doc: str, ts_ms: int
    ) -> tuple[Checkpoint | None, list[LogEntry]]: ...
