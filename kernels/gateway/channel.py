"""One websocket per kernel, shared by every execution on it and routed by msg_id.

The gateway relays all of a kernel's channels (shell, iopub, control, ...) over one websocket.
A single reader task decodes each frame, finds the run whose request the message answers (its
`parent_header.msg_id`), lets that run's `RunTracker` turn it into events, and queues them. So
concurrent runs never see each other's output, a slow consumer never blocks the socket, and the
output cap drops the excess here, before it is queued.

Unsolicited `restarting`/`dead` status messages (the gateway's own, sent when the kernel died and
its restarter stepped in) and a lost socket end every pending run: the kernel they ran in is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from kernels.messages import (
    WS_V1_PROTOCOL,
    Message,
    RunTracker,
    decode_ws_json,
    decode_ws_v1,
    encode_ws_json,
    encode_ws_v1,
    new_message,
    parent_id,
)
from kernels.provider import Event, RunStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KernelGone:
    """Queued to a run when its kernel died or the socket to it was lost."""

    status: RunStatus  # killed: the kernel died; interrupted: restarted; error: connection lost
    reason: str


@dataclass(frozen=True)
class RunComplete:
    """Queued once the run's reply and its idle status have both arrived."""


Item = Event | KernelGone | RunComplete


@dataclass
class PendingRun:
    """What the reader needs for one execution: its tracker and the queue its events go to."""

    tracker: RunTracker
    queue: asyncio.Queue[Item] = field(default_factory=asyncio.Queue)
    done: bool = False

    def put(self, item: Item) -> None:
        if not self.done:
            self.queue.put_nowait(item)
            self.done = isinstance(item, KernelGone | RunComplete)


class KernelChannel:
    """An open websocket to one kernel plus the reader task that routes its messages."""

    def __init__(self, ws: ClientConnection, session: str) -> None:
        self.session = session
        self._ws = ws
        self._binary = ws.subprotocol == WS_V1_PROTOCOL
        self._runs: dict[str, PendingRun] = {}
        self._nudges: dict[str, asyncio.Event] = {}
        # Set when the gateway restarted the kernel by itself (it died); the next run says so.
        self.died_since_last_run = False
        # The gateway's restarter gives a dead kernel new ports, but this socket's ZMQ streams
        # stay connected to the old ones: after a restart the socket must be replaced.
        self._stale = False
        self._reader = asyncio.create_task(self._read(), name="kernel-channel-reader")

    @classmethod
    async def open(
        cls,
        url: str,
        headers: dict[str, str],
        session: str,
        open_timeout_s: float,
        max_message_bytes: int,
        binary: bool = True,
    ) -> KernelChannel:
        """Connect, preferring the binary v1 framing; the gateway picks JSON if it lacks v1."""
        ws = await connect(
            url,
            additional_headers=headers,
            subprotocols=[Subprotocol(WS_V1_PROTOCOL)] if binary else None,
            compression=None,  # loopback or a cluster network: deflate costs more than it saves
            open_timeout=open_timeout_s,
            max_size=max_message_bytes,
            max_queue=64,
        )
        channel = cls(ws, session)
        try:
            await channel.nudge(open_timeout_s)
        except BaseException:
            await channel.close()
            raise
        return channel

    async def nudge(self, limit_s: float) -> None:
        """Wait until the gateway relays this kernel's iopub to us, so no output can be missed.

        The gateway subscribes to iopub when the socket opens, and a ZMQ subscription takes a
        moment to start delivering. The gateway "nudges" the kernel until it does, but skips that
        when it believes the kernel is busy, which it still does right after a restart: the first
        run's outputs were then lost. So we nudge too: `kernel_info_request` on the control
        channel (answered even while shell is busy) until an iopub message caused by one of ours
        arrives.
        """
        seen = asyncio.Event()
        deadline = asyncio.get_running_loop().time() + limit_s
        while not seen.is_set():
            msg = new_message("kernel_info_request", {}, self.session)
            self._nudges[msg["msg_id"]] = seen
            await self.send("control", msg)
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                log.warning("kernel iopub not confirmed after %.1f s; continuing", limit_s)
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(seen.wait(), timeout=min(0.2, remaining))
        self._nudges.clear()

    @staticmethod
    def new_session() -> str:
        """A fresh Jupyter session id: the gateway uses it as this socket's ZMQ identity."""
        return uuid.uuid4().hex

    @property
    def is_open(self) -> bool:
        """False once the socket is gone or the kernel behind it was replaced."""
        return not self._reader.done() and not self._stale

    @property
    def binary(self) -> bool:
        """True when the gateway accepted the v1 binary framing."""
        return self._binary

    async def submit(self, channel: str, msg: Message, tracker: RunTracker) -> PendingRun:
        """Register a run for `msg`'s replies, then send `msg`; registering first loses nothing."""
        run = PendingRun(tracker)
        self._runs[tracker.msg_id] = run
        try:
            await self.send(channel, msg)
        except ConnectionClosed:
            self._runs.pop(tracker.msg_id, None)
            raise
        return run

    async def send(self, channel: str, msg: Message) -> None:
        frame = encode_ws_v1(channel, msg) if self._binary else encode_ws_json(channel, msg)
        await self._ws.send(frame)

    def forget(self, msg_id: str) -> None:
        """Stop routing replies of `msg_id` (its run ended or its consumer went away)."""
        self._runs.pop(msg_id, None)

    def fail_all(self, gone: KernelGone) -> None:
        """End every pending run with `gone` (kernel restarted, died, or socket lost)."""
        runs, self._runs = self._runs, {}
        for run in runs.values():
            run.put(gone)

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        await self._ws.close()
        self.fail_all(KernelGone("error", "the connection to the kernel was closed"))

    async def _read(self) -> None:
        try:
            async for frame in self._ws:
                self._route(frame)
        except ConnectionClosed as exc:
            log.info("kernel websocket closed: %s", exc)
        finally:
            self.fail_all(KernelGone("error", "lost the connection to the kernel gateway"))

    def _route(self, frame: str | bytes) -> None:
        try:
            if isinstance(frame, bytes):
                channel, msg = decode_ws_v1(frame)
            else:
                channel, msg = decode_ws_json(frame)
        except (ValueError, KeyError) as exc:
            log.warning("undecodable frame from the gateway dropped: %s", exc)
            return
        pid = parent_id(msg)
        if channel == "iopub" and pid in self._nudges:
            self._nudges[pid].set()
        run = self._runs.get(pid)
        if run is None:
            self._unsolicited(channel, msg)
            return
        for event in run.tracker.feed(channel, msg):
            run.put(event)
        if run.tracker.complete:
            self._runs.pop(run.tracker.msg_id, None)
            run.put(RunComplete())

    def _unsolicited(self, channel: str, msg: Message) -> None:
        if channel != "iopub" or msg.get("msg_type") != "status" or parent_id(msg):
            return
        state = (msg.get("content") or {}).get("execution_state")
        if state in ("restarting", "dead"):
            self._stale = True
        if state == "restarting":
            # A run in flight learns it from its own `Finished`; only an idle death needs telling.
            self.died_since_last_run = not self._runs
            self.fail_all(KernelGone("killed", "the kernel died and was restarted"))
        elif state == "dead":
            self.fail_all(KernelGone("killed", "the kernel died and could not be restarted"))
