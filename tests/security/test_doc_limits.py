"""Attack: a client that fills the whiteboard (server/sync/doc_limits.py).

Before: the 1 MiB image cap existed only in the browser; another client's 200 images of 1.9 MiB
were all accepted (DB +366 MiB, RSS 87 -> 776 MiB, a new observer needed 13 s to sync). Now
every client update is checked against `board_max_file_bytes`, `board_max_files`,
`board_max_files_bytes` and `doc_max_bytes` before it is logged: a refused one is dropped, its
writer alone is told why (a y-websocket permission-denied message) and stays connected, and
everyone else goes on as if it had never been sent.

The attacker is a candidate writing updates of its own making straight onto the socket: each
image is a fresh doc's whole update, so nothing but the limits stops it integrating.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pycrdt import Doc, Map

from server.sync import protocol
from tests.security.live import MiB, rss_mib
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

FILE_BYTES = 1536 * 1024  # the defaults of board_max_file_bytes, _files, _files_bytes
FILES = 32
FILES_BYTES = 16 * MiB
ONE_IMAGE_REFUSAL = f"image not shared: one image may take {FILE_BYTES} bytes"


def image_update(file_id: str, data_url_chars: int) -> bytes:
    """One Excalidraw file entry, as a fresh client's whole update."""
    doc: Doc[Any] = Doc()
    doc.get("files", type=Map)[file_id] = {
        "id": file_id,
        "mimeType": "image/png",
        "created": 1,
        "dataURL": "data:image/png;base64," + "A" * data_url_chars,
    }
    return doc.get_update()


def files_of(client: YClient) -> set[str]:
    return set(client.doc.get("files", type=Map).keys())


async def _board(server: ServerProcess) -> tuple[str, dict[str, str]]:
    created = server.create_session(title="board")
    return created["id"], created["tokens"]


def _url(server: ServerProcess, sid: str, token: str) -> str:
    return f"{server.ws_url}/ws/{sid}/board?token={token}"


async def _attack(
    server: ServerProcess, sid: str, tokens: dict[str, str], updates: list[bytes]
) -> tuple[YClient, YClient, int]:
    """The candidate sends `updates` while the interviewer watches the board; returns both
    clients (still open) and how many refusals the candidate heard."""
    attacker = await YClient(_url(server, sid, tokens["candidate"])).connect()
    bystander = await YClient(_url(server, sid, tokens["interviewer"])).connect()
    await attacker.synced.wait()
    await bystander.synced.wait()
    marker: Doc[Any] = Doc()
    marker.get("elements", type=Map)["marker"] = {"id": "marker", "version": 1}
    attacker.synced.clear()
    for update in [*updates, marker.get_update()]:
        await attacker.send_raw(protocol.encode_sync_update(update))
    # One connection's frames are handled in order, and its answers queued in order: once the
    # server answers this sync step 1, every refusal of the frames before it has been heard.
    await attacker.send_raw(protocol.encode_sync_step1(attacker.doc.get_state()))
    await asyncio.wait_for(attacker.synced.wait(), 120)
    await wait_until(
        lambda: "marker" in bystander.doc.get("elements", type=Map), what="the marker relayed"
    )
    return attacker, bystander, len(attacker.denied)


async def test_200_images_of_1_9_mib_are_each_refused_to_their_sender_only(
    server: ServerProcess,
) -> None:
    sid, tokens = await _board(server)
    before = rss_mib(server)
    updates = [image_update(f"big{i}", int(1.9 * MiB)) for i in range(200)]
    attacker, bystander, refusals = await _attack(server, sid, tokens, updates)
    try:
        print(f"\n200 x 1.9 MiB: {refusals} refused, RSS {before:.0f} -> {rss_mib(server):.0f} MiB")
        assert refusals == 200
        assert set(attacker.denied) == {ONE_IMAGE_REFUSAL}
        assert (attacker.close_code, bystander.close_code) == (None, None)
        assert bystander.denied == []
        assert files_of(bystander) == set()
        async with YClient(_url(server, sid, tokens["observer"])) as observer:
            await observer.synced.wait()
            assert files_of(observer) == set()
            assert set(observer.doc.get("elements", type=Map).keys()) == {"marker"}
    finally:
        await attacker.close()
        await bystander.close()


async def test_images_past_the_board_total_are_refused_and_the_rest_kept(
    server: ServerProcess,
) -> None:
    sid, tokens = await _board(server)
    chars = 1400 * 1024  # each entry just under the one-image limit
    updates = [image_update(f"img{i:02}", chars) for i in range(20)]
    fitting = FILES_BYTES // (chars + 100)  # the entry's JSON adds < 100 bytes
    attacker, bystander, refusals = await _attack(server, sid, tokens, updates)
    try:
        assert refusals == 20 - fitting
        assert set(attacker.denied) == {
            f"image not shared: the whiteboard's images may take {FILES_BYTES} bytes in all"
        }
        assert files_of(bystander) == {f"img{i:02}" for i in range(fitting)}
    finally:
        await attacker.close()
        await bystander.close()


async def test_images_past_the_board_count_are_refused(server: ServerProcess) -> None:
    sid, tokens = await _board(server)
    updates = [image_update(f"small{i:02}", 1000) for i in range(FILES + 8)]
    attacker, bystander, refusals = await _attack(server, sid, tokens, updates)
    try:
        assert refusals == 8
        assert set(attacker.denied) == {
            f"image not shared: the whiteboard holds {FILES} images at most"
        }
        assert files_of(bystander) == {f"small{i:02}" for i in range(FILES)}
    finally:
        await attacker.close()
        await bystander.close()
