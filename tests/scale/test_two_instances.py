"""Two real server instances sharing Redis behave as one: edits, board, presence, controls, ends."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from pycrdt import Map

from tests.scale.cluster import Cluster, require_redis
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require_redis()
    c = Cluster(Path(tmp_path_factory.mktemp("two-instances")))
    try:
        yield c.start()
    finally:
        c.stop()


def url(server: ServerProcess, session: dict[str, Any], role: str, doc: str = "code") -> str:
    return f"{server.ws_url}/ws/{session['id']}/{doc}?token={session['tokens'][role]}"


async def test_code_edits_cross_instances_in_both_directions(cluster: Cluster) -> None:
    one, two = cluster.servers
    session = one.create_session(title="cross-instance code")
    async with (
        YClient(url(one, session, "interviewer")) as a,
        YClient(url(two, session, "candidate")) as b,
    ):
        await asyncio.gather(a.synced.wait(), b.synced.wait())
        a.text.insert(0, "from one\n")
        await wait_until(lambda: str(b.text) == "from one\n", what="one -> two")
        b.text.insert(len(b.text), "from two\n")
        await wait_until(lambda: str(a.text) == "from one\nfrom two\n", what="two -> one")
        for i in range(40):  # concurrent typing on both instances
            a.text.insert(0, f"a{i};")
            b.text.insert(len(b.text), f"b{i};")
            await asyncio.sleep(0)
        await wait_until(lambda: str(a.text) == str(b.text), what="concurrent convergence")
        text = str(a.text)
        assert all(f"a{i};" in text and f"b{i};" in text for i in range(40))
        assert len(text) == len("from one\nfrom two\n") + sum(
            len(f"a{i};") + len(f"b{i};") for i in range(40)
        )


async def test_board_elements_cross_instances_in_both_directions(cluster: Cluster) -> None:
    one, two = cluster.servers
    session = two.create_session(title="cross-instance board")
    async with (
        YClient(url(one, session, "interviewer", "board")) as a,
        YClient(url(two, session, "candidate", "board")) as b,
    ):
        await asyncio.gather(a.synced.wait(), b.synced.wait())
        a_elements = a.doc.get("elements", type=Map)
        b_elements = b.doc.get("elements", type=Map)
        a_elements["rect-1"] = {"id": "rect-1", "type": "rectangle", "version": 1}
        await wait_until(lambda: "rect-1" in b_elements, what="element one -> two")
        b_elements["arrow-1"] = {"id": "arrow-1", "type": "arrow", "version": 1}
        await wait_until(lambda: "arrow-1" in a_elements, what="element two -> one")
        assert a_elements.to_py() == b_elements.to_py()
        assert sorted(a_elements.to_py()) == ["arrow-1", "rect-1"]


async def test_a_late_joiner_on_the_other_instance_gets_the_full_state(cluster: Cluster) -> None:
    one, two = cluster.servers
    session = one.create_session()
    async with YClient(url(one, session, "interviewer")) as a:
        await a.synced.wait()
        a.text.insert(0, "written on one")
        await wait_until(lambda: a.received_frames > 0)
        async with YClient(url(two, session, "candidate")) as late:
            await wait_until(lambda: str(late.text) == "written on one", what="late join")


async def test_awareness_crosses_instances(cluster: Cluster) -> None:
    one, two = cluster.servers
    session = one.create_session()
    async with (
        YClient(url(one, session, "interviewer")) as a,
        YClient(url(two, session, "candidate")) as b,
    ):
        await asyncio.gather(a.synced.wait(), b.synced.wait())
        # Keep announcing until the other instance has subscribed; each frame has a new clock.
        for clock in range(1, 200):
            await a.set_awareness(101, clock, {"user": {"name": "Ann"}, "cursor": clock})
            if b.awareness.get(101) is not None:
                break
            await asyncio.sleep(0.05)
        await wait_until(lambda: (b.awareness.get(101) or {}).get("user") == {"name": "Ann"})


async def test_locking_the_editor_on_one_instance_binds_the_candidate_on_the_other(
    cluster: Cluster,
) -> None:
    one, two = cluster.servers
    session = one.create_session()
    headers = {"Authorization": f"Bearer {session['tokens']['interviewer']}"}
    async with (
        YClient(url(one, session, "interviewer")) as host,
        YClient(url(two, session, "candidate")) as cand,
    ):
        await asyncio.gather(host.synced.wait(), cand.synced.wait())
        cand.text.insert(0, "ok;")  # accepted: instance two now caches the unlocked record
        await wait_until(lambda: str(host.text) == "ok;", what="unlocked edit accepted")
        response = httpx.post(
            f"{one.url}/api/sessions/{session['id']}/controls",
            json={"editor_locked": True},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        cand.text.insert(len(cand.text), "blocked")
        await wait_until(lambda: len(cand.denied) > 0, what="instance two refuses the edit")
        assert cand.denied == ["the interviewer has locked the editor"]
        host.text.insert(len(host.text), "host;")  # the interviewer may still write
        await wait_until(lambda: str(cand.text).endswith("host;"), what="host edit relayed")
    async with YClient(url(two, session, "observer")) as check:
        await wait_until(lambda: str(check.text) == "ok;host;", what="locked edit never stored")


async def test_ending_a_session_on_one_instance_revokes_its_links_on_the_other(
    cluster: Cluster,
) -> None:
    one, two = cluster.servers
    session = one.create_session()
    async with YClient(url(two, session, "candidate")) as cand:  # caches the live record on two
        await cand.synced.wait()
    response = httpx.post(
        f"{one.url}/api/sessions/{session['id']}/end",
        headers={"Authorization": f"Bearer {session['tokens']['interviewer']}"},
    )
    assert response.status_code == 200, response.text

    async def refused() -> bool:
        try:
            async with websockets.connect(url(two, session, "candidate")):
                return False
        except websockets.InvalidStatus as exc:
            return exc.response.status_code == 403

    for _ in range(200):
        if await refused():
            break
        await asyncio.sleep(0.05)
    assert await refused()


async def test_committed_entries_reach_the_durable_store_and_leave_redis(
    cluster: Cluster,
) -> None:
    one, two = cluster.servers
    session = one.create_session()
    async with YClient(url(one, session, "interviewer")) as a:
        await a.synced.wait()
        for i in range(30):
            a.text.insert(len(a.text), f"{i},")
        await wait_until(lambda: str(a.text).count(",") == 30)

        def durable_updates() -> int:
            with sqlite3.connect(cluster.database_path, timeout=5) as db:
                row = db.execute(
                    "SELECT COUNT(*) FROM log WHERE session_id=? AND doc='code' AND kind='update'",
                    (session["id"],),
                ).fetchone()
            return int(row[0])

        await wait_until(lambda: durable_updates() == 30, timeout=20, what="moved to durable")
        stream = cluster.stream_key(session["id"], "code")
        await wait_until(lambda: cluster.redis().xlen(stream) == 0, timeout=20, what="trimmed")
    async with YClient(url(two, session, "candidate")) as b:
        await wait_until(lambda: str(b.text) == "".join(f"{i}," for i in range(30)))
