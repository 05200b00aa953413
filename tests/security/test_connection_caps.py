"""Attack: more websockets to one session than it may hold (server/sync/admission.py).

Before: the cap was checked against sockets already joined to rooms, with awaits between the
check and the join, so 400 concurrent handshakes got 407 sockets accepted past a cap of 32; and
any role could fill it: with 32 candidate sockets open the interviewer got 403. Now a handshake
reserves its slot atomically, each role holds at most `max_connections_per_role` (8), and the
others never take the interviewer's share. Refusals are HTTP 403 during the handshake, what the
stock y-websocket client sees (it backs off instead of reconnecting every 100 ms).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.security.live import admin
from tests.support.server import ServerProcess

PER_SESSION = 32  # the defaults of max_connections_per_session / _per_role
PER_ROLE = 8
ROLES = ("interviewer", "candidate", "observer", "reviewer")


def _links(server: ServerProcess) -> tuple[str, dict[str, str]]:
    created = server.create_session(title="caps")
    sid: str = created["id"]
    share = httpx.post(f"{server.url}/api/sessions/{sid}/share", json={}, headers=admin())
    assert share.status_code == 200, share.text
    return sid, {**created["tokens"], "reviewer": share.json()["token"]}


async def _open(server: ServerProcess, sid: str, token: str) -> Any:
    """An open socket to the session's code doc, or the HTTP status that refused it."""
    url = f"{server.ws_url}/ws/{sid}/code?token={token}"
    try:
        return await websockets.connect(url, open_timeout=120, compression=None)
    except InvalidStatus as exc:
        return exc.response.status_code


async def _close_all(sockets: list[Any]) -> None:
    for ws in sockets:
        with contextlib.suppress(Exception):
            await ws.close()


async def test_400_concurrent_handshakes_never_exceed_the_caps(server: ServerProcess) -> None:
    sid, tokens = _links(server)
    roles = [ROLES[i % 4] for i in range(400)]
    results = await asyncio.gather(*(_open(server, sid, tokens[r]) for r in roles))
    opened = [ws for ws in results if not isinstance(ws, int)]
    try:
        accepted = Counter(r for r, ws in zip(roles, results, strict=True) if ws in opened)
        refused = Counter(ws for ws in results if isinstance(ws, int))
        print(f"\n400 handshakes: accepted {dict(accepted)}, refused {dict(refused)}")
        assert accepted == {role: PER_ROLE for role in ROLES}
        assert sum(accepted.values()) == PER_SESSION
        assert refused == {403: 400 - PER_SESSION}
    finally:
        await _close_all(opened)


async def _fill(server: ServerProcess, sid: str, token: str, attempts: int) -> list[Any]:
    """Open sockets one after another until the first refusal (which must be a 403)."""
    opened: list[Any] = []
    for _ in range(attempts):
        ws = await _open(server, sid, token)
        if isinstance(ws, int):
            assert ws == 403
            break
        opened.append(ws)
    return opened


async def test_no_other_role_can_lock_the_interviewer_out(server: ServerProcess) -> None:
    sid, tokens = _links(server)
    others: dict[str, list[Any]] = {}
    try:
        for role in ("candidate", "observer", "reviewer"):
            others[role] = await _fill(server, sid, tokens[role], PER_SESSION + 1)
        counts = {role: len(opened) for role, opened in others.items()}
        print(f"\nsockets each role got before its first 403: {counts}")
        assert counts == {"candidate": PER_ROLE, "observer": PER_ROLE, "reviewer": PER_ROLE}
        interviewer = await _open(server, sid, tokens["interviewer"])
        assert not isinstance(interviewer, int), f"interviewer refused with HTTP {interviewer}"
        others["interviewer"] = [interviewer]
    finally:
        await _close_all([ws for opened in others.values() for ws in opened])


async def test_a_closed_socket_gives_its_slot_back(server: ServerProcess) -> None:
    sid, tokens = _links(server)
    opened = await _fill(server, sid, tokens["candidate"], PER_ROLE + 1)
    try:
        assert len(opened) == PER_ROLE
        await opened.pop().close()
        for _ in range(200):  # the server releases the slot once it has seen the close
            again = await _open(server, sid, tokens["candidate"])
            if not isinstance(again, int):
                opened.append(again)
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the closed socket's slot never came back")
    finally:
        await _close_all(opened)
