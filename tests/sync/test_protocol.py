"""The sans-I/O codec: exact encodings, round trips, and only `ProtocolError` on bad bytes."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pycrdt import Doc, Text, create_sync_message, create_update_message, handle_sync_message

from server.sync import protocol
from server.sync.protocol import AwarenessEntry, ProtocolError


def test_var_uint_encoding_matches_lib0() -> None:
    assert protocol.write_var_uint(0) == b"\x00"
    assert protocol.write_var_uint(127) == b"\x7f"
    assert protocol.write_var_uint(128) == b"\x80\x01"
    assert protocol.write_var_uint(300) == b"\xac\x02"


def test_our_sync_frames_equal_pycrdts() -> None:
    doc: Doc = Doc()
    doc.get("source", type=Text).insert(0, "hello")
    sv, update = doc.get_state(), doc.get_update()
    assert protocol.encode_sync_step1(sv) == create_sync_message(doc)
    assert protocol.encode_sync_update(update) == create_update_message(update)
    assert protocol.decode_message(create_update_message(update)) == protocol.SyncUpdate(update)
    assert protocol.decode_message(create_sync_message(doc)) == protocol.SyncStep1(sv)
    # pycrdt answers our step 1 with a step 2 that we decode to the same update.
    empty: Doc = Doc()
    reply = handle_sync_message(protocol.encode_sync_step1(empty.get_state())[1:], doc)
    assert reply is not None
    assert protocol.decode_message(reply) == protocol.SyncStep2(doc.get_update(empty.get_state()))


def test_query_awareness_and_auth_messages_decode() -> None:
    assert protocol.decode_message(b"\x03") == protocol.QueryAwareness()
    denied = protocol.encode_permission_denied("no")
    assert denied == b"\x02\x00\x02no"
    assert protocol.decode_message(denied) == protocol.AuthMessage("no")


def test_keepalive_is_an_awareness_update_with_no_entries() -> None:
    message = protocol.decode_message(protocol.KEEPALIVE)
    assert isinstance(message, protocol.AwarenessMessage)
    assert protocol.decode_awareness_payload(message.payload) == []


@given(
    st.lists(
        st.tuples(
            st.integers(0, 2**53),
            st.integers(0, 2**32),
            st.one_of(st.none(), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)),
        ),
        max_size=5,
    )
)
def test_awareness_payload_round_trips(raw: list[tuple[int, int, dict[str, int] | None]]) -> None:
    import json

    entries = [
        AwarenessEntry(cid, clock, None if state is None else json.dumps(state))
        for cid, clock, state in raw
    ]
    assert protocol.decode_awareness_payload(protocol.encode_awareness_payload(entries)) == entries


@given(st.binary(max_size=200))
def test_random_frames_raise_only_protocol_error(frame: bytes) -> None:
    try:
        message = protocol.decode_message(frame)
    except ProtocolError:
        return
    if isinstance(message, protocol.AwarenessMessage):
        with contextlib.suppress(ProtocolError):
            protocol.decode_awareness_payload(message.payload)


@given(st.data())
def test_every_truncation_of_a_valid_frame_raises_only_protocol_error(data: st.DataObject) -> None:
    doc: Doc = Doc(client_id=1)  # a fixed id: the frame's length must not vary between runs
    doc.get("source", type=Text).insert(0, data.draw(st.text(min_size=1, max_size=50)))
    frame = protocol.encode_sync_update(doc.get_update())
    cut = data.draw(st.integers(0, len(frame) - 1))
    with pytest.raises(ProtocolError):
        protocol.decode_message(frame[:cut])


def test_overlong_var_uint_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="varUint too long"):
        protocol.decode_message(b"\xff" * 12)
