"""The durable stores' erase, on SQLite and PostgreSQL: one transaction removes the session's
rows and appends its audit entry with the counts; afterwards the session's tombstone turns
every late write into nothing (the Redis mover importing entries it read before the erase, a
room's checkpoint, an append still in the group commit), while other sessions write on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from server.audit.model import ADMIN, AuditKind, AuditQuery, NewAuditEntry
from server.store.base import Checkpoint, LogEntry, NewEntry, SessionRecord
from server.store.postgres import PostgresStore
from server.store.sqlite import SQLiteStore
from tests.scale.postgres import fresh_database

ERASED = NewAuditEntry(
    5000, AuditKind.SESSION_ERASED, ADMIN, "127.0.0.1", "gone", {"state": "ended"}
)


def entry(session_id: str, seq: int) -> LogEntry:
    return LogEntry(session_id, "code", seq, 1000 + seq, "ann", "candidate", "update", b"u")


@pytest.fixture(scope="module")
def postgres_dsn() -> Iterator[str]:
    yield from fresh_database()


@pytest.fixture(params=["sqlite", "postgres"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[SQLiteStore | PostgresStore]:
    made: SQLiteStore | PostgresStore
    if request.param == "sqlite":
        made = SQLiteStore(tmp_path / "erase.sqlite3")
    else:
        made = PostgresStore(request.getfixturevalue("postgres_dsn"))
    await made.open()
    yield made
    await made.close()


async def test_an_erase_removes_the_session_in_one_step_and_late_writes_of_it_write_nothing(
    store: SQLiteStore | PostgresStore,
) -> None:
    for sid in ("gone", "kept"):
        await store.create_session(SessionRecord(sid, "t", None, 1, "ended", 2, {"names": {}}))
        await store.import_entries([entry(sid, 1), entry(sid, 2)])
        await store.write_checkpoint(Checkpoint(sid, "code", 2, b"state"))
        assert await store.claim(sid, "event:e1")

    rows = await store.erase_session("gone", ERASED)

    assert (rows.sessions, rows.log, rows.checkpoints, rows.claims) == (1, 2, 1, 1)
    [audited] = await store.read_audit(AuditQuery(resource="gone"))
    assert audited.details == {
        "state": "ended",
        "removed": {"sessions": 1, "log": 2, "checkpoints": 1, "claims": 1},
    }
    assert await store.is_erased("gone") and not await store.is_erased("kept")
    # Late writes: the mover's import, a checkpoint, an append.
    await store.import_entries([entry("gone", 3), entry("kept", 3)])
    await store.write_checkpoint(Checkpoint("gone", "code", 3, b"state"))
    await store.write_checkpoint(Checkpoint("kept", "code", 3, b"state"))
    with pytest.raises(ValueError, match="session gone was erased"):
        await store.append(NewEntry("gone", "code", 9, "ann", "candidate", "update", b"u"))
    assert await store.read_log("gone", "code", 0) == []
    assert await store.list_checkpoints("gone", "code") == []
    assert await store.get_session("gone") is None
    stale = SessionRecord("gone", "t", None, 1, "ended", 2, {"names": {"candidate": "Jane"}})
    await store.update_session(stale)  # a save from a copy read before the erase
    assert await store.get_session("gone") is None
    assert [e.seq for e in await store.read_log("kept", "code", 0)] == [1, 2, 3]
    assert [c.seq for c in await store.list_checkpoints("kept", "code")] == [2, 3]
    assert await store.append(NewEntry("kept", "code", 9, "ann", "candidate", "update", b"u")) == 4
    assert await store.claim("kept", "event:e1") is False
