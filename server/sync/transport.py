"""The websocket protocol `pairboard serve` runs: uvicorn's own (websockets' sans-I/O protocol)
with a direct path for the sync endpoint's frames.

Through ASGI, every outgoing frame costs a task wake-up (the connection's send loop), the
`websocket.send` message dict, Starlette's state checks, uvicorn's `send` coroutine, websockets'
`Frame` object and one `write(2)`; and every incoming frame pauses and resumes the socket's reads.
For a doc relaying a one-character edit that was most of the server's CPU. This protocol keeps
everything else (the handshake, and so every refusal before accept with its HTTP status, the
close codes, pings, the limits) and adds, in the scope's extensions under `FRAMES_EXTENSION`, a
`FrameWriter` the endpoint writes binary frames through without awaiting: frames are framed here
(a server's frames are unmasked; no extension is ever negotiated, `ws_per_message_deflate` is off)
and all of a connection's frames of one event-loop iteration leave in one `write(2)`. Reads are
paused only when a connection has `READ_AHEAD_FRAMES` frames its handler has not taken yet.

Nothing of this is visible to a client: it sees the same frames, in the same order.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

FRAMES_EXTENSION = "pairboard.frames"
# Frames a connection may have received and not yet handled before its socket is read no more
# (TCP then pushes back on the client). uvicorn pauses after every single frame.
READ_AHEAD_FRAMES = 16

_BINARY_FIN = 0x82


def frame_header(length: int) -> bytes:
    """The header of an unmasked, final, binary frame of `length` bytes (RFC 6455, 5.2)."""
    if length < 126:
        return bytes((_BINARY_FIN, length))
    if length < 1 << 16:
        return struct.pack("!BBH", _BINARY_FIN, 126, length)
    return struct.pack("!BBQ", _BINARY_FIN, 127, length)


class FrameWriter:
    """What the sync endpoint writes a connection's frames through (one per websocket)."""

    def __init__(self, protocol: SyncWebSocketProtocol) -> None:
        self._protocol = protocol
        self._out: list[bytes] = []
        self._flush_due = False
        # Called when the transport takes data again after `writable` went False.
        self.on_writable: Callable[[], None] | None = None

    @property
    def writable(self) -> bool:
        """False while the transport's buffer is over its high-water mark (a slow reader):
        the caller holds its frames, and learns through `on_writable` when to go on."""
        return self._protocol.writable.is_set()

    @property
    def open(self) -> bool:
        p = self._protocol
        return p.handshake_complete and not p.close_sent and not p.disconnected

    def write(self, frame: bytes) -> None:
        """Frame `frame` as one binary message; it leaves with this iteration's others."""
        if not self.open:
            return
        self._out.append(frame_header(len(frame)))
        self._out.append(frame)
        if not self._flush_due:
            self._flush_due = True
            self._protocol.loop.call_soon(self.flush)

    def flush(self) -> None:
        self._flush_due = False
        if self._out:
            out, self._out = self._out, []
            if self.open:
                self._protocol.transport.write(b"".join(out))

    def discard(self) -> None:
        """Drop what has not left yet: a connection being closed must not write a backlog."""
        self._out.clear()


class SyncWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websocket protocol plus the `FrameWriter` extension and fewer read pauses."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frame_writer = FrameWriter(self)

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)  # set only when the handshake can go on
        if scope is not None:
            scope["extensions"][FRAMES_EXTENSION] = self.frame_writer

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.frame_writer.on_writable is not None:
            self.frame_writer.on_writable()

    async def send(self, message: Any) -> None:
        if message["type"] == "websocket.close":
            # Frames already written go first, as they would have through `send`.
            self.frame_writer.flush()
        await super().send(message)

    def send_receive_event_to_app(self) -> None:
        """uvicorn's, except that reading pauses at `READ_AHEAD_FRAMES` queued frames, not 1."""
        data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
        self.frames = []
        if self.close_sent:
            return  # past `websocket.close`: read on until the peer's close reply
        if self.curr_msg_data_type == "text":
            try:
                self.queue.put_nowait({"type": "websocket.receive", "text": data.decode()})
            except UnicodeDecodeError:
                self.logger.exception("Invalid UTF-8 sequence received from client.")
                self.conn.send_close(1007)
                self.handle_parser_exception()
                return
        else:
            self.queue.put_nowait({"type": "websocket.receive", "bytes": data})
        if not self.read_paused and self.queue.qsize() >= READ_AHEAD_FRAMES:
            self.read_paused = True
            self.transport.pause_reading()
