"""A room: one Yjs doc of one session, its awareness, and the connections editing it.

Invariants:
- Persist before broadcast. A client's update is validated, appended to the log (durable), then
  applied to the room's doc and relayed. A server-side edit is applied first (that is how its
  update is produced); until it is durable, SyncStep2 answers wait, so no client ever sees state
  the log does not hold.
- The room's awareness has no local state. Each client id is owned by the connection that first
  announced it; only the owner may change it, and it is removed when that connection closes.
- Only accepted changes are relayed, re-encoded, never raw frames.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pycrdt import Doc, get_state

from server.clock import now_ms
from server.store.base import Checkpoint, NewEntry, Store
from server.sync import protocol
from server.sync.connection import Connection
from server.sync.doc_limits import DocBudget, DocLimits
from server.sync.peers import RoomPeers
from server.sync.updates import rebuild

log = logging.getLogger(__name__)

# One browser tab owns one awareness client id per doc; a few more allow for reconnect overlap.
# More than this from one socket is an attempt to flood the room's presence list.
MAX_AWARENESS_IDS_PER_CONNECTION = 4
EMPTY_UPDATE = b"\x00\x00"


class AwarenessSink(Protocol):
    """Told about every accepted awareness change (the recorder samples cursors from it)."""

    def observe(
        self, session_id: str, doc: str, author: str, role: str, changes: list[tuple[int, Any]]
    ) -> None:
        """`changes` is [(client id, state JSON or None)]; only note them, never await."""
        ...


class UpdateGuard(Protocol):
    """Checks what a client update does to a doc's content before it is stored (the notebook's
    cells: `server/sync/notebook_guard.py`); told of every update the doc takes otherwise."""

    def admit(self, doc: Doc[Any], update: bytes) -> str | None:
        """None to take `update`, else the refusal for its writer."""
        ...

    def follow(self, update: bytes) -> None:
        """The doc took `update` without `admit` (a server edit, another instance's update)."""
        ...

    def forget(self) -> None:
        """An admitted update was not taken after all (its append failed)."""
        ...


class UpdateRejected(Exception):
    """A client update that cannot be decoded; the sender is closed with 1002."""


class UpdateRefused(Exception):
    """A well-formed client update over a doc limit (`DocLimits`): dropped, and its sender is
    told why (the message) without being disconnected; nobody else sees it."""


@dataclass(slots=True)
class AwarenessRecord:
    clock: int
    state: str
    owner: Connection
    renewed_at: float


class Room:
    def __init__(
        self,
        session_id: str,
        name: str,
        store: Store,
        *,
        checkpoint_interval: int,
        peers: RoomPeers,
        awareness: AwarenessSink,
        limits: DocLimits | None = None,
        guard: UpdateGuard | None = None,
    ) -> None:
        self.session_id = session_id
        self.name = name
        self.store = store
        self.checkpoint_interval = checkpoint_interval
        self.peers = peers
        self.awareness_sink = awareness
        self.budget = None if limits is None else DocBudget(limits, name)
        self.guard = guard
        self.doc: Doc[Any] = Doc()
        self.connections: set[Connection] = set()
        self.seq = 0  # the highest seq of this doc's updates known to be durable
        self.checkpoint_seq = 0
        self.users = 0  # server-side holders (edits in progress) keeping the room loaded
        self.empty_since: float | None = time.monotonic()
        self._awareness: dict[int, AwarenessRecord] = {}
        # Two kinds of in-flight work, and who must wait for them:
        # - a client update being appended: the log is ahead of the doc (checkpoints wait);
        # - a server edit being appended: the doc is ahead of the log (SyncStep2 answers and
        #   checkpoints wait).
        self._appending = 0
        self._editing = 0
        self._doc_durable = asyncio.Event()  # set when no server edit is in flight
        self._doc_durable.set()
        self._quiet = asyncio.Event()  # set when nothing at all is in flight
        self._quiet.set()
        self._checkpointing: asyncio.Task[None] | None = None

    # --- loading and checkpoints --------------------------------------------------------------

    async def load(self) -> None:
        """State = latest checkpoint + the merged tail of updates after it (one apply, not N)."""
        checkpoint = await self.store.latest_checkpoint(self.session_id, self.name)
        after = checkpoint.seq if checkpoint else 0
        tail = await self.store.read_log(self.session_id, self.name, after, kind="update")
        rebuild(self.doc, checkpoint, tail)
        self.seq = max(after, await self.store.last_seq(self.session_id, self.name))
        self.checkpoint_seq = after

    async def checkpoint(self) -> None:
        """Write the full state if anything changed since the last checkpoint.

        Taken only when nothing is in flight, so the doc holds exactly the durable updates up to
        `self.seq`: the state and the seq it claims are read together, with no await between.
        """
        while not self._quiet.is_set():
            await self._quiet.wait()
        seq = self.seq
        if seq == self.checkpoint_seq:
            return
        state = self.doc.get_update()
        if self.budget is not None:
            self.budget.measured(len(state))
        await self.store.write_checkpoint(Checkpoint(self.session_id, self.name, seq, state))
        self.checkpoint_seq = max(self.checkpoint_seq, seq)

    def _maybe_checkpoint(self) -> None:
        due = self.seq - self.checkpoint_seq >= self.checkpoint_interval
        if due and (self._checkpointing is None or self._checkpointing.done()):
            self._checkpointing = asyncio.create_task(self.checkpoint())

    # --- updates ------------------------------------------------------------------------------

    def _begin(self, *, server_edit: bool) -> None:
        if server_edit:
            self._editing += 1
            self._doc_durable.clear()
        else:
            self._appending += 1
        self._quiet.clear()

    def _end(self, *, server_edit: bool) -> None:
        if server_edit:
            self._editing -= 1
            if self._editing == 0:
                self._doc_durable.set()
        else:
            self._appending -= 1
        if self._editing == 0 and self._appending == 0:
            self._quiet.set()

    async def _append(self, update: bytes, author: str, role: str) -> None:
        entry = NewEntry(self.session_id, self.name, now_ms(), author, role, "update", update)
        seq = await self.store.append(entry)
        if not self.peers.shared_log:
            self.seq = max(self.seq, seq)

    async def apply_client_update(self, sender: Connection, update: bytes) -> None:
        if update == EMPTY_UPDATE:
            return
        try:
            get_state(update)  # decodes every struct: a cheap full validation
        except ValueError as exc:
            raise UpdateRejected(str(exc)) from exc
        if self.budget is not None and (refusal := self.budget.admit(self.doc, update)):
            raise UpdateRefused(refusal)
        if self.guard is not None and (refusal := self.guard.admit(self.doc, update)):
            raise UpdateRefused(refusal)
        self._begin(server_edit=False)
        try:
            await self._append(update, sender.name, sender.role)
            self.doc.apply_update(update)
        except BaseException:
            if self.guard is not None:
                self.guard.forget()
            raise
        finally:
            self._end(server_edit=False)
        self.broadcast(protocol.encode_sync_update(update), exclude=sender)
        self._maybe_checkpoint()

    async def edit(self, change: Callable[[Doc[Any]], None], author: str, role: str) -> None:
        """A server-side change (console output, scenario seeds), logged like any other."""
        before = self.doc.get_state()
        with self.doc.transaction():
            change(self.doc)
        update = self.doc.get_update(before)
        if update == EMPTY_UPDATE:
            return
        if self.guard is not None:
            self.guard.follow(update)
        if self.budget is not None:
            self.budget.grew(len(update))
        self._begin(server_edit=True)
        try:
            await self._append(update, author, role)
        finally:
            self._end(server_edit=True)
        self.broadcast(protocol.encode_sync_update(update))
        self._maybe_checkpoint()

    def apply_remote(self, seq: int, update: bytes | None) -> None:
        """Entry `seq` of the shared log, in seq order (scale-out): an update another instance
        committed is applied and relayed; `None` (this instance's own entry, or a non-update
        record) only advances the seq. The seq advances first: an entry that fails to apply is
        skipped, not retried forever."""
        self.seq = max(self.seq, seq)
        if update is not None:
            self.doc.apply_update(update)
            if self.guard is not None:
                self.guard.follow(update)
            self.broadcast(protocol.encode_sync_update(update))
        self._maybe_checkpoint()

    async def sync_step2_for(self, state_vector: bytes) -> bytes:
        while not self._doc_durable.is_set():
            await self._doc_durable.wait()
        return protocol.encode_sync_step2(self.doc.get_update(state_vector))

    def broadcast(self, frame: bytes, exclude: Connection | None = None) -> None:
        for conn in list(self.connections):
            if conn is not exclude:
                conn.send(frame)

    # --- connections ----------------------------------------------------------------------------

    def join(self, conn: Connection) -> None:
        self.connections.add(conn)
        self.empty_since = None
        conn.send(protocol.encode_sync_step1(self.doc.get_state()))
        if self._awareness:
            conn.send(self._awareness_frame(list(self._awareness)))

    def leave(self, conn: Connection) -> None:
        self.connections.discard(conn)
        self._remove_awareness(list(conn.awareness_ids))
        if not self.connections:
            self.empty_since = time.monotonic()

    # --- awareness ------------------------------------------------------------------------------

    def _awareness_frame(self, client_ids: list[int]) -> bytes:
        entries = [
            protocol.AwarenessEntry(cid, rec.clock, rec.state)
            for cid in client_ids
            if (rec := self._awareness.get(cid)) is not None
        ]
        return protocol.encode_awareness(protocol.encode_awareness_payload(entries))

    def awareness_frame(self) -> bytes | None:
        """Every known state, as answered to a query-awareness message."""
        return self._awareness_frame(list(self._awareness)) if self._awareness else None

    def apply_awareness(self, conn: Connection, entries: list[protocol.AwarenessEntry]) -> None:
        if conn.closed:
            return  # a dropped connection's late frames must not bring its presence back
        now = time.monotonic()
        accepted: list[protocol.AwarenessEntry] = []
        for entry in entries:
            record = self._awareness.get(entry.client_id)
            if record is not None and record.owner is not conn:
                continue  # someone else's id: never let a socket speak for another
            if entry.state is None:
                if record is not None and entry.clock >= record.clock:
                    del self._awareness[entry.client_id]
                    conn.awareness_ids.discard(entry.client_id)
                    accepted.append(entry)
                continue
            if record is None:
                if len(conn.awareness_ids) >= MAX_AWARENESS_IDS_PER_CONNECTION:
                    continue
                conn.awareness_ids.add(entry.client_id)
            elif entry.clock <= record.clock:
                continue
            self._awareness[entry.client_id] = AwarenessRecord(entry.clock, entry.state, conn, now)
            accepted.append(entry)
        if accepted:
            frame = protocol.encode_awareness(protocol.encode_awareness_payload(accepted))
            self.broadcast(frame, exclude=conn)
            self.peers.relay_awareness(self.session_id, self.name, frame)
            changes: list[tuple[int, Any]] = [(e.client_id, e.state) for e in accepted]
            self.awareness_sink.observe(self.session_id, self.name, conn.name, conn.role, changes)

    def _remove_awareness(self, client_ids: list[int]) -> None:
        removed = []
        for cid in client_ids:
            record = self._awareness.pop(cid, None)
            if record is not None:
                record.owner.awareness_ids.discard(cid)
                removed.append(protocol.AwarenessEntry(cid, record.clock + 1, None))
                owner = record.owner  # the cursor leaves the recording too
                self.awareness_sink.observe(
                    self.session_id, self.name, owner.name, owner.role, [(cid, None)]
                )
        if removed:
            frame = protocol.encode_awareness(protocol.encode_awareness_payload(removed))
            self.broadcast(frame)
            self.peers.relay_awareness(self.session_id, self.name, frame)

    def tick(self, now: float, keepalive: float, awareness_timeout: float) -> None:
        """Periodic upkeep: drop stale awareness, keep quiet connections alive."""
        stale = [
            cid for cid, r in self._awareness.items() if now - r.renewed_at > awareness_timeout
        ]
        self._remove_awareness(stale)
        for conn in list(self.connections):
            if now - conn.last_sent >= keepalive:
                conn.send(protocol.KEEPALIVE)
