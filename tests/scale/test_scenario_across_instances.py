"""Scenario events across two real instances on Redis: an event fired through both instances at
the same moment fires once (one 200, one 409, one console entry), and a timed event driven by
both instances' clocks lands in the console exactly once. Scenario: tests/scenarios/
runtime_library/runtime-drill.yaml (timed events at 2 s and 4 s)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Array

from tests.scale.cluster import Cluster, require_redis
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

pytestmark = pytest.mark.redis
LIBRARY = Path(__file__).resolve().parents[1] / "scenarios" / "runtime_library"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require_redis()
    env = {"PAIRBOARD_SCENARIOS_DIR": str(LIBRARY), "PAIRBOARD_SCENARIO_RESCAN_SECONDS": "0.5"}
    c = Cluster(Path(tmp_path_factory.mktemp("scenario-cluster")), extra_env=env)
    try:
        yield c.start()
    finally:
        c.stop()


def post(server: ServerProcess, path: str, token: str) -> httpx.Response:
    return httpx.post(server.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=60)


async def console_events(server: ServerProcess, sid: str, token: str, until: str) -> list[Any]:
    async with YClient(f"{server.ws_url}/ws/{sid}/console?token={token}") as client:
        await asyncio.wait_for(client.synced.wait(), 10)
        events = client.doc.get("events", type=Array)
        await wait_until(
            lambda: any(e["id"] == until for e in events.to_py() or []), timeout=30, what=until
        )
        return list(events.to_py() or [])


async def test_an_event_fired_through_both_instances_at_once_fires_once(cluster: Cluster) -> None:
    one, two = cluster.servers
    created = one.create_session(scenario="runtime-drill")
    sid, token = created["id"], created["tokens"]["interviewer"]
    assert post(one, f"/api/sessions/{sid}/scenario/start", token).status_code == 200

    path = f"/api/sessions/{sid}/scenario/events/reveal-two/fire"
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda s: post(s, path, token).status_code, (one, two)))
    assert sorted(answers) == [200, 409]

    # Both instances drive the clock (the second found it by its rescan); `later` fires at 4 s.
    events = await console_events(two, sid, token, "later:1")
    ids = [e["id"] for e in events]
    assert ids.count("reveal-two:reveal:part-two") == 1
    assert (ids.count("shift:1"), ids.count("later:1")) == (1, 1)
