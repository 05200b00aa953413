"""Runs through a real server (subprocess) with real sandboxed kernels, watched by a real client.

The runs contract: POST /runs -> 202 {"run_id"}; a second run while one is active -> 409;
observers -> 403; candidates -> 403 while the interviewer disabled Run; GET /runs/{id};
POST /kernel/interrupt and /kernel/restart; every run is a `console.runs` entry written by the
server, which every participant's doc receives.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Array, Map

from kernels.sandbox.layers import SandboxReport
from kernels.sandbox.uids import processes_of
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until


@pytest.fixture(scope="module")
def kernel_server(
    tmp_path_factory: pytest.TempPathFactory, sandbox_layers: SandboxReport
) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        Path(tmp_path_factory.mktemp("runs-server")),
        env={
            "PAIRBOARD_KERNEL_POOL_SIZE": "1",
            "PAIRBOARD_KERNEL_PRELOAD_CODE": "",
            "PAIRBOARD_KERNEL_RUN_TIMEOUT_SECONDS": "3",
            "PAIRBOARD_KERNEL_INTERRUPT_GRACE_SECONDS": "2",
        },
    )
    proc.start()
    yield proc
    proc.stop()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wait_run(server: ServerProcess, sid: str, run_id: str, token: str) -> dict[str, Any]:
    """Poll GET /runs/{id} until the run is no longer running (deadline 60 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        r = httpx.get(f"{server.url}/api/sessions/{sid}/runs/{run_id}", headers=auth(token))
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        if body["status"] != "running":
            return body
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} still running after 60 s")


def start(server: ServerProcess, sid: str, token: str, code: str | None) -> httpx.Response:
    body = None if code is None else {"code": code}
    return httpx.post(
        f"{server.url}/api/sessions/{sid}/runs", json=body, headers=auth(token), timeout=30
    )


def test_healthz_reports_the_sandbox_layers(kernel_server: ServerProcess) -> None:
    body = httpx.get(f"{kernel_server.url}/healthz").json()
    assert body["kernels"]["provider"] == "local"
    layers = body["kernels"]["sandbox"]
    assert set(layers) >= {"uid", "bubblewrap", "network", "cgroup", "rlimits", "clean_env"}
    assert all(isinstance(v["active"], bool) and v["detail"] for v in layers.values())


async def test_a_run_of_the_editor_source_streams_into_everyones_console(
    kernel_server: ServerProcess,
) -> None:
    s = kernel_server.create_session()
    sid, tokens = s["id"], s["tokens"]
    base = f"{kernel_server.ws_url}/ws/{sid}"
    code = "import sys\nprint('hello')\nprint('oops', file=sys.stderr)\n6 * 7"
    async with (
        YClient(f"{base}/code?token={tokens['candidate']}") as editor,
        YClient(f"{base}/code?token={tokens['interviewer']}") as other,
        YClient(f"{base}/console?token={tokens['observer']}") as watcher,
    ):
        await wait_until(editor.synced.is_set, what="editor synced")
        editor.text.insert(0, code)
        # Another participant sees the edit only after the server logged it: the run's snapshot
        # of `source` cannot miss it.
        await wait_until(lambda: str(other.text) == code, what="edit relayed")
        r = start(kernel_server, sid, tokens["candidate"], None)
        assert r.status_code == 202, r.text
        run_id = r.json()["run_id"]
        body = wait_run(kernel_server, sid, run_id, tokens["observer"])
        assert body["status"] == "ok"
        assert body["code"] == code
        assert body["outputs"] == [
            {"type": "stream", "name": "stdout", "text": "hello\n"},
            {"type": "stream", "name": "stderr", "text": "oops\n"},
            {"type": "result", "data": {"text/plain": "42"}},
        ]
        assert isinstance(body["duration_ms"], int)

        def entry() -> dict[str, Any] | None:
            runs = watcher.doc.get("runs", type=Array)
            for item in runs:
                if isinstance(item, Map) and item.get("id") == run_id:
                    return dict(item.to_py() or {})
            return None

        await wait_until(lambda: (entry() or {}).get("status") == "ok", what="console entry")
        seen = entry()
        assert seen is not None
        assert (seen["author"], seen["role"], seen["code"]) == ("Candidate", "candidate", code)
        assert seen["outputs"] == body["outputs"]
        assert seen["finished_at"] >= seen["started_at"]
        kernel = watcher.doc.get("kernel", type=Map)
        await wait_until(lambda: kernel.get("status") == "idle", what="kernel idle")


def test_second_run_while_one_is_active_is_refused_with_409(kernel_server: ServerProcess) -> None:
    s = kernel_server.create_session()
    sid, tokens = s["id"], s["tokens"]
    first = start(kernel_server, sid, tokens["interviewer"], "import time\ntime.sleep(1.5)")
    assert first.status_code == 202
    second = start(kernel_server, sid, tokens["candidate"], "print(2)")
    assert second.status_code == 409
    assert "still running" in second.json()["detail"]
    assert (
        wait_run(kernel_server, sid, first.json()["run_id"], tokens["interviewer"])["status"]
        == "ok"
    )


