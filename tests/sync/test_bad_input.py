"""Bad input and load: the offender alone is closed with the right code; the rest flows on."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from server.sync import protocol
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

MAX_FRAME = 64 * 1024
QUEUE = 32


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    proc = ServerProcess(
        Path(tmp_path_factory.mktemp("limited")),
        env={
            "PAIRBOARD_MAX_FRAME_BYTES": str(MAX_FRAME),
            "PAIRBOARD_SEND_QUEUE_FRAMES": str(QUEUE),
        },
    )
    proc.start()
    yield proc
    proc.stop()


async def three_clients(server: ServerProcess) -> tuple[YClient, YClient, YClient]:
    s = server.create_session()
    base = f"{server.ws_url}/ws/{s['id']}/code?token="
    clients = (
        YClient(base + s["tokens"]["interviewer"]),
        YClient(base + s["tokens"]["candidate"]),
        YClient(base + s["tokens"]["observer"]),
    )
    for c in clients:
        await c.connect()
    await asyncio.gather(*(c.synced.wait() for c in clients))
    return clients


async def assert_room_still_flows(writer: YClient, reader: YClient, marker: str) -> None:
    writer.text.insert(len(writer.text), marker)
    await wait_until(lambda: marker in str(reader.text), what=f"delivery of {marker!r}")


async def test_oversized_frame_closes_only_that_socket_with_1009(limited: ServerProcess) -> None:
    offender, writer, reader = await three_clients(limited)
    await offender.send_raw(protocol.encode_sync_update(b"\x00" * (MAX_FRAME + 1)))
    await wait_until(lambda: offender.close_code is not None, what="offender closed")
    assert offender.close_code == 1009
    await assert_room_still_flows(writer, reader, "after oversized")
    for c in (offender, writer, reader):
        await c.close()


@pytest.mark.parametrize(
    "frame",
    [
        b"\x00\x07\x01\x00",  # sync sub-type 7 does not exist
        b"\x09",  # message type 9 does not exist
        b"\x00\x02\x05ab",  # update announces 5 bytes, carries 2
        b"\x00\x02\x03\xff\xff\xff",  # well framed, but not a Yjs update
        b"\x01\x01\x01\x01\x03{x}",  # awareness state that is not JSON
    ],
    ids=["bad-sync-type", "bad-message-type", "truncated", "bad-update", "bad-awareness"],
)
async def test_malformed_frame_closes_only_that_socket_with_1002(
    limited: ServerProcess, frame: bytes
) -> None:
    offender, writer, reader = await three_clients(limited)
    await offender.send_raw(frame)
    await wait_until(lambda: offender.close_code is not None, what="offender closed")
    assert offender.close_code == 1002
    await assert_room_still_flows(writer, reader, "after malformed")
    for c in (offender, writer, reader):
        await c.close()


async def test_slow_reader_is_disconnected_and_resyncs_on_reconnect(limited: ServerProcess) -> None:
    _, writer, reader = await three_clients(limited)
    slow = YClient(reader.url)
    # A small, fixed receive buffer (no autotuning) so the backlog builds up in the server's queue.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    sock.connect(("127.0.0.1", limited.port))
    await slow.connect(sock=sock)
    await slow.synced.wait()
    await slow.set_awareness(5150, 1, {"user": {"name": "slow"}})
    await wait_until(lambda: reader.awareness.get(5150) is not None, what="slow one's presence")
    slow.ws.transport.pause_reading()  # a client that stops reading its socket
    chunk = "x" * 4000
    # ~16 MB of frames (well over the server's 4 MiB send buffer plus QUEUE frames), while the
    # doc itself stays small: each chunk is inserted, then deleted.
    for i in range(4000):
        writer.text.insert(0, chunk)
        del writer.text[0 : len(chunk)]
        if i % 8 == 7:
            # The well-behaved reader keeps up as a browser would: the writer waits for it every 16
            # frames (half its QUEUE), so on a slow, loaded machine it is only the paused client
            # that falls behind. Waiting on the reader's state, not a sleep, is what makes it so.
            await wait_until(
                lambda: (
                    reader.doc.get_state() == writer.doc.get_state()
                    or reader.close_code is not None
                ),
                timeout=30,
                what="the reader to keep up",
            )
            assert reader.close_code is None
    writer.text.insert(0, "done")
    # The server drops the slow reader from the room the moment its queue overflows: the others
    # see its presence go. Only then read again, and soon: the close frame sits behind the
    # backlog, and a close handshake left unanswered past its timeout would end as 1006.
    await wait_until(
        lambda: 5150 in reader.awareness and reader.awareness[5150] is None,
        timeout=60,
        what="the server dropping the slow reader",
    )
    slow.ws.transport.resume_reading()
    await wait_until(lambda: slow.close_code is not None, timeout=30, what="slow reader closed")
    assert slow.close_code == 1013
    await wait_until(lambda: str(reader.text) == "done", timeout=30, what="reader keeps up")
    assert reader.close_code is None
    resynced = await YClient(slow.url).connect()
    await wait_until(lambda: str(resynced.text) == "done", timeout=30, what="resync")
    for c in (slow, writer, reader, resynced):
        await c.close()
