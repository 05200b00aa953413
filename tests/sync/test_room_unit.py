"""`Room` on its own: a real SQLite store and real `Connection`s whose frames stay in their queues.

No websocket and no server: each connection's send queue is read directly, so every invariant the
room states (persist before broadcast, awareness ownership, loading from a checkpoint plus the
merged tail) is checked frame by frame.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest
import pytest_asyncio
from pycrdt import Doc, Text
from starlette.websockets import WebSocket

from server.auth import Capability, Role
from server.scale.fanout import InProcessFanout
from server.store.base import Checkpoint, NewEntry
from server.store.sqlite import SQLiteStore
from server.sync import protocol
from server.sync.connection import Connection
from server.sync.room import MAX_AWARENESS_IDS_PER_CONNECTION, Room, UpdateRejected

pytestmark = pytest.mark.asyncio(loop_scope="function")


class Recorder:
    """The awareness sink: remembers what the room reported."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, list[tuple[int, Any]]]] = []

    def observe(
        self, session_id: str, doc: str, author: str, role: str, changes: list[tuple[int, Any]]
    ) -> None:
        self.seen.append((author, role, changes))


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "room.sqlite3")
    await s.open()
    yield s
    await s.close()


def make_room(store: SQLiteStore, recorder: Recorder | None = None) -> Room:
    return Room(
        "s1",
        "code",
        store,
        checkpoint_interval=1000,
        peers=InProcessFanout(),
        awareness=recorder or Recorder(),
    )


def connection(room: Room, name: str, role: Role = "candidate") -> Connection:
    capability = Capability("s1", role, name, issued_at_ms=0, expires_at=2**40)
    websocket = cast(WebSocket, object())  # never touched: the send loop is not started
    return Connection(websocket, capability, writable=True, queue_limit=64, on_abort=room.leave)


def frames(conn: Connection) -> list[protocol.Message]:
    out = []
    while not conn.queue.empty():
        frame = conn.queue.get_nowait()
        assert frame is not None
        out.append(protocol.decode_message(frame))
    return out


def typed(text: str) -> bytes:
    doc: Doc[Any] = Doc()
    doc.get("source", type=Text).insert(0, text)
    return doc.get_update()


async def test_a_client_update_is_in_the_log_before_any_other_connection_is_sent_it(
    store: SQLiteStore,
) -> None:
    room = make_room(store)
    alice, bob = connection(room, "Alice"), connection(room, "Bob")
    room.join(alice)
    room.join(bob)
    frames(alice), frames(bob)  # the join's step 1
    original_append = store.append
    seen_at_append: list[int] = []

    async def append(entry: NewEntry) -> int:
        seen_at_append.append(bob.queue.qsize())
        return await original_append(entry)

    store.append = append  # type: ignore[method-assign]
    update = typed("hello")
    await room.apply_client_update(alice, update)
    assert seen_at_append == [0]  # nothing had been relayed when the log append began
    assert [e.data for e in await store.read_log("s1", "code", 0)] == [update]
    assert frames(bob) == [protocol.SyncUpdate(update)]
    assert frames(alice) == []  # never echoed to its sender
    assert str(room.doc.get("source", type=Text)) == "hello" and room.seq == 1


async def test_an_undecodable_update_is_rejected_and_nothing_is_logged(store: SQLiteStore) -> None:
    room = make_room(store)
    alice = connection(room, "Alice")
    room.join(alice)
    with pytest.raises(UpdateRejected):
        await room.apply_client_update(alice, b"\x01\x02\x03not-yjs")
    assert await store.last_seq("s1", "code") == 0


