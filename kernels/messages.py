"""Jupyter messages without I/O: building requests, framing them, and turning replies into events.

Both providers speak the same Jupyter messaging protocol (the local one over ZMQ, the gateway one
over a websocket), so everything that does not touch a socket lives here: what an
`execute_request` looks like, how the websocket frames a message, and, through `RunTracker`, how
the messages that answer one request become the typed events of `kernels.provider`, including the
output cap. Keeping this pure means the two providers cannot drift apart in what a run looks like,
and it is tested without a kernel.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kernels.provider import (
    Display,
    Error,
    Event,
    Finished,
    InputRequest,
    Notice,
    RunObserver,
    RunStatus,
    Stream,
)

PROTOCOL_VERSION = "5.3"
# The binary websocket framing of jupyter_server 2: the gateway forwards these frames to ZMQ
# without parsing them as JSON, which saves it a decode and an encode per message.
WS_V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"

Message = dict[str, Any]


def new_message(
    msg_type: str, content: dict[str, Any], session: str, username: str = "pairboard"
) -> Message:
    """A complete Jupyter message (header, empty parent, metadata, content) with a fresh msg_id."""
    header = {
        "msg_id": uuid.uuid4().hex,
        "msg_type": msg_type,
        "username": username,
        "session": session,
        "date": datetime.now(UTC).isoformat(),
        "version": PROTOCOL_VERSION,
    }
    return {
        "header": header,
        "msg_id": header["msg_id"],
        "msg_type": msg_type,
        "parent_header": {},
        "metadata": {},
        "content": content,
        "buffers": [],
    }


def execute_request(
    code: str, session: str, *, silent: bool = False, stdin: bool = False
) -> Message:
    """An `execute_request` as a front end sends it: history kept unless `silent` (hidden code:
    not in `In`/`_ih`, no execution count, no execute_input); stdin only when someone can answer
    (`stdin`, never for silent code)."""
    return new_message(
        "execute_request",
        {
            "code": code,
            "silent": silent,
            "store_history": not silent,
            "user_expressions": {},
            "allow_stdin": stdin and not silent,
            "stop_on_error": True,
        },
        session,
    )


def input_reply(value: str, session: str, request: Message) -> Message:
    """The `input_reply` (stdin channel) answering `request`, an `input_request`: its parent is
    the request's header, as the protocol asks."""
    msg = new_message("input_reply", {"value": value}, session)
    msg["parent_header"] = dict(request.get("header") or {})
    return msg


def input_event(msg: Message) -> InputRequest | None:
    """The typed event of a stdin-channel message: an `input_request`, or None."""
    if msg.get("msg_type") != "input_request":
        return None
    content = msg.get("content") or {}
    return InputRequest(str(content.get("prompt", "")), bool(content.get("password", False)))


