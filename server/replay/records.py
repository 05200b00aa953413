"""Timeline records that are not Yjs updates: awareness samples, integrity signals, comments.

Each lives in the session's update log under a doc name of its own (never a websocket room), so
the store gives it server time, author and a seq like any update, and the player pages through it
with the same chunked log endpoint:

- log doc `awareness`, kind `awareness`: `{"doc", "client", "state"}` (state: object or null);
  every replay reader.
- log doc `signals`, kind `signal`: `{"kind": "paste" | "blur" | "focus", "size"?}`; interviewers
  and reviewers.
- log doc `comments`, kind `comment`: `{"at": ms since creation, "text"}`; interviewers and
  reviewers.

Integrity signals are evidence shown to people, never a verdict: nothing here scores them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from server.clock import now_ms
from server.documents import DocName, RecordDoc
from server.store.base import NewEntry, Store

log = logging.getLogger(__name__)

AWARENESS_DOC = RecordDoc.AWARENESS
SIGNALS_DOC = RecordDoc.SIGNALS
COMMENTS_DOC = RecordDoc.COMMENTS
# Docs whose cursors are worth replaying (console is server-written, notes are private scratch).
SAMPLED_DOCS = frozenset({DocName.CODE, DocName.BOARD})
SIGNAL_KINDS = ("paste", "blur", "focus")


def encode(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


@dataclass(slots=True)
class _Sample:
    author: str
    role: str
    state: str | None
    ts_ms: int


class AwarenessSampler:
    """Latest awareness state per (session, doc, client id), written at a bounded rate.

    `observe` runs inside the room's relay and only stores the newest state in a dict; a task of
    its own writes what changed every `1 / per_second` seconds, so each client id produces at most
    `per_second` samples a second and the relay never waits on the disk.
    """

    def __init__(self, store: Store, *, per_second: float, max_bytes: int) -> None:
        self.store = store
        self.period = 1.0 / per_second
        self.max_bytes = max_bytes
        self._dirty: dict[tuple[str, str, int], _Sample] = {}
        self._task: asyncio.Task[None] | None = None

    def observe(
        self,
        session_id: str,
        doc: str,
        author: str,
        role: str,
        changes: list[tuple[int, str | None]],
    ) -> None:
        if doc not in SAMPLED_DOCS:
            return
        ts = now_ms()
        for client_id, state in changes:
            self._dirty[(session_id, doc, client_id)] = _Sample(author, role, state, ts)

    def _entry(self, key: tuple[str, str, int], sample: _Sample) -> NewEntry:
        session_id, doc, client_id = key
        state: Any = None
        data: dict[str, Any] = {"doc": doc, "client": client_id}
        if sample.state is not None:
            if len(sample.state) > self.max_bytes:
                data["too_large"] = True
            else:
                try:
                    state = json.loads(sample.state)
                except ValueError:
                    data["undecodable"] = True
        data["state"] = state
        return NewEntry(
            session_id, AWARENESS_DOC, sample.ts_ms, sample.author, sample.role, "awareness",
            encode(data),
        )  # fmt: skip

    async def flush(self) -> None:
        if not self._dirty:
            return
        batch, self._dirty = self._dirty, {}
        entries = [self._entry(k, s) for k, s in batch.items()]
        # Concurrent appends share one group commit.
        results = await asyncio.gather(
            *(self.store.append(e) for e in entries), return_exceptions=True
        )
        failed = sum(isinstance(r, BaseException) for r in results)
        if failed:
            log.warning("lost %d awareness samples (store error)", failed)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.period)
            try:
                await self.flush()
            except Exception:  # sampling must never take the server down
                log.exception("awareness sampling failed")

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="awareness-sampler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()


class RateLimiter:
    """At most `limit` events per `window` seconds per key (a sliding window of timestamps)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[tuple[str, ...], list[float]] = {}

    def allow(self, key: tuple[str, ...], now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        recent = [t for t in self._events.get(key, []) if now - t < self.window]
        if len(recent) >= self.limit:
            self._events[key] = recent
            return False
        recent.append(now)
        self._events[key] = recent
        if len(self._events) > 10_000:  # forget idle keys so memory stays bounded
            self._events = {
                k: v for k, v in self._events.items() if v and now - v[-1] < self.window
            }
        return True


async def append_signal(
    store: Store,
    session_id: str,
    author: str,
    role: str,
    kind: str,
    size: int | None,
    lines: int | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": kind}
    if size is not None:
        data["size"] = size
    if lines is not None:
        data["lines"] = lines
    ts = now_ms()
    seq = await store.append(
        NewEntry(session_id, SIGNALS_DOC, ts, author, role, "signal", encode(data))
    )
    return {"seq": seq, "ts_ms": ts, **data}


async def append_comment(
    store: Store, session_id: str, author: str, role: str, at_ms: int, text: str
) -> dict[str, Any]:
    ts = now_ms()
    data = {"at": at_ms, "text": text}
    seq = await store.append(
        NewEntry(session_id, COMMENTS_DOC, ts, author, role, "comment", encode(data))
    )
    return {"id": seq, "at": at_ms, "text": text, "author": author, "role": role, "ts_ms": ts}


async def list_comments(store: Store, session_id: str) -> list[dict[str, Any]]:
    entries = await store.read_log_range(session_id, COMMENTS_DOC, 0, kind="comment")
    out = []
    for e in entries:
        data = json.loads(e.data)
        out.append(
            {"id": e.seq, "at": data["at"], "text": data["text"], "author": e.author,
             "role": e.role, "ts_ms": e.ts_ms}
        )  # fmt: skip
    return sorted(out, key=lambda c: (c["at"], c["id"]))
