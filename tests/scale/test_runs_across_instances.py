"""Kernels in a scale-out deployment: one Kernel Gateway, reached by every instance.

A run requested through instance one streams into the console doc of a client on instance two;
the next run, requested through instance two, lands in the same kernel (it sees the variables
the first run defined), because the session record keeps only the kernel id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Array

from tests.kernels.kernel_gateway import PLAIN_SPEC, RunningGateway, kernel_gateway
from tests.scale.cluster import Cluster, require_redis
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    require_redis()
    with kernel_gateway(Path(tmp_path_factory.mktemp("gateway"))) as running:
        yield running


@pytest.fixture(scope="module")
def cluster(gateway: RunningGateway, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    env = {
        "PAIRBOARD_KERNEL_PROVIDER": "gateway",
        "PAIRBOARD_GATEWAY_URL": gateway.url,
        "PAIRBOARD_GATEWAY_AUTH_TOKEN": gateway.token,
        "PAIRBOARD_GATEWAY_KERNEL_NAME": PLAIN_SPEC,
        "PAIRBOARD_GATEWAY_POOL_SIZE": "0",
    }
    c = Cluster(Path(tmp_path_factory.mktemp("runs-cluster")), extra_env=env)
    try:
        yield c.start()
    finally:
        c.stop()


def run(server: ServerProcess, session: dict[str, Any], code: str) -> str:
    response = httpx.post(
        f"{server.url}/api/sessions/{session['id']}/runs",
        json={"code": code},
        headers={"Authorization": f"Bearer {session['tokens']['candidate']}"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    run_id: str = response.json()["run_id"]
    return run_id


def run_entry(client: YClient, run_id: str) -> dict[str, Any] | None:
    for entry in client.doc.get("runs", type=Array).to_py() or []:
        if entry.get("id") == run_id:
            return dict(entry)
    return None


def stdout_of(entry: dict[str, Any] | None) -> str:
    outputs = (entry or {}).get("outputs") or []
    return "".join(o.get("text", "") for o in outputs if o.get("type") == "stream")


async def test_a_run_through_one_streams_to_two_and_the_next_run_shares_its_kernel(
    cluster: Cluster,
) -> None:
    one, two = cluster.servers
    session = one.create_session(title="runs across instances")
    url = f"{two.ws_url}/ws/{session['id']}/console?token={session['tokens']['observer']}"
    async with YClient(url) as watcher:  # an observer on instance two
        await watcher.synced.wait()
        first = await asyncio.to_thread(run, one, session, "x = 41\nprint('hello from one')")
        await wait_until(
            lambda: (run_entry(watcher, first) or {}).get("status") == "ok",
            timeout=60,
            what="the run on one, seen from two",
        )
        assert stdout_of(run_entry(watcher, first)) == "hello from one\n"

        second = await asyncio.to_thread(run, two, session, "print(x + 1)")
        await wait_until(
            lambda: (run_entry(watcher, second) or {}).get("status") == "ok",
            timeout=60,
            what="the run on two",
        )
        assert stdout_of(run_entry(watcher, second)) == "42\n"  # same kernel: x survived
