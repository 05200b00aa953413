"""One websocket of one participant on one doc: who it is, and a bounded queue of frames to send.

Sending never blocks the sender of an update. Under `pairboard serve` a frame is handed straight to
the websocket protocol's `FrameWriter` (`transport.py`: framed at once, written with the
connection's other frames of the same loop iteration), and held here only while the socket's
buffer is over its high-water mark; under any other ASGI server frames go into a queue that a task
of this connection writes out. Either way, a reader too slow to keep up overflows `queue_limit`
held frames and is disconnected with 1013 ("try again later"); on reconnect the y-websocket
handshake resyncs it, so nothing is lost and the room never holds unbounded memory for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.websockets import WebSocket, WebSocketState

from server.auth import Capability
from server.permissions import Decision
from server.sync.protocol import AwarenessEntry
from server.sync.transport import FRAMES_EXTENSION, FrameWriter

log = logging.getLogger(__name__)

CLOSE_PROTOCOL_ERROR = 1002
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL_ERROR = 1011
CLOSE_TRY_AGAIN_LATER = 1013
# The session was erased (server/privacy/erase.py): nothing to reconnect to. An application
# code (4000-4999), after HTTP's 410 Gone; the reconnect that follows is refused with 403.
CLOSE_ERASED = 4410


def frame_writer_of(websocket: WebSocket) -> FrameWriter | None:
    """The direct frame path, when the websocket protocol serving this socket offers one."""
    writer = (websocket.scope.get("extensions") or {}).get(FRAMES_EXTENSION)
    return writer if isinstance(writer, FrameWriter) else None


@dataclass(eq=False)
class Connection:
    websocket: WebSocket
    capability: Capability
    writable: bool  # may this connection write the doc at all (role x doc)
    queue_limit: int
    # Called once when the server drops this connection (a slow reader): the room forgets it at
    # once, instead of after a close handshake that a stalled peer may never complete.
    on_abort: Callable[[Connection], None]
    queue: asyncio.Queue[bytes | None] = field(init=False)
    # The protocol's direct path (`frame_writer_of`; None under another ASGI server), and the
    # frames held while the socket cannot take more.
    writer: FrameWriter | None = None
    held: deque[bytes] = field(default_factory=deque)
    awareness_ids: set[int] = field(default_factory=set)
    last_sent: float = field(default_factory=time.monotonic)
    next_awareness_at: float = 0.0
    pending_awareness: list[AwarenessEntry] | None = None
    last_denied_notice: float = 0.0
    # The last write decision, with the session record and `Sessions.generation` it was taken
    # from: it is taken again only when either changed, not for every update.
    write_decision: tuple[object, int, Decision] | None = None
    closed: bool = False
    _sender: asyncio.Task[None] | None = None
    # Frames queued and written so far, and who waits for a count to be written (`written`).
    _queued: int = 0
    _written: int = 0
    _write_waiters: list[tuple[int, asyncio.Future[None]]] = field(default_factory=list)
    _closing: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(self.queue_limit)

    @property
    def name(self) -> str:
        return self.capability.name

    @property
    def role(self) -> str:
        return self.capability.role

    def start(self) -> None:
        if self.writer is not None:
            self.writer.on_writable = self._release_held
            return
        self._sender = asyncio.create_task(self._send_loop(), name=f"send:{self.name}")

    def send(self, frame: bytes) -> None:
        """Send or queue a frame; too many waiting means a slow reader, which is disconnected."""
        if self.closed:
            return
        writer = self.writer
        if writer is None:
            try:
                self.queue.put_nowait(frame)
            except asyncio.QueueFull:
                self._overflow()
                return
        elif self.held or not writer.writable:
            if len(self.held) >= self.queue_limit:
                self._overflow()
                return
            self.held.append(frame)
        else:
            writer.write(frame)  # sent in this loop iteration: counted as written
            self._written += 1
        self._queued += 1
        self.last_sent = time.monotonic()
        if self._write_waiters and self._written >= self._queued:
            self._wake_writers()

    def _overflow(self) -> None:
        log.warning("send queue full for %s (%s): disconnecting", self.name, self.role)
        self.abort(CLOSE_TRY_AGAIN_LATER, "send queue overflow; reconnect to resync")

    def _release_held(self) -> None:
        """The socket takes data again: the held frames go, in order, until it is full again
        (it only says so once they were written, so they all go now)."""
        writer = self.writer
        while self.held and writer is not None and writer.writable and not self.closed:
            writer.write(self.held.popleft())
            self._written += 1
        if self._write_waiters:
            self._wake_writers()

    def written(self) -> asyncio.Future[None]:
        """Done once every frame queued so far is written to the socket, or the connection is
        closed (a run's trace times its relay with it: server/run_trace.py)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.closed or self._written >= self._queued:
            done.set_result(None)
        else:
            self._write_waiters.append((self._queued, done))
        return done

    def _wake_writers(self, everyone: bool = False) -> None:
        waiting = []
        for target, done in self._write_waiters:
            if everyone or self._written >= target:
                if not done.done():
                    done.set_result(None)
            else:
                waiting.append((target, done))
        self._write_waiters = waiting

    def abort(self, code: int, reason: str) -> None:
        """Close from any context; the send loop stops and the socket closes with `code`."""
        if self.closed:
            return
        self.closed = True
        self.on_abort(self)
        self._wake_writers(everyone=True)
        # Drop what is queued: a closing socket must not keep writing a backlog.
        self.held.clear()
        if self.writer is not None:
            self.writer.discard()
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)
        self._closing = asyncio.get_running_loop().create_task(self._close(code, reason))

    async def _close(self, code: int, reason: str) -> None:
        if self.websocket.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self.websocket.close(code, reason)

    async def _send_loop(self) -> None:
        try:
            while True:
                frame = await self.queue.get()
                if frame is None:
                    return
                await self.websocket.send_bytes(frame)
                self._written += 1
                if self._write_waiters:
                    self._wake_writers()
        except Exception:  # the peer went away; the receive side notices and cleans up
            self.closed = True
            self._wake_writers(everyone=True)

    async def stop(self) -> None:
        self.closed = True
        self._wake_writers(everyone=True)
        if self.writer is not None:
            self.writer.on_writable = None
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
        if self._closing is not None:
            # The close frame goes out before the handler returns (the socket closes then).
            await self._closing
