"""The compose topology with processes: two instances, Redis, PostgreSQL as the durable store."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from pycrdt import Doc, Text

from tests.scale.cluster import Cluster, require_redis
from tests.scale.postgres import fresh_database
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def dsn() -> Iterator[str]:
    yield from fresh_database()


def url(server: ServerProcess, session: dict[str, Any], role: str) -> str:
    return f"{server.ws_url}/ws/{session['id']}/code?token={session['tokens'][role]}"


def postgres_text(dsn: str, session_id: str) -> str:
    """The code text rebuilt from PostgreSQL alone."""

    async def read() -> list[bytes]:
        conn = await asyncpg.connect(dsn)
        try:
            rows = await conn.fetch(
                "SELECT data FROM log WHERE session_id=$1 AND doc='code' AND kind='update' "
                "ORDER BY seq",
                session_id,
            )
        finally:
            await conn.close()
        return [bytes(r["data"]) for r in rows]

    with ThreadPoolExecutor(1) as pool:
        updates = pool.submit(asyncio.run, read()).result()
    doc: Doc[Any] = Doc()
    for update in updates:
        doc.apply_update(update)
    return str(doc.get("source", type=Text))


async def test_two_instances_on_postgres_converge_and_postgres_holds_every_edit(
    dsn: str, tmp_path: Path
) -> None:
    require_redis()
    cluster = Cluster(tmp_path, database_url=dsn).start()
    one, two = cluster.servers
    try:
        session = one.create_session(title="on postgres")
        async with (
            YClient(url(one, session, "interviewer")) as a,
            YClient(url(two, session, "candidate")) as b,
        ):
            await asyncio.gather(a.synced.wait(), b.synced.wait())
            a.text.insert(0, "one;")
            await wait_until(lambda: str(b.text) == "one;", what="one -> two")
            b.text.insert(len(b.text), "two;")
            await wait_until(lambda: str(a.text) == "one;two;", what="two -> one")
        await wait_until(
            lambda: postgres_text(dsn, session["id"]) == "one;two;",
            timeout=20,
            what="moved into PostgreSQL",
        )
    finally:
        cluster.stop()
