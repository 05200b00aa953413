"""The y-websocket wire protocol, sans I/O.

Every websocket frame holds exactly one message. A message starts with a lib0 varUint type:

    0 sync       varUint sub-type (0 step 1 + state vector, 1 step 2 + update, 2 update),
                 then a length-prefixed byte array
    1 awareness  a length-prefixed byte array holding an awareness update
    2 auth       varUint sub-type (0 permission denied) + a length-prefixed reason string
    3 query      nothing: "send me every awareness state you know"

Numbers are 7-bit little-endian varints; byte arrays and strings are varUint-length-prefixed.

This module only turns bytes into values and back. It never raises anything but
`ProtocolError` for bad input, whatever the bytes (a hypothesis test holds it to that), so the
connection layer can close a misbehaving socket with 1002 and carry on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

MESSAGE_SYNC = 0
MESSAGE_AWARENESS = 1
MESSAGE_AUTH = 2
MESSAGE_QUERY_AWARENESS = 3

SYNC_STEP1 = 0
SYNC_STEP2 = 1
SYNC_UPDATE = 2

AUTH_PERMISSION_DENIED = 0

# A varUint longer than this cannot be a length or client id we accept (2**63 needs 9 bytes).
_MAX_VARUINT_BYTES = 9


class ProtocolError(ValueError):
    """The frame is not a well-formed y-websocket message."""


@dataclass(frozen=True, slots=True)
class SyncStep1:
    state_vector: bytes


@dataclass(frozen=True, slots=True)
class SyncStep2:
    update: bytes


@dataclass(frozen=True, slots=True)
class SyncUpdate:
    update: bytes


@dataclass(frozen=True, slots=True)
class AwarenessMessage:
    payload: bytes


@dataclass(frozen=True, slots=True)
class AuthMessage:
    reason: str


@dataclass(frozen=True, slots=True)
class QueryAwareness:
    pass


Message = SyncStep1 | SyncStep2 | SyncUpdate | AwarenessMessage | AuthMessage | QueryAwareness


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    """One client's awareness state as sent on the wire; `state` None means "gone"."""

    client_id: int
    clock: int
    state: str | None  # the JSON text exactly as received, or None for null


class _Reader:
    """A cursor over a frame; every read checks bounds and raises `ProtocolError`."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def var_uint(self) -> int:
        value = 0
        shift = 0
        for _ in range(_MAX_VARUINT_BYTES):
            if self.pos >= len(self.data):
                raise ProtocolError("truncated varUint")
            byte = self.data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7
        raise ProtocolError("varUint too long")

    def var_bytes(self) -> bytes:
        length = self.var_uint()
        end = self.pos + length
        if end > len(self.data):
            raise ProtocolError("byte array longer than the frame")
        chunk = self.data[self.pos : end]
        self.pos = end
        return bytes(chunk)

    def var_string(self) -> str:
        try:
            return self.var_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError("string is not UTF-8") from exc


def write_var_uint(value: int) -> bytes:
    if value < 0:
        raise ValueError("varUint must be non-negative")
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def write_var_bytes(data: bytes) -> bytes:
    return write_var_uint(len(data)) + data


def decode_message(frame: bytes) -> Message:
    """Decode one frame. Trailing bytes are tolerated: y-protocols ignores them too."""
    reader = _Reader(frame)
    kind = reader.var_uint()
    if kind == MESSAGE_SYNC:
        sub = reader.var_uint()
        payload = reader.var_bytes()
        if sub == SYNC_STEP1:
            return SyncStep1(payload)
        if sub == SYNC_STEP2:
            return SyncStep2(payload)
        if sub == SYNC_UPDATE:
            return SyncUpdate(payload)
        raise ProtocolError(f"unknown sync sub-type {sub}")
    if kind == MESSAGE_AWARENESS:
        return AwarenessMessage(reader.var_bytes())
    if kind == MESSAGE_AUTH:
        reader.var_uint()  # sub-type; clients have nothing to tell us, we only read it
        return AuthMessage(reader.var_string())
    if kind == MESSAGE_QUERY_AWARENESS:
        return QueryAwareness()
    raise ProtocolError(f"unknown message type {kind}")


def encode_sync_step1(state_vector: bytes) -> bytes:
    return bytes((MESSAGE_SYNC, SYNC_STEP1)) + write_var_bytes(state_vector)


def encode_sync_step2(update: bytes) -> bytes:
    return bytes((MESSAGE_SYNC, SYNC_STEP2)) + write_var_bytes(update)


def encode_sync_update(update: bytes) -> bytes:
    return bytes((MESSAGE_SYNC, SYNC_UPDATE)) + write_var_bytes(update)


def encode_awareness(payload: bytes) -> bytes:
    return bytes((MESSAGE_AWARENESS,)) + write_var_bytes(payload)


def encode_permission_denied(reason: str) -> bytes:
    return bytes((MESSAGE_AUTH, AUTH_PERMISSION_DENIED)) + write_var_bytes(reason.encode("utf-8"))


def decode_awareness_payload(payload: bytes) -> list[AwarenessEntry]:
    """Split an awareness update into entries; the state JSON must parse (or be `null`)."""
    reader = _Reader(payload)
    count = reader.var_uint()
    if count > len(payload):  # each entry takes at least three bytes: a cheap bound
        raise ProtocolError("awareness entry count exceeds the payload")
    entries = []
    for _ in range(count):
        client_id = reader.var_uint()
        clock = reader.var_uint()
        text = reader.var_string()
        try:
            parsed = json.loads(text) if text else None
        except ValueError as exc:
            raise ProtocolError("awareness state is not JSON") from exc
        entries.append(AwarenessEntry(client_id, clock, None if parsed is None else text))
    return entries


def encode_awareness_payload(entries: list[AwarenessEntry]) -> bytes:
    parts = [write_var_uint(len(entries))]
    for entry in entries:
        parts.append(write_var_uint(entry.client_id))
        parts.append(write_var_uint(entry.clock))
        state = "null" if entry.state is None else entry.state
        parts.append(write_var_bytes(state.encode("utf-8")))
    return b"".join(parts)


# An awareness update with no entries: it changes nothing for the receiver but counts as
# "heard from the server", which keeps the stock client's 30 s liveness check satisfied.
KEEPALIVE = encode_awareness(encode_awareness_payload([]))