async def test_awareness_ids_belong_to_the_connection_that_announced_them(
    store: SQLiteStore,
) -> None:
    recorder = Recorder()
    room = make_room(store, recorder)
    alice, mallory = connection(room, "Alice"), connection(room, "Mallory")
    room.join(alice)
    room.join(mallory)
    frames(alice), frames(mallory)
    room.apply_awareness(alice, [protocol.AwarenessEntry(7, 1, '{"cursor":1}')])
    room.apply_awareness(mallory, [protocol.AwarenessEntry(7, 5, '{"cursor":"hijacked"}')])
    room.apply_awareness(mallory, [protocol.AwarenessEntry(7, 6, None)])  # nor remove it
    assert room.awareness_frame() == protocol.encode_awareness(
        protocol.encode_awareness_payload([protocol.AwarenessEntry(7, 1, '{"cursor":1}')])
    )
    assert recorder.seen == [("Alice", "candidate", [(7, '{"cursor":1}')])]
    room.leave(alice)  # browsers send no goodbye: leaving removes what the connection owned
    removal = protocol.AwarenessEntry(7, 2, None)
    expected = protocol.encode_awareness(protocol.encode_awareness_payload([removal]))
    assert frames(mallory)[-1] == protocol.decode_message(expected)
    assert recorder.seen[-1] == ("Alice", "candidate", [(7, None)])
    assert room.awareness_frame() is None


async def test_one_connection_cannot_flood_the_presence_list(store: SQLiteStore) -> None:
    room = make_room(store)
    alice = connection(room, "Alice")
    room.join(alice)
    entries = [protocol.AwarenessEntry(i, 1, "{}") for i in range(50)]
    room.apply_awareness(alice, entries)
    assert alice.awareness_ids == set(range(MAX_AWARENESS_IDS_PER_CONNECTION))


async def test_loading_takes_the_checkpoint_plus_the_tail_and_skips_one_bad_entry(
    store: SQLiteStore,
) -> None:
    doc: Doc[Any] = Doc()
    text = doc.get("source", type=Text)
    updates = []
    for piece in ("one ", "two ", "three"):
        before = doc.get_state()
        text.insert(len(text), piece)
        updates.append(doc.get_update(before))
    for i, update in enumerate(updates[:2]):
        await store.append(NewEntry("s1", "code", i, "a", "candidate", "update", update))
    await store.write_checkpoint(Checkpoint("s1", "code", 2, doc_state_of(updates[:2])))
    await store.append(NewEntry("s1", "code", 3, "a", "candidate", "update", b"\xff\xfe"))
    await store.append(NewEntry("s1", "code", 4, "a", "candidate", "update", updates[2]))
    room = make_room(store)
    await room.load()
    assert str(room.doc.get("source", type=Text)) == "one two three"
    assert (room.seq, room.checkpoint_seq) == (4, 2)


def doc_state_of(updates: list[bytes]) -> bytes:
    doc: Doc[Any] = Doc()
    for update in updates:
        doc.apply_update(update)
    return doc.get_update()


async def test_a_sync_step2_waits_until_a_server_edit_is_durable(store: SQLiteStore) -> None:
    room = make_room(store)
    release = asyncio.Event()
    original_append = store.append

    async def slow_append(entry: NewEntry) -> int:
        await release.wait()
        return await original_append(entry)

    store.append = slow_append  # type: ignore[method-assign]
    edit = asyncio.create_task(
        room.edit(lambda d: d.get("source", type=Text).insert(0, "seeded"), "server", "system")
    )
    await asyncio.sleep(0)
    answer = asyncio.create_task(room.sync_step2_for(Doc().get_state()))
    await asyncio.sleep(0.05)
    assert not answer.done()  # the doc holds an edit the log does not have yet
    release.set()
    await edit
    step2 = protocol.decode_message(await answer)
    assert isinstance(step2, protocol.SyncStep2)
    fresh: Doc[Any] = Doc()
    fresh.apply_update(step2.update)
    assert str(fresh.get("source", type=Text)) == "seeded"


async def test_upkeep_renews_quiet_connections_and_drops_stale_presence(
    store: SQLiteStore,
) -> None:
    room = make_room(store)
    alice, bob = connection(room, "Alice"), connection(room, "Bob")
    room.join(alice)
    room.join(bob)
    room.apply_awareness(alice, [protocol.AwarenessEntry(3, 1, "{}")])
    frames(alice), frames(bob)
    later = alice.last_sent + 40.0
    room.tick(later, keepalive=10.0, awareness_timeout=30.0)
    bob_frames = frames(bob)
    assert bob_frames[0] == protocol.decode_message(
        protocol.encode_awareness(
            protocol.encode_awareness_payload([protocol.AwarenessEntry(3, 2, None)])
        )
    )
    assert bob_frames[-1] == protocol.decode_message(protocol.KEEPALIVE)
    assert room.awareness_frame() is None