async def test_a_run_pressed_the_moment_the_last_one_shows_ended_is_taken(
    kernel_server: ServerProcess,
) -> None:
    """The run's final status and the kernel's idle arrive in one update, and the server lets
    go of the run before anyone receives it: a page that enables Run on seeing it may Run."""
    s = kernel_server.create_session()
    sid, token = s["id"], s["tokens"]["candidate"]
    url = f"{kernel_server.ws_url}/ws/{sid}/console?token={s['tokens']['observer']}"
    async with YClient(url) as watcher, httpx.AsyncClient(timeout=30) as client:
        await wait_until(watcher.synced.is_set, what="console synced")
        runs = watcher.doc.get("runs", type=Array)
        kernel = watcher.doc.get("kernel", type=Map)
        seen: list[tuple[str, str | None]] = []
        ended = asyncio.Event()

        def on_change(_: object) -> None:
            last = runs[len(runs) - 1] if len(runs) else None
            if isinstance(last, Map) and last.get("status") not in (None, "running"):
                if not ended.is_set():
                    seen.append((str(last.get("status")), kernel.get("status")))
                ended.set()

        runs.observe_deep(on_change)
        for i in range(5):
            ended.clear()
            r = await client.post(
                f"{kernel_server.url}/api/sessions/{sid}/runs",
                json={"code": f"print({i})"},
                headers=auth(token),
            )
            assert r.status_code == 202, r.text
            await asyncio.wait_for(ended.wait(), 60)
        assert seen == [("ok", "idle")] * 5


def test_observers_cannot_run_interrupt_or_restart(kernel_server: ServerProcess) -> None:
    s = kernel_server.create_session()
    sid, observer = s["id"], s["tokens"]["observer"]
    assert start(kernel_server, sid, observer, "print(1)").status_code == 403
    for action in ("interrupt", "restart"):
        r = httpx.post(
            f"{kernel_server.url}/api/sessions/{sid}/kernel/{action}", headers=auth(observer)
        )
        assert r.status_code == 403


def test_candidate_run_is_refused_while_the_interviewer_disabled_it(
    kernel_server: ServerProcess,
) -> None:
    s = kernel_server.create_session()
    sid, tokens = s["id"], s["tokens"]
    r = httpx.post(
        f"{kernel_server.url}/api/sessions/{sid}/controls",
        json={"run_disabled": True},
        headers=auth(tokens["interviewer"]),
    )
    assert r.status_code == 200
    refused = start(kernel_server, sid, tokens["candidate"], "print(1)")
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "Run is disabled by the interviewer",
    )
    allowed = start(kernel_server, sid, tokens["interviewer"], "print(1)")
    assert allowed.status_code == 202


def test_interrupt_and_restart_through_the_api(kernel_server: ServerProcess) -> None:
    s = kernel_server.create_session()
    sid, token = s["id"], s["tokens"]["interviewer"]
    assert (
        wait_run(
            kernel_server, sid, start(kernel_server, sid, token, "x = 1").json()["run_id"], token
        )["status"]
        == "ok"
    )
    run_id = start(
        kernel_server, sid, token, "import time\nprint('go', flush=True)\ntime.sleep(30)"
    ).json()["run_id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = httpx.get(
            f"{kernel_server.url}/api/sessions/{sid}/runs/{run_id}", headers=auth(token)
        ).json()
        if body["outputs"]:
            break
        time.sleep(0.05)
    r = httpx.post(f"{kernel_server.url}/api/sessions/{sid}/kernel/interrupt", headers=auth(token))
    assert r.status_code == 200
    assert wait_run(kernel_server, sid, run_id, token)["status"] == "interrupted"
    r = httpx.post(
        f"{kernel_server.url}/api/sessions/{sid}/kernel/restart", headers=auth(token), timeout=60
    )
    assert r.status_code == 200
    after = wait_run(
        kernel_server, sid, start(kernel_server, sid, token, "x").json()["run_id"], token
    )
    assert after["status"] == "error"
    assert [o["ename"] for o in after["outputs"] if o["type"] == "error"] == ["NameError"]


def test_timeout_and_unknown_run(kernel_server: ServerProcess) -> None:
    s = kernel_server.create_session()
    sid, token = s["id"], s["tokens"]["candidate"]
    body = wait_run(
        kernel_server,
        sid,
        start(kernel_server, sid, token, "while True:\n    pass").json()["run_id"],
        token,
    )
    assert body["status"] == "timeout"
    assert {"type": "notice", "text": "run interrupted: wall time limit of 3 s exceeded"} in body[
        "outputs"
    ]
    r = httpx.get(f"{kernel_server.url}/api/sessions/{sid}/runs/nope", headers=auth(token))
    assert r.status_code == 404


def test_ending_the_session_shuts_its_kernel_down(
    kernel_server: ServerProcess, sandbox_layers: SandboxReport
) -> None:
    if not sandbox_layers.uid_ok:
        pytest.skip("uid layer unavailable: " + sandbox_layers.layer("uid").detail)
    s = kernel_server.create_session()
    sid, token = s["id"], s["tokens"]["interviewer"]
    run_id = start(kernel_server, sid, token, "import os\nprint(os.getuid())").json()["run_id"]
    uid = int(wait_run(kernel_server, sid, run_id, token)["outputs"][0]["text"])
    assert processes_of(uid)
    r = httpx.post(f"{kernel_server.url}/api/sessions/{sid}/end", headers=auth(token))
    assert r.status_code == 200
    deadline = time.monotonic() + 30
    while processes_of(uid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_of(uid) == []
