"""The interviewer's editor lock is enforced by the server, per frame, on open connections."""

from __future__ import annotations

import asyncio

import httpx
from pycrdt import Map

from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until


def lock(server: ServerProcess, session: dict, token_role: str, locked: bool) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/sessions/{session['id']}/controls",
        json={"editor_locked": locked},
        headers={"Authorization": f"Bearer {session['tokens'][token_role]}"},
    )


async def test_editor_lock_refuses_candidate_edits_on_the_server(server: ServerProcess) -> None:
    s = server.create_session()
    code = f"{server.ws_url}/ws/{s['id']}/code"
    async with (
        YClient(f"{code}?token={s['tokens']['interviewer']}") as a,
        YClient(f"{code}?token={s['tokens']['candidate']}") as b,
    ):
        await asyncio.gather(a.synced.wait(), b.synced.wait())
        b.text.insert(0, "before lock. ")
        await wait_until(lambda: str(a.text) == "before lock. ")
        r = lock(server, s, "interviewer", True)
        assert r.status_code == 200 and r.json() == {"editor_locked": True, "run_disabled": False}
        b.text.insert(len(b.text), "typed while locked")
        await wait_until(lambda: b.denied == ["the interviewer has locked the editor"])
        a.text.insert(len(a.text), "interviewer still writes")
        await wait_until(lambda: "interviewer still writes" in str(b.text))
        assert "typed while locked" not in str(a.text)
        assert lock(server, s, "candidate", True).status_code == 403


async def test_a_locked_candidate_that_edits_nothing_is_told_nothing(server: ServerProcess) -> None:
    s = server.create_session()
    assert lock(server, s, "interviewer", True).status_code == 200
    code = f"{server.ws_url}/ws/{s['id']}/code"
    async with YClient(f"{code}?token={s['tokens']['interviewer']}") as a:
        await a.synced.wait()
        a.text.insert(0, "x")
        async with YClient(f"{code}?token={s['tokens']['candidate']}") as b:
            await wait_until(lambda: str(b.text) == "x")
            await asyncio.sleep(0.2)  # a wrongly sent denial would have arrived by now
            assert b.denied == []


async def test_a_waiting_candidate_cannot_write_until_the_interviewer_starts(
    server: ServerProcess,
) -> None:
    s = server.create_session(scenario="lru-cache")
    code = f"{server.ws_url}/ws/{s['id']}/code"
    board = f"{server.ws_url}/ws/{s['id']}/board"
    async with (
        YClient(f"{code}?token={s['tokens']['interviewer']}") as a,
        YClient(f"{code}?token={s['tokens']['candidate']}") as b,
        YClient(f"{board}?token={s['tokens']['candidate']}") as board_b,
    ):
        await asyncio.gather(a.synced.wait(), b.synced.wait(), board_b.synced.wait())
        starter = str(a.text)
        b.text.insert(0, "# early ")
        board_b.doc.get("elements", type=Map)["early"] = {"id": "early", "version": 1}
        await wait_until(lambda: b.denied == ["the interview has not started yet"], what="code")
        await wait_until(
            lambda: board_b.denied == ["the interview has not started yet"], what="board"
        )
        started = httpx.post(
            f"{server.url}/api/sessions/{s['id']}/scenario/start",
            headers={"Authorization": f"Bearer {s['tokens']['interviewer']}"},
        )
        assert started.status_code == 200, started.text
        assert str(a.text) == starter
        # Like the web client after a refusal, start from the server's state: the refused insert
        # stays local to the old doc and would be an unknown neighbour for later edits.
        async with YClient(f"{code}?token={s['tokens']['candidate']}") as fresh:
            await wait_until(lambda: str(fresh.text) == starter, what="fresh candidate doc")
            fresh.text.insert(0, "# after start\n")
            await wait_until(lambda: str(a.text) == "# after start\n" + starter, what="after start")
            assert fresh.denied == []
