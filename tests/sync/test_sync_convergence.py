"""Two real clients over real sockets converge; sessions never see each other's edits."""

from __future__ import annotations

import asyncio

from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until


def doc_url(server: ServerProcess, session: dict, role: str, doc: str = "code") -> str:
    return f"{server.ws_url}/ws/{session['id']}/{doc}?token={session['tokens'][role]}"


async def test_concurrent_edits_from_two_clients_converge(server: ServerProcess) -> None:
    session = server.create_session(title="converge")
    async with (
        YClient(doc_url(server, session, "interviewer")) as a,
        YClient(doc_url(server, session, "candidate")) as b,
    ):
        await asyncio.wait_for(asyncio.gather(a.synced.wait(), b.synced.wait()), 10)
        for i in range(50):
            a.text.insert(len(a.text), f"a{i} ")
            b.text.insert(0, f"b{i} ")
            await asyncio.sleep(0)
        await wait_until(
            lambda: str(a.text) == str(b.text) and len(str(a.text)) > 0, what="converge"
        )
        text = str(a.text)
        assert all(f"a{i} " in text and f"b{i} " in text for i in range(50))
        assert len(text) == sum(len(f"a{i} ") + len(f"b{i} ") for i in range(50))


async def test_late_joiner_receives_the_full_state(server: ServerProcess) -> None:
    session = server.create_session()
    async with YClient(doc_url(server, session, "interviewer")) as a:
        await a.synced.wait()
        a.text.insert(0, "def solve():\n    return 42\n")
        await wait_until(lambda: a.received_frames > 0)
        async with YClient(doc_url(server, session, "candidate")) as late:
            await wait_until(
                lambda: str(late.text) == "def solve():\n    return 42\n", what="late join"
            )


async def test_rooms_of_different_sessions_never_see_each_others_edits(
    server: ServerProcess,
) -> None:
    one, two = server.create_session(), server.create_session()
    async with (
        YClient(doc_url(server, one, "interviewer")) as a1,
        YClient(doc_url(server, one, "candidate")) as b1,
        YClient(doc_url(server, two, "interviewer")) as a2,
    ):
        await asyncio.gather(a1.synced.wait(), b1.synced.wait(), a2.synced.wait())
        a1.text.insert(0, "session one only")
        await wait_until(lambda: str(b1.text) == "session one only", what="same-session delivery")
        a2.text.insert(0, "two")
        await asyncio.sleep(0.2)  # give a wrongly routed update time to arrive before checking
        assert str(a2.text) == "two"
        assert str(b1.text) == "session one only"
