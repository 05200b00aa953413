"""Retention: recordings older than `recording_retention_days` are deleted (default: keep all).

A recording's age counts from the session's end, or from its creation if it never ended. A
session with a room still loaded (someone connected, or the server using it) is never deleted
under them; the next pass looks again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from server.store.base import SessionRecord, Store

log = logging.getLogger(__name__)
DAY_MS = 24 * 3600 * 1000


def expired(records: list[SessionRecord], now_ms: int, retention_days: float) -> list[str]:
    """Ids of sessions whose recording is older than the retention period (pure)."""
    cutoff = now_ms - int(retention_days * DAY_MS)
    return [r.id for r in records if (r.ended_at_ms or r.created_at_ms) < cutoff]


async def purge_once(
    store: Store, retention_days: float, in_use: Callable[[str], bool], now_ms: int | None = None
) -> list[str]:
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    deleted = []
    for session_id in expired(await store.list_sessions(), now_ms, retention_days):
        if in_use(session_id):
            continue
        await store.delete_session(session_id)
        deleted.append(session_id)
    if deleted:
        log.info(
            "retention: deleted %d recordings older than %s days", len(deleted), retention_days
        )
    return deleted


async def retention_loop(
    store: Store,
    retention_days: float,
    every_seconds: float,
    in_use: Callable[[str], bool],
    on_deleted: Callable[[list[str]], Awaitable[None]],
) -> None:
    while True:
        try:
            await on_deleted(await purge_once(store, retention_days, in_use))
        except Exception:  # a failed pass is retried on the next one
            log.exception("retention pass failed")
        await asyncio.sleep(every_seconds)
