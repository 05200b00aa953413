"""Retention: recordings and their integrity signals are deleted once they are old enough.

How old is the organisation's (`server/org/`: recording retention N days, integrity-signal
retention M days, M <= N); before an owner saved settings, the operator's
`recording_retention_days` (default: keep all). A recording's age counts from the session's end,
or from its creation if it never ended. Signals go first, on their own, from ended sessions only
(an ended session appends no more signals, so their seqs are never handed out again): the
recording stays reviewable without the paste and focus evidence once that is no longer needed.

A session with a room still loaded (someone connected, or the server using it) is never touched
under them; the next pass looks again. Each pass is pure policy (`expired`) plus store calls.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from server.documents import RecordDoc
from server.org.model import DAY_MS, RetentionPolicy
from server.store.base import SessionRecord, Store

__all__ = ["DAY_MS", "Purged", "expired", "purge_once", "retention_loop", "retention_pass"]

log = logging.getLogger(__name__)


def expired(
    records: list[SessionRecord], now_ms: int, retention_days: float, *, ended_only: bool = False
) -> list[str]:
    """Ids of sessions older than the retention period (pure)."""
    cutoff = now_ms - int(retention_days * DAY_MS)
    return [
        r.id
        for r in records
        if (r.ended_at_ms is not None or not ended_only)
        and (r.ended_at_ms or r.created_at_ms) < cutoff
    ]


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


@dataclass(frozen=True, slots=True)
class Purged:
    """What one pass deleted: recordings by id, and per session the signal entries removed."""

    policy: RetentionPolicy
    recordings: list[str] = field(default_factory=list)
    signals: dict[str, int] = field(default_factory=dict)


async def retention_pass(
    store: Store, policy: RetentionPolicy, in_use: Callable[[str], bool], now_ms: int | None = None
) -> Purged:
    """Signals first (those of recordings about to go are deleted with them), then recordings."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    purged = Purged(policy)
    signal_days = policy.effective_signal_days
    if signal_days is not None:
        records = await store.list_sessions()
        going: set[str] = set()
        if policy.recording_days is not None:
            going = set(expired(records, now_ms, policy.recording_days))
        for session_id in expired(records, now_ms, signal_days, ended_only=True):
            if in_use(session_id) or session_id in going:
                continue
            removed = await store.delete_record_log(session_id, RecordDoc.SIGNALS)
            if removed:
                purged.signals[session_id] = removed
    if policy.recording_days is not None:
        purged.recordings.extend(await purge_once(store, policy.recording_days, in_use, now_ms))
    return purged


async def retention_loop(
    store: Store,
    policy: Callable[[], Awaitable[RetentionPolicy]],
    every_seconds: float,
    in_use: Callable[[str], bool],
    on_purged: Callable[[Purged], Awaitable[None]],
) -> None:
    """Runs for the server's lifetime: the policy is read on every pass, so an owner's change
    applies from the next pass on, on every instance."""
    while True:
        try:
            await on_purged(await retention_pass(store, await policy(), in_use))
        except Exception:  # a failed pass is retried on the next one
            log.exception("retention pass failed")
        await asyncio.sleep(every_seconds)