def encode_ws_v1(channel: str, msg: Message) -> bytes:
    """Frame `msg` for the `v1.kernel.websocket.jupyter.org` subprotocol.

    Layout: a little-endian u64 count n, then n u64 offsets, then the channel name and the four
    JSON parts (header, parent_header, metadata, content); the last offset is the end of content.
    """
    parts = [channel.encode()] + [
        json.dumps(msg[key], default=str).encode()
        for key in ("header", "parent_header", "metadata", "content")
    ]
    offsets = [8 * (1 + len(parts) + 1)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = len(offsets).to_bytes(8, "little") + b"".join(o.to_bytes(8, "little") for o in offsets)
    return head + b"".join(parts)


def decode_ws_v1(frame: bytes) -> tuple[str, Message]:
    """Parse a v1 frame into (channel, message); binary buffers after content are kept raw."""
    count = int.from_bytes(frame[:8], "little")
    if count < 6 or len(frame) < 8 * (count + 1):
        raise ValueError("truncated v1 websocket frame")
    offsets = [int.from_bytes(frame[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    pieces = [frame[offsets[i] : offsets[i + 1]] for i in range(count - 1)]
    channel = pieces[0].decode()
    header, parent, metadata, content = (json.loads(p) for p in pieces[1:5])
    return channel, _assemble(header, parent, metadata, content, [bytes(b) for b in pieces[5:]])


def encode_ws_json(channel: str, msg: Message) -> str:
    """Frame `msg` for the legacy JSON websocket protocol (one JSON object with a `channel` key)."""
    return json.dumps({**msg, "channel": channel}, default=str)


def decode_ws_json(text: str) -> tuple[str, Message]:
    """Parse a legacy JSON frame into (channel, message)."""
    raw = json.loads(text)
    return str(raw.get("channel", "")), _assemble(
        raw.get("header") or {},
        raw.get("parent_header") or {},
        raw.get("metadata") or {},
        raw.get("content") or {},
        [],
    )


def _assemble(
    header: dict[str, Any],
    parent: dict[str, Any],
    metadata: dict[str, Any],
    content: dict[str, Any],
    buffers: list[bytes],
) -> Message:
    return {
        "header": header,
        "msg_id": header.get("msg_id", ""),
        "msg_type": header.get("msg_type", ""),
        "parent_header": parent,
        "metadata": metadata,
        "content": content,
        "buffers": buffers,
    }


def parent_id(msg: Message) -> str:
    """The msg_id of the request a message answers, or "" for unsolicited messages."""
    parent = msg.get("parent_header") or {}
    return str(parent.get("msg_id", ""))


def output_event(msg: Message) -> Event | None:
    """The typed event for an iopub output message, or None for bookkeeping messages."""
    kind = msg.get("msg_type")
    content = msg.get("content") or {}
    if kind == "stream":
        return Stream(
            name="stderr" if content.get("name") == "stderr" else "stdout",
            text=str(content.get("text", "")),
        )
    if kind in ("display_data", "update_display_data"):
        return Display(
            "display", dict(content.get("data") or {}), dict(content.get("metadata") or {})
        )
    if kind == "execute_result":
        return Display(
            "result", dict(content.get("data") or {}), dict(content.get("metadata") or {})
        )
    if kind == "error":
        return Error(
            ename=str(content.get("ename", "")),
            evalue=str(content.get("evalue", "")),
            traceback=[str(line) for line in content.get("traceback") or []],
        )
    return None


def is_dropped_marker(msg: Message) -> bool:
    """The display the kernel sends instead of an output too large for the transport."""
    content = msg.get("content") or {}
    metadata = content.get("metadata")
    return (
        msg.get("msg_type") == "display_data"
        and isinstance(metadata, dict)
        and metadata.get("pairboard_dropped") is True
    )


def event_size(event: Event) -> int:
    """Bytes an event counts against the output cap: its text, as UTF-8."""
    if isinstance(event, Stream):
        return len(event.text.encode())
    if isinstance(event, Display):
        return sum(
            len(v.encode()) if isinstance(v, str) else len(json.dumps(v))
            for v in event.data.values()
        )
    if isinstance(event, Error):
        return len(event.ename) + len(event.evalue) + sum(len(t.encode()) for t in event.traceback)
    if isinstance(event, Notice):  # a kernel can send dropped-output markers in a loop
        return len(event.text.encode())
    if isinstance(event, InputRequest):  # the prompt is shown like output
        return len(event.prompt.encode())
    return 0


def format_bytes(n: int) -> str:
    """1048576 -> "1 MiB": limits are shown to users in the unit they were configured in."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"


@dataclass
class RunTracker:
    """Follows one execution: turns the messages answering it into events, enforces the output
    cap, and knows when the run is complete (the shell `execute_reply` and the iopub `idle`
    both seen, in whichever order the transport delivered them).

    The provider feeds it every message whose parent is `msg_id` and acts on `wants_interrupt`
    (the cap was just crossed); the tracker itself never does I/O.

    An output the kernel could not send (larger than `message_limit_bytes`, the transport's
    per-message limit) arrives as a `pairboard_dropped` marker (kernel_startup.py): it becomes a
    notice, and the outputs after it go on as usual.
    """

    msg_id: str
    output_limit_bytes: int
    message_limit_bytes: int = 8 << 20
    used_bytes: int = 0
    truncated: bool = False
    wants_interrupt: bool = False
    reply_status: str = ""
    saw_keyboard_interrupt: bool = False
    idle: bool = False
    # The `input_request` the run waits on (stdin channel), until answered or the run ends.
    pending_input: Message | None = None
    # Told of every message fed (a run's trace), before it is turned into events.
    observer: RunObserver | None = None

    @property
    def complete(self) -> bool:
        return bool(self.reply_status) and self.idle

    def feed(self, channel: str, msg: Message) -> list[Event]:
        """Events to emit for one message answering this run (possibly none)."""
        if self.observer is not None:
            self.observer.message(channel, msg)
        kind = msg.get("msg_type")
        content = msg.get("content") or {}
        if channel == "shell" and kind == "execute_reply":
            self.reply_status = str(content.get("status", "error"))
            if content.get("ename") == "KeyboardInterrupt":
                self.saw_keyboard_interrupt = True
            return []
        if channel == "iopub" and kind == "status":
            if content.get("execution_state") == "idle":
                self.idle = True
            return []
        if channel == "stdin":
            request = input_event(msg)
            if request is None:
                return []
            self.pending_input = msg
            return self._admit(request)
        if channel != "iopub":
            return []
        event = self.dropped_notice() if is_dropped_marker(msg) else output_event(msg)
        if event is None:
            return []
        if isinstance(event, Error) and event.ename == "KeyboardInterrupt":
            self.saw_keyboard_interrupt = True
        return self._admit(event)

    def take_input(self) -> Message | None:
        """The pending `input_request`, once: whoever answers it takes it (pure bookkeeping)."""
        request, self.pending_input = self.pending_input, None
        return request

    def _admit(self, event: Event) -> list[Event]:
        if self.truncated:
            return []
        size = event_size(event)
        room = self.output_limit_bytes - self.used_bytes
        if size <= room:
            self.used_bytes += size
            return [event]
        self.truncated = True
        self.wants_interrupt = True
        kept: list[Event] = []
        if isinstance(event, Stream) and room > 0:
            head = event.text.encode()[:room].decode(errors="ignore")
            self.used_bytes += len(head.encode())
            kept.append(Stream(event.name, head))
        kept.append(Notice(self.truncation_text()))
        return kept

    def dropped_notice(self) -> Notice:
        limit = format_bytes(self.message_limit_bytes)
        return Notice(f"output dropped: a single output exceeded {limit}")

    def truncation_text(self) -> str:
        limit = format_bytes(self.output_limit_bytes)
        return f"output truncated: this run exceeded the output limit of {limit}; run interrupted"

    def finished(
        self, duration_ms: int, cause: RunStatus | None = None, reason: str = ""
    ) -> Finished:
        """The closing event. `cause` is what the provider did to the run (timeout, killed, ...)."""
        if cause is not None:
            return Finished(cause, duration_ms, reason)
        if self.truncated:
            return Finished("interrupted", duration_ms, self.truncation_text())
        if self.reply_status == "ok":
            return Finished("ok", duration_ms)
        if self.saw_keyboard_interrupt:
            return Finished("interrupted", duration_ms, "interrupted")
        if self.reply_status == "aborted":
            return Finished("error", duration_ms, "aborted: an earlier request failed")
        return Finished("error", duration_ms)
