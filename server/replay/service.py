"""The replay's long-lived parts: the awareness sampler, the signal limiter, the retention task.

Built once per app (`install`), reached by routes as `request.app.state.replay`. The room registry
calls `observe_awareness` for every accepted awareness change; that call only records the newest
state in memory (see `AwarenessSampler`), so the relay never waits on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from server.replay.records import AwarenessSampler, RateLimiter
from server.replay.retention import retention_loop
from server.services import Services

log = logging.getLogger(__name__)


class ReplayService:
    def __init__(self, services: Services) -> None:
        self.services = services
        s = services.settings
        self.sampler = AwarenessSampler(
            services.store,
            per_second=s.awareness_samples_per_second,
            max_bytes=s.awareness_sample_max_bytes,
        )
        self.signal_limiter = RateLimiter(s.signals_per_minute, 60.0)
        self._retention: asyncio.Task[None] | None = None

    def observe_awareness(
        self, session_id: str, doc: str, author: str, role: str, changes: list[tuple[int, Any]]
    ) -> None:
        self.sampler.observe(session_id, doc, author, role, changes)

    def _in_use(self, session_id: str) -> bool:
        return any(sid == session_id for sid, _ in self.services.rooms.rooms)

    def _forget(self, deleted: list[str]) -> None:
        for session_id in deleted:
            self.services.sessions.forget(session_id)

    async def start(self) -> None:
        self.sampler.start()
        s = self.services.settings
        if s.recording_retention_days is not None:
            self._retention = asyncio.create_task(
                retention_loop(
                    self.services.store,
                    s.recording_retention_days,
                    s.retention_check_seconds,
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
