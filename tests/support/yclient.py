"""A minimal y-websocket client on pycrdt + websockets, speaking exactly what the stock JS client
speaks: SyncStep1 on open, SyncStep2 in reply, updates both ways, awareness.

Tests use it as "a second browser"; the stock JS client itself is exercised in tests/js.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

import websockets
from pycrdt import Doc, Text, TransactionEvent

from server.sync import protocol


class YClient:
    def __init__(self, url: str) -> None:
        self.url = url
        self.doc: Doc[Any] = Doc()
        self.ws: Any = None
        self.synced = asyncio.Event()
        self.awareness: dict[int, dict[str, Any] | None] = {}
        self.denied: list[str] = []
        self.received_frames = 0
        self._reader: asyncio.Task[None] | None = None
        self._applying_remote = False
        self.doc.observe(self._on_local_change)
        self.close_code: int | None = None

    @property
    def text(self) -> Text:
        return self.doc.get("source", type=Text)

    async def connect(self, **kwargs: Any) -> YClient:
        self.ws = await websockets.connect(self.url, max_size=None, compression=None, **kwargs)
        self._reader = asyncio.create_task(self._read_loop())
        await self.ws.send(protocol.encode_sync_step1(self.doc.get_state()))
        return self

    async def __aenter__(self) -> YClient:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader

    def _on_local_change(self, event: TransactionEvent) -> None:
        if self._applying_remote or self.ws is None:
            return
        frame = protocol.encode_sync_update(event.update)
        asyncio.get_running_loop().create_task(self._send(frame))

    async def _send(self, frame: bytes) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.ws.send(frame)

    async def send_raw(self, frame: bytes) -> None:
        await self.ws.send(frame)

    async def set_awareness(self, client_id: int, clock: int, state: dict[str, Any] | None) -> None:
        entry = protocol.AwarenessEntry(
            client_id, clock, None if state is None else json.dumps(state)
        )
        await self.ws.send(protocol.encode_awareness(protocol.encode_awareness_payload([entry])))

    def _apply_remote(self, update: bytes) -> None:
        self._applying_remote = True
        try:
            self.doc.apply_update(update)
        finally:
            self._applying_remote = False

    async def _read_loop(self) -> None:
        try:
            async for frame in self.ws:
                self.received_frames += 1
                message = protocol.decode_message(frame)
                if isinstance(message, protocol.SyncStep1):
                    update = self.doc.get_update(message.state_vector)
                    await self.ws.send(protocol.encode_sync_step2(update))
                elif isinstance(message, protocol.SyncStep2):
                    self._apply_remote(message.update)
                    self.synced.set()
                elif isinstance(message, protocol.SyncUpdate):
                    self._apply_remote(message.update)
                elif isinstance(message, protocol.AwarenessMessage):
                    for e in protocol.decode_awareness_payload(message.payload):
                        self.awareness[e.client_id] = (
                            None if e.state is None else json.loads(e.state)
                        )
                elif isinstance(message, protocol.AuthMessage):
                    self.denied.append(message.reason)
        except websockets.ConnectionClosed as exc:
            self.close_code = exc.rcvd.code if exc.rcvd else None
        finally:
            if self.close_code is None and self.ws is not None and self.ws.close_code is not None:
                self.close_code = self.ws.close_code


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    """Poll `predicate` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.01)
