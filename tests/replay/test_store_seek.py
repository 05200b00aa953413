"""Seeking costs one checkpoint plus a merged tail; sampling coalesces; retention deletes old."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from pycrdt import Doc, Text

from server.replay.archive import rebuild_checkpoints
from server.replay.records import AWARENESS_DOC, AwarenessSampler
from server.replay.retention import DAY_MS, purge_once
from server.replay.state import doc_at_time
from server.store.base import Checkpoint, LogEntry, NewEntry, SessionRecord
from server.store.sqlite import SQLiteStore

pytestmark = pytest.mark.asyncio(loop_scope="function")
T0 = 1_700_000_000_000


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "s.sqlite3")
    await s.open()
    yield s
    await s.close()


class CountingStore:
    """The real store, counting the log entries a seek reads; `fast` offers SQLite's one-trip
    `seek_at`, otherwise the seek composes the `Store` protocol's primitives (other stores)."""

    def __init__(self, inner: SQLiteStore, *, fast: bool) -> None:
        self.inner = inner
        self.read = 0
        if fast:
            self.seek_at = self._seek_at

    def __getattr__(self, name: str) -> Any:
        if name == "seek_at":
            raise AttributeError(name)
        return getattr(self.inner, name)

    async def read_log_range(self, *args: Any, **kwargs: Any) -> list[LogEntry]:
        entries = await self.inner.read_log_range(*args, **kwargs)
        self.read += len(entries)
        return entries

    async def _seek_at(self, *args: Any) -> tuple[Checkpoint | None, list[LogEntry]]:
        checkpoint, tail = await self.inner.seek_at(*args)
        self.read += len(tail)
        return checkpoint, tail


async def test_seek_reads_one_checkpoint_and_only_the_tail_after_it(store: SQLiteStore) -> None:
    doc: Doc[Any] = Doc()
    text = doc.get("source", type=Text)
    texts = []
    for i in range(1000):  # one character a second, a checkpoint every 100 updates
        before = doc.get_state()
        text.insert(len(text), chr(97 + i % 26))
        await store.append(NewEntry("s", "code", T0 + i * 1000, "a", "candidate", "update",
                                    doc.get_update(before)))  # fmt: skip
        texts.append(str(text))
        if (i + 1) % 100 == 0:
            await store.write_checkpoint(Checkpoint("s", "code", i + 1, doc.get_update()))
    for fast in (True, False):
        counting = CountingStore(store, fast=fast)
        for i in (0, 99, 100, 555, 999):
            at = T0 + i * 1000 + 500
            seeked = await doc_at_time(counting, "s", "code", at)  # type: ignore[arg-type]
            assert str(seeked.get("source", type=Text)) == texts[i]
        # Seqs 1, 100, 101, 556, 1000 after checkpoints -, 100, 100, 500, 1000: tails of 1, 0,
        # 1, 56 and 0 entries, never the 1000 from the start.
        assert counting.read == 1 + 0 + 1 + 56 + 0
    before_start = await doc_at_time(store, "s", "code", T0 - 1)
    assert str(before_start.get("source", type=Text)) == ""


async def test_awareness_sampler_writes_only_the_latest_state_per_client_per_tick(
    store: SQLiteStore,
) -> None:
    sampler = AwarenessSampler(store, per_second=5, max_bytes=64)
    for i in range(50):
        sampler.observe("s", "code", "Ann", "candidate", [(7, f'{{"cursor": {i}}}')])
    sampler.observe("s", "code", "Ann", "candidate", [(8, '{"pad": "' + "x" * 100 + '"}')])
    sampler.observe("s", "console", "Ann", "candidate", [(9, "{}")])  # not a sampled doc
    await sampler.flush()
    entries = await store.read_log_range("s", AWARENESS_DOC, 0)
    assert [e.data for e in entries] == [
        b'{"doc":"code","client":7,"state":{"cursor":49}}',
        b'{"doc":"code","client":8,"too_large":true,"state":null}',
    ]


async def test_retention_deletes_only_recordings_older_than_the_setting(
    store: SQLiteStore,
) -> None:
    now = T0 + 100 * DAY_MS
    old = SessionRecord("old", "t", None, T0, "ended", ended_at_ms=now - 31 * DAY_MS)
    recent = SessionRecord("new", "t", None, T0, "ended", ended_at_ms=now - 29 * DAY_MS)
    busy = SessionRecord("busy", "t", None, T0, "live")
    for record in (old, recent, busy):
        await store.create_session(record)
        await store.append(NewEntry(record.id, "code", T0, "a", "candidate", "update", b"\x00\x00"))
    deleted = await purge_once(store, 30, in_use=lambda sid: sid == "busy", now_ms=now)
    assert deleted == ["old"]
    assert await store.get_session("old") is None and await store.log_docs("old") == []
    assert await store.get_session("new") is not None
    assert await store.last_seq("busy", "code") == 1


async def test_rebuilt_checkpoints_hold_the_state_of_the_log_up_to_their_seq() -> None:
    doc: Doc[Any] = Doc()
    text = doc.get("source", type=Text)
    entries, states = [], {}
    for i in range(25):
        before = doc.get_state()
        text.insert(0 if i % 3 else len(text), str(i % 10))
        entries.append(LogEntry("s", "code", i + 1, T0 + i, "a", "candidate", "update",
                                doc.get_update(before)))  # fmt: skip
        states[i + 1] = str(text)
    entries.append(LogEntry("s", "awareness", 1, T0, "a", "candidate", "awareness", b"{}"))
    checkpoints = rebuild_checkpoints(entries, 10)
    assert [(c.doc, c.seq) for c in checkpoints] == [("code", 10), ("code", 20)]
    for c in checkpoints:
        rebuilt: Doc[Any] = Doc()
        rebuilt.apply_update(c.state)
        assert str(rebuilt.get("source", type=Text)) == states[c.seq]
