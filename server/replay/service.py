"""The replay's long-lived parts: the awareness sampler, the signal limiter, the retention task.

Built by the composition root (`server/services.py`). Every room hands each accepted awareness
change to the sampler, which only records the newest state in memory (see `AwarenessSampler`), so
the relay never waits on it; this service runs the sampler's writer and the retention task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from server.audit.model import SYSTEM, AuditKind
from server.audit.service import Audit
from server.org.model import RetentionPolicy
from server.replay.records import AwarenessSampler, RateLimiter
from server.replay.retention import Purged, retention_loop
from server.sessions import Sessions
from server.settings import Settings
from server.store.base import Store
from server.sync.rooms import RoomRegistry

log = logging.getLogger(__name__)


class RetentionSource(Protocol):
    """How long recordings and signals are kept: the organisation's settings."""

    async def policy(self) -> RetentionPolicy: ...


class ReplayService:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        sessions: Sessions,
        rooms: RoomRegistry,
        sampler: AwarenessSampler,
        audit: Audit,
        *,
        retention: RetentionSource,
    ) -> None:
        self.store = store
        self.settings = settings
        self.sessions = sessions
        self.rooms = rooms
        self.sampler = sampler
        self.audit = audit
        self.retention = retention
        self.signal_limiter = RateLimiter(settings.signals_per_minute, 60.0)
        self._retention: asyncio.Task[None] | None = None

    def _in_use(self, session_id: str) -> bool:
        return any(sid == session_id for sid, _ in self.rooms.rooms)

    async def _forget(self, purged: Purged) -> None:
        """Retention deleted these: forget the cached records; one audit entry for each
        session's signals and for each recording."""
        for session_id, entries in purged.signals.items():
            await self.audit.record(
                AuditKind.SIGNALS_DELETED,
                SYSTEM,
                resource=session_id,
                details={
                    "by": "retention",
                    "retention_days": purged.policy.signal_days,
                    "entries": entries,
                },
            )
        for session_id in purged.recordings:
            self.sessions.forget(session_id)
            await self.audit.record(
                AuditKind.RECORDING_DELETED,
                SYSTEM,
                resource=session_id,
                details={"by": "retention", "retention_days": purged.policy.recording_days},
            )

    async def start(self) -> None:
        self.sampler.start()
        # Always: an owner may turn retention on at any time (`PUT /api/org/settings`).
        self._retention = asyncio.create_task(
            retention_loop(
                self.store,
                self.retention.policy,
                self.settings.retention_check_seconds,
                self._in_use,
                self._forget,
            ),
            name="recording-retention",
        )

    async def stop(self) -> None:
        if self._retention is not None:
            self._retention.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retention
        await self.sampler.stop()
