"""Roles are enforced by the server, per connection, before and after the handshake."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import websockets

from server.auth import TokenSigner
from tests.support.server import ADMIN_TOKEN, ServerProcess
from tests.support.yclient import YClient, wait_until


def url(server: ServerProcess, session_id: str, doc: str, token: str) -> str:
    return f"{server.ws_url}/ws/{session_id}/{doc}?token={token}"


async def handshake_status(ws_url: str) -> int:
    """The HTTP status of a refused handshake (101 would mean accepted)."""
    try:
        async with websockets.connect(ws_url):
            return 101
    except websockets.InvalidStatus as exc:
        return int(exc.response.status_code)


async def test_observer_updates_are_dropped_and_its_socket_stays_open(
    server: ServerProcess,
) -> None:
    s = server.create_session()
    async with (
        YClient(url(server, s["id"], "code", s["tokens"]["interviewer"])) as writer,
        YClient(url(server, s["id"], "code", s["tokens"]["observer"])) as observer,
    ):
        await asyncio.gather(writer.synced.wait(), observer.synced.wait())
        observer.text.insert(0, "observer was here")
        writer.text.insert(0, "interviewer text")
        await wait_until(
            lambda: "interviewer text" in str(observer.text), what="observer sees live"
        )
        await asyncio.sleep(0.2)
        assert str(writer.text) == "interviewer text"
        assert observer.close_code is None and observer.ws.state.name == "OPEN"
        async with YClient(url(server, s["id"], "code", s["tokens"]["candidate"])) as fresh:
            await wait_until(lambda: str(fresh.text) == "interviewer text", what="fresh sync")


async def test_candidate_cannot_open_the_notes_doc(server: ServerProcess) -> None:
    s = server.create_session()
    assert await handshake_status(url(server, s["id"], "notes", s["tokens"]["candidate"])) == 403
    assert await handshake_status(url(server, s["id"], "notes", s["tokens"]["observer"])) == 403
    assert await handshake_status(url(server, s["id"], "notes", s["tokens"]["interviewer"])) == 101


async def test_forged_expired_foreign_and_ended_session_tokens_are_refused(
    server: ServerProcess,
) -> None:
    s = server.create_session()
    other = server.create_session()
    forged = TokenSigner("not-the-server-secret").issue(s["id"], "interviewer", "Mallory", 3600)
    real_secret = (server.data_dir / "secret").read_text().strip()
    expired = TokenSigner(real_secret).issue(s["id"], "interviewer", "Old", -10)
    assert await handshake_status(url(server, s["id"], "code", forged)) == 403
    assert await handshake_status(url(server, s["id"], "code", expired)) == 403
    assert await handshake_status(url(server, s["id"], "code", "garbage")) == 403
    assert await handshake_status(url(server, s["id"], "code", other["tokens"]["candidate"])) == 403
    assert (
        await handshake_status(url(server, s["id"], "nosuchdoc", s["tokens"]["candidate"])) == 403
    )

    ended = httpx.post(
        f"{server.url}/api/sessions/{s['id']}/end",
        headers={"Authorization": f"Bearer {s['tokens']['interviewer']}"},
    )
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
    for role in ("interviewer", "candidate", "observer"):
        assert await handshake_status(url(server, s["id"], "code", s["tokens"][role])) == 403


async def test_closed_connections_awareness_is_gone_for_the_others_within_a_second(
    server: ServerProcess,
) -> None:
    s = server.create_session()
    async with YClient(url(server, s["id"], "code", s["tokens"]["interviewer"])) as watcher:
        leaver = await YClient(url(server, s["id"], "code", s["tokens"]["candidate"])).connect()
        await leaver.set_awareness(4242, 1, {"user": {"name": "Candidate"}})
        await wait_until(lambda: watcher.awareness.get(4242) == {"user": {"name": "Candidate"}})
        # The browser's way to leave: the socket just drops, no goodbye message.
        leaver.ws.transport.abort()
        started = time.monotonic()
        await wait_until(lambda: watcher.awareness.get(4242, "absent") is None, timeout=1.0)
        assert time.monotonic() - started < 1.0
        await leaver.close()


async def test_a_connection_cannot_overwrite_another_connections_awareness(
    server: ServerProcess,
) -> None:
    s = server.create_session()
    async with (
        YClient(url(server, s["id"], "code", s["tokens"]["interviewer"])) as owner,
        YClient(url(server, s["id"], "code", s["tokens"]["candidate"])) as spoofer,
        YClient(url(server, s["id"], "code", s["tokens"]["observer"])) as watcher,
    ):
        await owner.set_awareness(7, 1, {"user": {"name": "Interviewer"}})
        await wait_until(lambda: watcher.awareness.get(7) == {"user": {"name": "Interviewer"}})
        await spoofer.set_awareness(7, 99, {"user": {"name": "Fake"}})
        await spoofer.set_awareness(8, 1, {"user": {"name": "Candidate"}})
        await wait_until(lambda: 8 in watcher.awareness, what="spoofer's own id relayed")
        assert watcher.awareness[7] == {"user": {"name": "Interviewer"}}


async def test_query_awareness_is_answered_with_every_known_state(server: ServerProcess) -> None:
    s = server.create_session()
    async with (
        YClient(url(server, s["id"], "board", s["tokens"]["interviewer"])) as a,
        YClient(url(server, s["id"], "board", s["tokens"]["candidate"])) as b,
    ):
        await a.set_awareness(11, 3, {"pointer": {"x": 1, "y": 2}})
        await wait_until(lambda: 11 in b.awareness)
        b.awareness.clear()
        await b.send_raw(bytes([3]))
        await wait_until(lambda: b.awareness.get(11) == {"pointer": {"x": 1, "y": 2}})


@pytest.mark.parametrize("role", ["observer", "candidate"])
def test_rest_metadata_is_filtered_by_role(server: ServerProcess, role: str) -> None:
    s = server.create_session(title="Filtered")
    r = httpx.get(
        f"{server.url}/api/sessions/{s['id']}",
        headers={"Authorization": f"Bearer {s['tokens'][role]}"},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["role"] == role and body["title"] == "Filtered" and body["state"] == "live"
    assert body["created_at"].endswith("Z") and "tokens" not in body


def test_only_the_admin_creates_sessions_and_only_interviewers_end_them(
    server: ServerProcess,
) -> None:
    s = server.create_session()
    candidate = {"Authorization": f"Bearer {s['tokens']['candidate']}"}
    assert httpx.post(f"{server.url}/api/sessions", json={}, headers=candidate).status_code == 403
    assert httpx.post(f"{server.url}/api/sessions", json={}).status_code == 401
    assert (
        httpx.post(f"{server.url}/api/sessions/{s['id']}/end", headers=candidate).status_code == 403
    )
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    created = httpx.post(f"{server.url}/api/sessions", json={"title": "x"}, headers=admin)
    assert created.status_code == 201
    assert set(created.json()) == {"id", "links", "tokens"}
    assert set(created.json()["links"]) == {"interviewer", "candidate", "observer"}
