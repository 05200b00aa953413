"""The direct frame path (server/sync/transport.py) writes exactly the frames websockets would."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
import websockets
from websockets.asyncio.client import connect
from websockets.frames import Frame, Opcode

from server.sync.transport import FRAMES_EXTENSION, SyncWebSocketProtocol, frame_header


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_frame_header_plus_payload_equals_websockets_own_unmasked_binary_frame(length: int) -> None:
    payload = bytes(i % 251 for i in range(length))
    theirs = Frame(Opcode.BINARY, payload).serialize(mask=False, extensions=[])
    assert frame_header(length) + payload == theirs


def test_frame_header_uses_the_shortest_length_encoding() -> None:
    assert frame_header(125) == b"\x82\x7d"
    assert frame_header(126) == b"\x82\x7e\x00\x7e"
    assert frame_header(65536) == b"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00"


# --- on a real socket: uvicorn with the protocol, the `websockets` client ---------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, ws=SyncWebSocketProtocol, lifespan="off"
    )
    config.log_level = "warning"
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(3000):  # up to 30 s on a loaded machine
        if server.started:
            break
        await asyncio.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


PAYLOADS = [bytes([i % 256]) * (i * 97 % 70_000) for i in range(300)]


async def test_frames_written_through_the_extension_arrive_in_order_then_the_close_code() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        writer = scope["extensions"][FRAMES_EXTENSION]
        await send({"type": "websocket.accept"})
        for payload in PAYLOADS:  # all in one loop iteration: they share writes
            writer.write(payload)
        assert (await receive())["bytes"] == b"got them"
        writer.write(b"last")  # written, then the close: it must still come first
        await send({"type": "websocket.close", "code": 4410})

    async with serving(app) as url, connect(url, max_size=None) as ws:
        received = [await ws.recv() for _ in PAYLOADS]
        assert received == PAYLOADS
        await ws.send(b"got them")
        assert await ws.recv() == b"last"
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 4410


async def test_a_refusal_before_accept_is_still_an_http_403() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.close", "code": 1008})

    async with serving(app) as url:
        with pytest.raises(websockets.InvalidStatus) as refused:
            await connect(url)
    assert refused.value.response.status_code == 403
