"""Erase a candidate: everything of one session, in every store, with one audit entry left.

What goes, in this order, and why the order:
1. its kernel is stopped (`Runs.release`) and the hidden kernel state forgotten, so no run
   writes into the session while it is erased;
2. its rooms close (`RoomRegistry.close_session`): every connected page is closed with
   `CLOSE_ERASED` (4410) and no final checkpoint is written; the registry will not load the
   session again, and its reconnect is refused at the handshake (no such session);
3. in one durable-store transaction (`AuditStore.erase_session`): the session row (with its
   access grants, candidate name, controls and hidden-step record, all in `meta`), the log
   (every doc, and the recording extras kept there: integrity signals, comments, cursor
   samples), checkpoints and claims are deleted, a tombstone is written and the audit entry
   appended. The tombstone makes a later import of that session's entries or checkpoints a
   no-op: the Redis mover may still hold some it read before the erase;
4. with Redis, the session's streams, seq counters and their members of the mover's doc set
   (`SessionStreams`);
5. its files on disk (attachments);
6. its webhook deliveries, sent or not (their payloads name the candidate; what an ATS
   already received is the ATS's to erase);
7. every instance is told to forget its cached record.

The audit entry says who erased which session id, when and from where, and how many rows went:
no candidate data (audit entries never hold any, see `server/audit/model.py`), so it stays.
Earlier entries about the session (created, shared, viewed) stay too, for the same reason.

Limits: a page connected to another instance is not closed by this one, but can no longer
write (the record is gone) and its reconnect is refused; a server-side write racing the erase
on another instance may leave a Redis stream key behind, never a durable row.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from server.attachments import Attachments
from server.audit.model import Actor, AuditKind
from server.audit.service import Audit
from server.audit.store import ErasedRows
from server.scenarios.hidden import HiddenKernelState
from server.sessions import Sessions
from server.store.base import SessionRecord
from server.sync.connection import CLOSE_ERASED
from server.sync.rooms import RoomRegistry

log = logging.getLogger(__name__)

ERASED_REASON = "this session was erased"


@runtime_checkable
class SessionStreams(Protocol):
    """A store that keeps a session's log outside the durable store too (Redis streams)."""

    async def erase_streams(self, session_id: str) -> int:
        """Delete the session's streams and counters; the number of keys deleted."""
        ...


class KernelRelease(Protocol):
    async def release(self, session_id: str) -> None: ...


class SessionDeliveries(Protocol):
    """The webhook deliveries of a session (`server/webhooks/service.py`)."""

    async def erase_session(self, session_id: str) -> int: ...


@dataclass(frozen=True, slots=True)
class Erased:
    session_id: str
    rows: ErasedRows
    redis_keys: int
    files: int
    connections_closed: int
    webhook_deliveries: int = 0
    audit_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.session_id,
            "erased": True,
            "removed": {
                **self.rows.to_json(),
                "redis_keys": self.redis_keys,
                "files": self.files,
                "webhook_deliveries": self.webhook_deliveries,
            },
            "connections_closed": self.connections_closed,
        }


class Eraser:
    def __init__(
        self,
        sessions: Sessions,
        rooms: RoomRegistry,
        runs: KernelRelease,
        hidden: HiddenKernelState,
        attachments: Attachments,
        audit: Audit,
        streams: SessionStreams | None,
        deliveries: SessionDeliveries,
    ) -> None:
        self.sessions = sessions
        self.rooms = rooms
        self.runs = runs
        self.hidden = hidden
        self.attachments = attachments
        self.audit = audit
        self.streams = streams
        self.deliveries = deliveries

    async def erase(self, record: SessionRecord, actor: Actor, ip: str | None) -> Erased:
        session_id = record.id
        await self.runs.release(session_id)
        self.hidden.forget(session_id)
        closed = await self.rooms.close_session(session_id, CLOSE_ERASED, ERASED_REASON)
        entry = self.audit.entry(
            AuditKind.SESSION_ERASED,
            actor,
            ip=ip,
            resource=session_id,
            details={"state": record.state, "connections_closed": closed},
        )
        rows = await self.audit.erase(session_id, entry)
        keys = 0 if self.streams is None else await self.streams.erase_streams(session_id)
        files = await asyncio.to_thread(self.attachments.remove, session_id)
        deliveries = await self.deliveries.erase_session(session_id)
        self.sessions.forget(session_id)
        await self.sessions.changes.session_changed(session_id)
        log.info("erased session %s (%s)", session_id, rows)
        return Erased(session_id, rows, keys, files, closed, deliveries)
