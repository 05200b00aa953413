"""Failures a scale-out deployment must survive: an instance killed, Redis restarted."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Text

from tests.scale.cluster import Cluster, RedisServer, require_redis
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

pytestmark = pytest.mark.redis


def url(server: ServerProcess, session: dict[str, Any], role: str, doc: str = "code") -> str:
    return f"{server.ws_url}/ws/{session['id']}/{doc}?token={session['tokens'][role]}"


async def reconnect(client: YClient, new_url: str) -> YClient:
    """What a browser does when its socket drops: keep the doc, connect elsewhere, resync."""
    await client.close()
    moved = YClient(new_url)
    moved.doc.apply_update(client.doc.get_update())
    return await moved.connect()


def durable_text(cluster: Cluster, session_id: str) -> str:
    """The code text rebuilt from the shared durable store alone (no Redis, no server)."""
    with sqlite3.connect(cluster.database_path, timeout=5) as db:
        rows = db.execute(
            "SELECT data FROM log WHERE session_id=? AND doc='code' AND kind='update' ORDER BY seq",
            (session_id,),
        ).fetchall()
    doc: Doc[Any] = Doc()
    for (data,) in rows:
        doc.apply_update(data)
    return str(doc.get("source", type=Text))


def drained(cluster: Cluster, session_id: str) -> bool:
    return cluster.redis().xlen(cluster.stream_key(session_id, "code")) == 0


async def test_instance_killed_its_clients_reconnect_to_the_other_and_nothing_is_lost(
    tmp_path: Path,
) -> None:
    require_redis()
    cluster = Cluster(tmp_path).start()
    one, two = cluster.servers
    try:
        session = one.create_session()
        a = await YClient(url(one, session, "interviewer")).connect()
        b = await YClient(url(two, session, "candidate")).connect()
        await asyncio.gather(a.synced.wait(), b.synced.wait())
        for i in range(50):
            a.text.insert(len(a.text), f"a{i};")
        expected = "".join(f"a{i};" for i in range(50))
        await wait_until(lambda: str(b.text) == expected, what="acknowledged on two")
        # Typed right before the crash: some of these may never have been acknowledged.
        for i in range(50, 70):
            a.text.insert(len(a.text), f"a{i};")
        await asyncio.sleep(0)
        one.kill()

        a = await reconnect(a, url(two, session, "interviewer"))
        expected = "".join(f"a{i};" for i in range(70))
        await wait_until(lambda: str(b.text) == expected, what="unacknowledged edits resent")
        b.text.insert(len(b.text), "b;")
        await wait_until(lambda: str(a.text) == expected + "b;", what="flowing on two")
        await a.close()
        await b.close()
        async with YClient(url(two, session, "observer")) as fresh:
            await wait_until(lambda: str(fresh.text) == expected + "b;", what="fresh load")
        # The dead instance may have held the mover's lease: it lapses and two moves everything.
        await wait_until(
            lambda: (
                drained(cluster, session["id"])
                and durable_text(cluster, session["id"]) == expected + "b;"
            ),
            timeout=30,
            what="everything moved to the durable store after failover",
        )
    finally:
        cluster.stop()


async def test_redis_restarted_mid_session_both_instances_recover_and_nothing_is_lost(
    tmp_path: Path,
) -> None:
    redis_server = RedisServer(tmp_path / "redis")
    redis_server.start()
    cluster = Cluster(tmp_path / "cluster", redis_url=redis_server.url).start()
    one, two = cluster.servers
    try:
        session = one.create_session()
        a = await YClient(url(one, session, "interviewer")).connect()
        b = await YClient(url(two, session, "candidate")).connect()
        await asyncio.gather(a.synced.wait(), b.synced.wait())
        a.text.insert(0, "before;")
        await wait_until(lambda: str(b.text) == "before;", what="flowing before restart")

        redis_server.kill()  # SIGKILL: only what AOF fsynced (every acknowledged entry) survives
        a.text.insert(len(a.text), "during;")  # its append waits for Redis to come back
        redis_server.start()

        await wait_until(lambda: str(b.text) == "before;during;", timeout=30, what="a -> b")
        b.text.insert(len(b.text), "after;")
        await wait_until(lambda: str(a.text) == "before;during;after;", timeout=30, what="b -> a")
        for server in (one, two):
            async with YClient(url(server, session, "observer")) as fresh:
                await wait_until(
                    lambda fresh=fresh: str(fresh.text) == "before;during;after;",
                    timeout=30,
                    what=f"fresh load on {server.port}",
                )
        await wait_until(
            lambda: (
                drained(cluster, session["id"])
                and durable_text(cluster, session["id"]) == "before;during;after;"
            ),
            timeout=30,
            what="everything moved to the durable store after the restart",
        )
        await a.close()
        await b.close()
    finally:
        cluster.stop()
        redis_server.kill()
