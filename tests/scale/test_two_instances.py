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
from jupyter_ydoc import YNotebook
from pycrdt import Map

from server.scale.redis_store import APPEND_LUA
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
        await wait_until(lambda: "host;" in str(cand.text), what="host edit relayed")
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


async def test_corrupt_entries_in_one_stream_leave_every_room_flowing(cluster: Cluster) -> None:
    one, two = cluster.servers
    hurt, healthy = one.create_session(), one.create_session()
    async with (
        YClient(url(one, hurt, "interviewer")) as hurt_a,
        YClient(url(two, hurt, "candidate")) as hurt_b,
        YClient(url(one, healthy, "interviewer")) as ok_a,
        YClient(url(two, healthy, "candidate")) as ok_b,
    ):
        await asyncio.gather(*(c.synced.wait() for c in (hurt_a, hurt_b, ok_a, ok_b)))
        hurt_a.text.insert(0, "before;")
        await wait_until(lambda: str(hurt_b.text) == "before;", what="hurt room flowing")

        r = cluster.redis()
        stream = cluster.stream_key(hurt["id"], "code")
        r.xadd(stream, {b"junk": b"\xff\xfe"})  # no fields we know
        r.xadd(stream, {b"seq": b"not-a-number", b"data": b"x"})  # undecodable seq
        # A well-formed, properly sequenced entry whose Yjs bytes are garbage (a flipped block).
        append = r.register_script(APPEND_LUA)
        append(
            keys=[f"{cluster.prefix}seq:{hurt['id']}:code", stream, f"{cluster.prefix}docs"],
            args=[
                0,
                "intruder",
                "candidate",
                "update",
                b"\x01\x02garbage",
                "intruder",
                0,
                f"{hurt['id']}/code",
            ],
        )

        hurt_a.text.insert(len(hurt_a.text), "after;")
        ok_a.text.insert(0, "healthy;")
        await wait_until(lambda: str(ok_b.text) == "healthy;", what="healthy room one -> two")
        ok_b.text.insert(len(ok_b.text), "both;")
        await wait_until(lambda: str(hurt_b.text) == "before;after;", what="hurt room recovers")
        await wait_until(
            lambda: str(ok_a.text) == str(ok_b.text) == "healthy;both;", what="healthy room"
        )
        # The mover got past the bad entries too: both streams drain.
        await wait_until(lambda: r.xlen(stream) == 0, timeout=20, what="hurt stream trimmed")
        await wait_until(
            lambda: r.xlen(cluster.stream_key(healthy["id"], "code")) == 0,
            timeout=20,
            what="healthy stream trimmed",
        )
    async with YClient(url(two, hurt, "observer")) as late:  # reload skips the garbage entry
        await wait_until(lambda: str(late.text) == "before;after;", what="reload of hurt room")
    logs = two.log_path.read_text() + one.log_path.read_text()
    assert "skipping entry" in logs


async def test_the_notebook_guard_follows_the_other_instances_cells(cluster: Cluster) -> None:
    """Each instance's notebook room checks its clients' updates on a shadow copy, which must
    follow the cells added on the other instance: an edit of such a cell passes, a duplicate of
    its id is refused to its writer only, and a bad cell never crosses to the other instance."""
    one, two = cluster.servers
    session = one.create_session(title="cross-instance notebook", mode="notebook")
    async with (
        YClient(url(one, session, "interviewer", "notebook")) as a,
        YClient(url(two, session, "candidate", "notebook")) as b,
    ):
        await asyncio.gather(a.synced.wait(), b.synced.wait())
        mine, theirs = YNotebook(a.doc), YNotebook(b.doc)
        # Instance two's shadow exists before the cell arrives from instance one.
        theirs.append_cell({"id": "b0", "cell_type": "code", "source": "", "metadata": {}})
        await wait_until(lambda: mine.cell_number == 1, what="two -> one")
        mine.append_cell({"id": "a1", "cell_type": "code", "source": "x = 1", "metadata": {}})
        await wait_until(lambda: theirs.cell_number == 2, what="one -> two")
        theirs.ycells[1]["source"].insert(5, "0")  # x = 10, in the cell from instance one
        await wait_until(lambda: str(mine.ycells[1]["source"]) == "x = 10", what="edit two -> one")
        theirs.append_cell({"id": "a1", "cell_type": "code", "source": "", "metadata": {}})
        await wait_until(lambda: b.denied != [], what="the duplicate refused")
        assert b.denied == ["edit not saved: cell 3: another cell has the id 'a1'"]
        assert a.denied == [] and b.close_code is None
        mine.ycells[0]["source"].insert(0, "# still live")
        await wait_until(lambda: str(theirs.ycells[0]["source"]) == "# still live", what="live")
        assert [c["id"] for c in mine.get()["cells"]] == ["b0", "a1"]
