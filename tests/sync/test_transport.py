"""The direct frame path (server/sync/transport.py) writes exactly the frames websockets would."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode

from server.sync.transport import frame_header


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_frame_header_plus_payload_equals_websockets_own_unmasked_binary_frame(length: int) -> None:
    payload = bytes(i % 251 for i in range(length))
    theirs = Frame(Opcode.BINARY, payload).serialize(mask=False, extensions=[])
    assert frame_header(length) + payload == theirs


def test_frame_header_uses_the_shortest_length_encoding() -> None:
    assert frame_header(125) == b"\x82\x7d"
    assert frame_header(126) == b"\x82\x7e\x00\x7e"
    assert frame_header(65536) == b"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00"
